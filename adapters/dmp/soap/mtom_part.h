// One MIME part of an MTOM/XOP message (W3C XOP 1.0, SOAP MTOM): a document
// that the SOAP body names by <xop:Include href="cid:<content_id>"/>.
#pragma once

#include <string>

namespace navette::adapters::dmp::soap {

struct MtomPart {
  // The Content-ID without its angle brackets: "x@navette" for the header
  // "Content-ID: <x@navette>" and for href="cid:x@navette".
  std::string content_id;
  std::string content_type;  // e.g. text/xml, application/pdf
  std::string bytes;         // exactly the document's bytes (binary transfer)
};

}  // namespace navette::adapters::dmp::soap
