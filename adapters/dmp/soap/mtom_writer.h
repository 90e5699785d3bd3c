// Packs a SOAP 1.2 envelope and its documents as MTOM/XOP (multipart/related),
// the way IHE ITI-41 sends them to the DMP (fr-specs §3.1):
//
//   HTTP  Content-Type: multipart/related; type="application/xop+xml";
//           start="<root id>"; start-info="application/soap+xml";
//           action="<wsa:Action>"; boundary="<boundary>"
//
//   --<boundary>CRLF
//   Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="…"
//   Content-Transfer-Encoding: binary
//   Content-ID: <root id>
//   CRLF  the envelope
//   CRLF--<boundary>CRLF
//   Content-Type: <document type>
//   Content-Transfer-Encoding: binary
//   Content-ID: <content id>            = the cid an xop:Include names
//   CRLF  the document's bytes, untouched
//   CRLF--<boundary>--CRLF
//
// The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1),
// so a part's bytes are exactly what lies between. Every part is "binary":
// the envelope may have lines longer than 8bit's 998 octets, and documents
// may hold CR, LF and NUL. The boundary is random and checked to occur in no
// part (nor their headers); a collision draws another.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/soap/mtom_part.h"

namespace navette::adapters::dmp::soap {

struct HttpBody {
  std::string content_type;  // the HTTP Content-Type header's value
  std::string bytes;
};

// InvalidArgument for a Content-ID or a content type that cannot be written
// in a MIME header (empty, CR/LF, '<' '>' '"', non-ASCII) or two parts with
// the same Content-ID.
absl::StatusOr<HttpBody> PackMtom(std::string_view soap_xml, std::string_view action,
                                  const std::vector<MtomPart>& documents);

// PackMtom with the boundaries drawn from `next_boundary` (tests: a
// boundary that collides with a part). Internal after 8 collisions.
absl::StatusOr<HttpBody> PackMtomWithBoundaries(std::string_view soap_xml, std::string_view action,
                                                const std::vector<MtomPart>& documents,
                                                const std::function<std::string()>& next_boundary);

// "navette-mtom-" + 32 random hex digits.
std::string NewMimeBoundary();

}  // namespace navette::adapters::dmp::soap
