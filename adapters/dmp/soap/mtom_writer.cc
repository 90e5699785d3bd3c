#include "adapters/dmp/soap/mtom_writer.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "adapters/dmp/soap/soap_envelope.h"

namespace navette::adapters::dmp::soap {
namespace {

constexpr int kMaxBoundaryDraws = 8;

// What may go between the angle brackets of a Content-ID and, unescaped,
// after "cid:" (RFC 2392 addr-spec without the characters URLs escape).
bool IsPlainContentIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~@!$&'()*+,;=:").find(c) != std::string_view::npos;
}

// Debian's abseil has its own string_view; the API speaks std::string_view.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status CheckHeaderValue(absl::string_view what, absl::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("MTOM: empty ", what));
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"') {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM: ", what, " \"", value, "\" cannot go in a MIME header"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDocuments(const std::vector<MtomPart>& documents) {
  std::set<std::string, std::less<>> seen;
  for (const MtomPart& document : documents) {
    if (document.content_id.empty()) return absl::InvalidArgumentError("MTOM: empty Content-ID");
    for (char c : document.content_id) {
      if (!IsPlainContentIdChar(c)) {
        return absl::InvalidArgumentError(absl::StrCat("MTOM: Content-ID \"", document.content_id,
                                                       "\" has a character outside [A-Za-z0-9",
                                                       "-._~@!$&'()*+,;=:]"));
      }
    }
    if (!seen.insert(document.content_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("MTOM: two documents with Content-ID ", document.content_id));
    }
    absl::Status type = CheckHeaderValue("content type", document.content_type);
    if (!type.ok()) return type;
  }
  return absl::OkStatus();
}

}  // namespace

std::string NewMimeBoundary() {
  std::array<uint8_t, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  std::string boundary = "navette-mtom-";
  for (uint8_t byte : bytes) absl::StrAppendFormat(&boundary, "%02x", byte);
  return boundary;
}

absl::StatusOr<HttpBody> PackMtom(std::string_view soap_xml, std::string_view action,
                                  const std::vector<MtomPart>& documents) {
  return PackMtomWithBoundaries(soap_xml, action, documents, NewMimeBoundary);
}

absl::StatusOr<HttpBody> PackMtomWithBoundaries(std::string_view soap_xml_in,
                                                std::string_view action_in,
                                                const std::vector<MtomPart>& documents,
                                                const std::function<std::string()>& next_boundary) {
  const absl::string_view soap_xml = Absl(soap_xml_in);
  const absl::string_view action = Absl(action_in);
  absl::Status valid = CheckHeaderValue("action", action);
  if (!valid.ok()) return valid;
  valid = CheckDocuments(documents);
  if (!valid.ok()) return valid;

  // The root's id is made unique against the documents' ids.
  const std::string root_id = absl::StrCat("root.", NewUrnUuid().substr(9), "@navette");
  const std::string root_headers = absl::StrCat(
      "Content-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"; "
      "action=\"",
      action, "\"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <", root_id, ">\r\n\r\n");
  std::vector<std::string> document_headers;
  for (const MtomPart& document : documents) {
    document_headers.push_back(absl::StrCat("Content-Type: ", document.content_type,
                                            "\r\nContent-Transfer-Encoding: binary\r\n",
                                            "Content-ID: <", document.content_id, ">\r\n\r\n"));
  }

  auto occurs = [&](const std::string& boundary) {
    if (soap_xml.find(boundary) != absl::string_view::npos ||
        root_headers.find(boundary) != std::string::npos) {
      return true;
    }
    for (size_t i = 0; i < documents.size(); ++i) {
      if (documents[i].bytes.find(boundary) != std::string::npos ||
          document_headers[i].find(boundary) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  std::string boundary;
  for (int draw = 0;; ++draw) {
    if (draw == kMaxBoundaryDraws) {
      return absl::InternalError("MTOM: every boundary drawn occurs in a part");
    }
    boundary = next_boundary();
    absl::Status usable = CheckHeaderValue("boundary", boundary);
    if (!usable.ok()) return usable;
    if (!occurs(boundary)) break;
  }

  HttpBody body;
  body.content_type = absl::StrCat("multipart/related; type=\"application/xop+xml\"; start=\"<",
                                   root_id, ">\"; start-info=\"application/soap+xml\"; action=\"",
                                   action, "\"; boundary=\"", boundary, "\"");
  absl::StrAppend(&body.bytes, "--", boundary, "\r\n", root_headers, soap_xml);
  for (size_t i = 0; i < documents.size(); ++i) {
    absl::StrAppend(&body.bytes, "\r\n--", boundary, "\r\n", document_headers[i],
                    documents[i].bytes);
  }
  absl::StrAppend(&body.bytes, "\r\n--", boundary, "--\r\n");
  return body;
}

}  // namespace navette::adapters::dmp::soap
