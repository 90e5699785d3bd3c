// libxml2 plumbing shared by the VIHF files: an owning document handle, a
// safe parser, exact-namespace navigation, and serialisation of one element
// without re-indenting it (a signed assertion must travel as signed).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libxml/tree.h>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::vihf {

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// Parses XML bytes with no network access, no DTD loading and no entity
// substitution (the bytes come from a peer). The error carries libxml2's
// message and line.
absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes);

// `node` is an element named `local_name` in namespace `ns`.
bool IsElement(const xmlNode* node, std::string_view ns, std::string_view local_name);
// The first child element named so, or nullptr.
xmlNode* FirstChildElement(xmlNode* parent, std::string_view ns, std::string_view local_name);
// The attribute's value (no namespace), or "" when absent.
std::string AttributeValue(const xmlNode* node, std::string_view name);
// The concatenated text content of the node.
std::string TextContent(const xmlNode* node);

// The only saml2:Assertion in the document: the root itself or one nested
// in an envelope (wsse:Security). None or several is an error.
absl::StatusOr<xmlNode*> FindAssertion(xmlDoc* doc);

// Makes `id_attribute` (the Assertion's ID) an XML ID of the document, so
// that a signature reference "#<value>" resolves to its element. Fails when
// the value is already the ID of another element (signature wrapping).
absl::Status RegisterId(xmlDoc* doc, xmlAttr* id_attribute);

// The element as UTF-8 bytes, without an XML declaration and without
// reformatting.
std::string SerializeElement(xmlNode* element);

}  // namespace navette::adapters::dmp::vihf
