// Reads an MTOM/XOP (multipart/related) message: the DMP's responses that
// come packaged so, and the requests navette's DMP simulator receives.
//
// From the HTTP Content-Type it takes `boundary` (required) and `start` (the
// root part's Content-ID; without it the first part is the root, as XOP
// allows). The body is split on the delimiter lines; the line break before a
// delimiter belongs to it. Line breaks are those of the first delimiter
// line: CRLF as RFC 2046 says, or bare LF as in files saved by tools (the
// CNAM's TD2.1 sample). Parts may carry a preamble before the first
// delimiter and an epilogue after the last; headers are matched without
// regard to case and may be folded. Part bodies are returned as sent
// (binary, 8bit, 7bit) or decoded (base64).
//
// Errors (InvalidArgument, naming the part by number and Content-ID):
// Content-Type not multipart/related, no boundary, no delimiter, no closing
// delimiter, a part without the blank line after its headers, a `start`
// naming no part, a non-root part without Content-ID, a repeated Content-ID,
// a transfer encoding it does not know.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/soap/mtom_part.h"

namespace navette::adapters::dmp::soap {

struct MtomMessage {
  MtomPart root;                      // the SOAP envelope (application/xop+xml)
  std::vector<MtomPart> attachments;  // the other parts, in order

  // The attachment an xop:Include names: `href` is "cid:…" (percent-encoded,
  // RFC 2392) or a bare Content-ID. nullptr when none.
  const MtomPart* FindByHref(std::string_view href) const;
};

absl::StatusOr<MtomMessage> ReadMtom(std::string_view http_content_type, std::string_view body);

// The SOAP envelope of an HTTP body: the root part when the Content-Type is
// multipart/related, else the body itself (application/soap+xml, text/xml,
// or no Content-Type; the XML parser judges what it is).
absl::StatusOr<std::string> SoapXmlOfHttpBody(std::string_view http_content_type,
                                              std::string_view body);

// A header value's parameter (`name=value` or `name="value"`), "" when
// absent; parameter names are matched without regard to case.
std::string HeaderParameter(std::string_view header_value, std::string_view name);

}  // namespace navette::adapters::dmp::soap
