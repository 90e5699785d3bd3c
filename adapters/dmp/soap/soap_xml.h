// libxml2 plumbing for the SOAP files: an owning document handle, a parser
// safe for bytes from a peer, and exact-namespace navigation. The namespace
// URIs of everything the DMP exchange uses are named here once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libxml/tree.h>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::soap {

inline constexpr char kSoap12Namespace[] = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr char kSoap11Namespace[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kWsaNamespace[] = "http://www.w3.org/2005/08/addressing";
inline constexpr char kWsaAnonymous[] = "http://www.w3.org/2005/08/addressing/anonymous";
inline constexpr char kWsseNamespace[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr char kSamlNamespace[] = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr char kRsNamespace[] = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0";
inline constexpr char kXopNamespace[] = "http://www.w3.org/2004/08/xop/include";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// Parses XML bytes with no network access, no DTD loading and no entity
// substitution. `what` names the bytes in the error ("response", "VIHF"),
// which also carries libxml2's message and line.
absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes, std::string_view what);

// `node` is an element named `local_name` in namespace `ns`.
bool IsElement(const xmlNode* node, std::string_view ns, std::string_view local_name);
// The first child element named so, or nullptr.
xmlNode* FirstChildElement(xmlNode* parent, std::string_view ns, std::string_view local_name);
// The first child element whatever its name, or nullptr.
xmlNode* FirstChildElement(xmlNode* parent);
// The attribute's value (no namespace), or "" when absent.
std::string AttributeValue(const xmlNode* node, std::string_view name);
// The text content, leading and trailing whitespace removed; "" for nullptr.
std::string TrimmedText(const xmlNode* node);

const xmlChar* XmlText(const char* text);

}  // namespace navette::adapters::dmp::soap
