// Writes ebRIM 3.0 registry objects with libxml2 (never by pasting
// strings: every value is escaped by the tree). Knows the vocabulary
// (Slot, Classification, ExternalIdentifier, Association) and the element
// order rim.xsd imposes on a RegistryObject:
//   Slot*, Name?, Description?, VersionInfo?, Classification*, ExternalIdentifier*
// Callers add children in that order; the schema check in the tests catches
// a slip.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

inline constexpr char kRimNamespace[] = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";
inline constexpr char kLcmNamespace[] = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";
inline constexpr char kXdsbNamespace[] = "urn:ihe:iti:xds-b:2007";
inline constexpr char kXopNamespace[] = "http://www.w3.org/2004/08/xop/include";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// One document being written. Ids of classifications, external identifiers
// and associations are symbolic and numbered ("cl1", "ei1", "as1"): unique
// within the request, which is all ebRS asks of them; the registry assigns
// their UUIDs.
class RimWriter {
 public:
  // A new document whose root is <prefix:root_name> in `root_namespace`,
  // declaring rim (and lcm when different from the root's).
  RimWriter(std::string_view root_namespace, std::string_view prefix, std::string_view root_name);

  xmlNode* root() const { return root_; }
  xmlNs* rim() const { return rim_; }
  xmlNs* lcm() const { return lcm_; }

  // <ns:name/> under `parent`.
  xmlNode* Element(xmlNode* parent, xmlNs* ns, std::string_view name);
  static void SetAttribute(xmlNode* node, std::string_view name, std::string_view value);

  // <rim:Slot name=...><rim:ValueList><rim:Value>v</rim:Value>...; nothing
  // when `values` is empty.
  void Slot(xmlNode* parent, std::string_view name, const std::vector<std::string>& values);
  // <rim:Name> / <rim:Description> with one LocalizedString (xml:lang fr-FR);
  // nothing for an empty text.
  void Name(xmlNode* parent, std::string_view text);
  void Description(xmlNode* parent, std::string_view text);

  // A coded classification: nodeRepresentation, codingScheme slot, Name.
  xmlNode* CodedClassification(xmlNode* parent, std::string_view scheme,
                               std::string_view classified, const Code& code);
  // The author classification (nodeRepresentation ""), with its slots.
  xmlNode* AuthorClassification(xmlNode* parent, std::string_view scheme,
                                std::string_view classified, const Author& author);
  // A classification by node (the submission set's "is a SubmissionSet").
  xmlNode* NodeClassification(xmlNode* parent, std::string_view node, std::string_view classified);
  xmlNode* ExternalIdentifier(xmlNode* parent, std::string_view scheme,
                              std::string_view registry_object, std::string_view value,
                              std::string_view name);
  xmlNode* Association(xmlNode* parent, std::string_view type, std::string_view source,
                       std::string_view target);

  // The document, UTF-8 with its XML declaration, indented.
  std::string Serialize() const;
  XmlDocPtr Release() { return std::move(doc_); }

 private:
  std::string NextId(std::string_view prefix);

  XmlDocPtr doc_;
  xmlNode* root_ = nullptr;
  xmlNs* rim_ = nullptr;
  xmlNs* lcm_ = nullptr;
  int next_id_ = 1;
};

}  // namespace navette::adapters::dmp::xds
