// Small RAII and building helpers over libxml2's tree API for the CDA code:
// documents freed by a unique_ptr, HL7 v3 elements added in the document's
// default namespace, text always escaped, UTF-8 serialisation.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <libxml/tree.h>

#include "absl/status/statusor.h"

namespace navette::routes::cda {

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

inline constexpr std::string_view kHl7Namespace = "urn:hl7-org:v3";

using Attributes = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// A new document whose root is <ClinicalDocument xmlns="urn:hl7-org:v3">.
XmlDocPtr NewClinicalDocument();

// Appends <name attrs...>text</name> to `parent`, in the parent's namespace;
// attributes with an empty value are left out.
xmlNode* Add(xmlNode* parent, std::string_view name, Attributes attributes = {},
             std::string_view text = {});
// The same element, not yet placed (for xmlAddPrevSibling/xmlAddNextSibling).
xmlNode* Make(xmlNode* like, std::string_view name, Attributes attributes = {},
              std::string_view text = {});
void SetAttribute(xmlNode* node, std::string_view name, std::string_view value);

// Element navigation by local name in the HL7 namespace.
bool Is(const xmlNode* node, std::string_view local_name);
xmlNode* FirstChild(xmlNode* parent, std::string_view local_name);
xmlNode* LastElementChild(xmlNode* parent);
std::string Attribute(const xmlNode* node, std::string_view name);
std::string Text(const xmlNode* node);

// Parses an XML document (no network, no entity expansion, huge text nodes
// allowed: a CDA carries its PDF in one). The error names libxml2's
// message and line.
absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes);

// The document in UTF-8 with its XML declaration; `indent` for documents
// navette builds (a completed document keeps its own layout).
std::string Serialize(xmlDoc* doc, bool indent);

}  // namespace navette::routes::cda
