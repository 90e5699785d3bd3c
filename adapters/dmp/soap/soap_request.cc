#include "adapters/dmp/soap/soap_request.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/soap_envelope.h"
#include "adapters/dmp/soap/soap_xml.h"

namespace navette::adapters::dmp::soap {
namespace {

void CollectIncludes(xmlNode* node, std::vector<std::string>& hrefs) {
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (IsElement(child, kXopNamespace, "Include")) hrefs.push_back(AttributeValue(child, "href"));
    if (child->type == XML_ELEMENT_NODE) CollectIncludes(child->children, hrefs);
  }
}

absl::Status CheckIncludesMatchDocuments(const std::string& body_xml,
                                         const std::vector<MtomPart>& documents) {
  absl::StatusOr<XmlDocPtr> body = ParseXml(body_xml, "SOAP body");
  if (!body.ok()) return body.status();
  std::vector<std::string> hrefs;
  CollectIncludes(xmlDocGetRootElement(body->get()), hrefs);
  std::set<std::string, std::less<>> named;
  for (const std::string& href : hrefs) {
    // navette's own Content-IDs need no percent-encoding (mtom_writer.h).
    if (!absl::StartsWith(href, "cid:")) {
      return absl::InvalidArgumentError(
          absl::StrCat("xop:Include href \"", href, "\" is not a cid: URL"));
    }
    named.insert(href.substr(4));
  }
  std::set<std::string, std::less<>> attached;
  for (const MtomPart& document : documents) attached.insert(document.content_id);
  for (const std::string& id : named) {
    if (!attached.contains(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("xop:Include names cid:", id, " but no document has that Content-ID"));
    }
  }
  for (const std::string& id : attached) {
    if (!named.contains(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("document <", id, "> is named by no xop:Include in the body"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SoapRequest> BuildProvideAndRegisterRequest(const std::string& endpoint,
                                                           const std::string& signed_vihf,
                                                           const std::string& body_xml,
                                                           const std::vector<MtomPart>& documents) {
  absl::Status matched = CheckIncludesMatchDocuments(body_xml, documents);
  if (!matched.ok()) return matched;
  absl::StatusOr<Envelope> envelope = BuildEnvelope({.action = kProvideAndRegisterAction,
                                                     .endpoint = endpoint,
                                                     .signed_vihf = signed_vihf,
                                                     .body_xml = body_xml,
                                                     .message_id = {}});
  if (!envelope.ok()) return envelope.status();
  absl::StatusOr<HttpBody> http = PackMtom(envelope->xml, kProvideAndRegisterAction, documents);
  if (!http.ok()) return http.status();
  return SoapRequest{.http = *std::move(http), .message_id = envelope->message_id};
}

absl::StatusOr<SoapRequest> BuildUpdateDocumentSetRequest(const std::string& endpoint,
                                                          const std::string& signed_vihf,
                                                          const std::string& body_xml) {
  absl::StatusOr<Envelope> envelope = BuildEnvelope({.action = kUpdateDocumentSetAction,
                                                     .endpoint = endpoint,
                                                     .signed_vihf = signed_vihf,
                                                     .body_xml = body_xml,
                                                     .message_id = {}});
  if (!envelope.ok()) return envelope.status();
  SoapRequest request;
  request.http.content_type = absl::StrCat("application/soap+xml; charset=UTF-8; action=\"",
                                           kUpdateDocumentSetAction, "\"");
  request.http.bytes = std::move(envelope->xml);
  request.message_id = std::move(envelope->message_id);
  return request;
}

}  // namespace navette::adapters::dmp::soap
