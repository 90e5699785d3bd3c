#include "adapters/dmp/soap/soap_envelope.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include <libxml/tree.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "adapters/dmp/soap/soap_xml.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::soap {
namespace {

// Parses `bytes` and copies its root element into `target`'s document.
absl::StatusOr<xmlNode*> ImportRoot(xmlDoc* target, std::string_view bytes, const char* what) {
  absl::StatusOr<XmlDocPtr> source = ParseXml(bytes, what);
  if (!source.ok()) return source.status();
  xmlNode* root = xmlDocGetRootElement(source->get());
  if (root == nullptr) return absl::InvalidArgumentError(absl::StrCat(what, " has no element"));
  // A recursive copy keeps the node's own namespace declarations (the
  // assertion declares saml2, xsi, ds and xs itself) and its attributes'
  // values as parsed, which is what the signature covers.
  xmlNode* copy = xmlDocCopyNode(root, target, 1);
  if (copy == nullptr) return absl::InternalError(absl::StrCat("cannot import ", what));
  return copy;
}

}  // namespace

std::string NewUrnUuid() {
  std::array<uint8_t, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // The CSPRNG failing is not recoverable; a predictable id is worse than a crash.
    abort();
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  std::string hex;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    absl::StrAppendFormat(&hex, "%02x", bytes[i]);
  }
  return absl::StrCat("urn:uuid:", hex);
}

absl::StatusOr<Envelope> BuildEnvelope(const EnvelopeParts& parts) {
  if (parts.action.empty()) return absl::InvalidArgumentError("SOAP request: no wsa:Action");
  if (parts.endpoint.empty())
    return absl::InvalidArgumentError("SOAP request: no endpoint (wsa:To)");
  if (parts.signed_vihf.empty()) return absl::InvalidArgumentError("SOAP request: no VIHF");
  if (parts.body_xml.empty()) return absl::InvalidArgumentError("SOAP request: no body");

  EnsureLibXmlReady();
  XmlDocPtr doc(xmlNewDoc(XmlText("1.0")));
  xmlNode* envelope = xmlNewDocNode(doc.get(), nullptr, XmlText("Envelope"), nullptr);
  xmlDocSetRootElement(doc.get(), envelope);
  xmlNs* soap_ns = xmlNewNs(envelope, XmlText(kSoap12Namespace), XmlText("soap"));
  xmlNs* wsa_ns = xmlNewNs(envelope, XmlText(kWsaNamespace), XmlText("wsa"));
  xmlSetNs(envelope, soap_ns);

  xmlNode* header = xmlNewChild(envelope, soap_ns, XmlText("Header"), nullptr);
  Envelope result;
  result.message_id = parts.message_id.empty() ? NewUrnUuid() : parts.message_id;

  // xmlNewTextChild escapes the text (an endpoint URL may hold '&').
  xmlNode* action =
      xmlNewTextChild(header, wsa_ns, XmlText("Action"), XmlText(parts.action.c_str()));
  xmlNewNsProp(action, soap_ns, XmlText("mustUnderstand"), XmlText("1"));
  xmlNewTextChild(header, wsa_ns, XmlText("MessageID"), XmlText(result.message_id.c_str()));
  xmlNewTextChild(header, wsa_ns, XmlText("To"), XmlText(parts.endpoint.c_str()));
  xmlNode* reply_to = xmlNewChild(header, wsa_ns, XmlText("ReplyTo"), nullptr);
  xmlNewTextChild(reply_to, wsa_ns, XmlText("Address"), XmlText(kWsaAnonymous));

  xmlNode* security = xmlNewChild(header, nullptr, XmlText("Security"), nullptr);
  xmlSetNs(security, xmlNewNs(security, XmlText(kWsseNamespace), XmlText("wsse")));
  xmlNewNsProp(security, soap_ns, XmlText("mustUnderstand"), XmlText("1"));
  absl::StatusOr<xmlNode*> assertion = ImportRoot(doc.get(), parts.signed_vihf, "VIHF");
  if (!assertion.ok()) return assertion.status();
  if (!IsElement(*assertion, kSamlNamespace, "Assertion")) {
    xmlFreeNode(*assertion);
    return absl::InvalidArgumentError("VIHF: the root element is not a saml2:Assertion");
  }
  xmlAddChild(security, *assertion);

  xmlNode* body = xmlNewChild(envelope, soap_ns, XmlText("Body"), nullptr);
  absl::StatusOr<xmlNode*> content = ImportRoot(doc.get(), parts.body_xml, "SOAP body");
  if (!content.ok()) return content.status();
  xmlAddChild(body, *content);

  xmlChar* bytes = nullptr;
  int size = 0;
  // No formatting: indentation would add text nodes inside the signed assertion.
  xmlDocDumpFormatMemoryEnc(doc.get(), &bytes, &size, "UTF-8", 0);
  if (bytes == nullptr) return absl::InternalError("cannot serialise the SOAP envelope");
  result.xml.assign(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  xmlFree(bytes);
  return result;
}

}  // namespace navette::adapters::dmp::soap
