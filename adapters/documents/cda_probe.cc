#include "adapters/documents/cda_probe.h"

#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>

namespace navette::adapters::documents {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

bool Named(const xmlNode* node, std::string_view name) {
  return node->type == XML_ELEMENT_NODE &&
         std::string_view(reinterpret_cast<const char*>(node->name)) == name;
}

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* node = parent->children; node != nullptr; node = node->next) {
    if (Named(node, name)) return node;
  }
  return nullptr;
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

}  // namespace

absl::StatusOr<CdaProbe> ProbeCda(std::string_view bytes) {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "document.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
  if (doc == nullptr) return absl::InvalidArgumentError("the decoded content is not XML");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !Named(root, "ClinicalDocument")) {
    return absl::InvalidArgumentError(
        "the decoded XML is not a CDA R2 (root is not ClinicalDocument)");
  }
  CdaProbe probe;
  if (const xmlNode* id = Child(root, "id"); id != nullptr) {
    probe.id = Attribute(id, "root");
    if (std::string extension = Attribute(id, "extension"); !extension.empty()) {
      probe.id += "^" + extension;
    }
  }
  const xmlNode* component = Child(root, "component");
  if (component != nullptr && Child(component, "structuredBody") != nullptr) {
    probe.kind = navette::document::Part::CDA_N3;
  } else if (component != nullptr && Child(component, "nonXMLBody") != nullptr) {
    probe.kind = navette::document::Part::CDA_N1;
  } else {
    return absl::InvalidArgumentError(
        "the CDA has no body (component/nonXMLBody or component/structuredBody)");
  }
  return probe;
}

}  // namespace navette::adapters::documents
