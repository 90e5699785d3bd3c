#include "adapters/dmp/vihf/vihf_xml.h"

#include <climits>
#include <vector>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::vihf {
namespace {

const xmlChar* Xml(std::string_view text) { return reinterpret_cast<const xmlChar*>(text.data()); }

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

void CollectAssertions(xmlNode* node, std::vector<xmlNode*>& found) {
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (IsElement(child, kSamlNamespace, "Assertion")) found.push_back(child);
    CollectAssertions(child->children, found);
  }
}

}  // namespace

absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("VIHF XML: document too large");
  }
  EnsureLibXmlReady();
  xmlResetLastError();
  XmlDocPtr doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "vihf.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) {
    const xmlError* error = xmlGetLastError();
    std::string message =
        error != nullptr && error->message != nullptr ? error->message : "unknown";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::InvalidArgumentError(absl::StrCat("VIHF XML is not well-formed: ", message,
                                                   " at line ", error ? error->line : 0));
  }
  return doc;
}

bool IsElement(const xmlNode* node, std::string_view ns, std::string_view local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && View(node->name) == local_name &&
         node->ns != nullptr && View(node->ns->href) == ns;
}

xmlNode* FirstChildElement(xmlNode* parent, std::string_view ns, std::string_view local_name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (IsElement(child, ns, local_name)) return child;
  }
  return nullptr;
}

std::string AttributeValue(const xmlNode* node, std::string_view name) {
  xmlChar* value = xmlGetNoNsProp(node, Xml(std::string(name)));
  std::string result(View(value));
  xmlFree(value);
  return result;
}

std::string TextContent(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string result(View(content));
  xmlFree(content);
  return result;
}

absl::StatusOr<xmlNode*> FindAssertion(xmlDoc* doc) {
  std::vector<xmlNode*> found;
  CollectAssertions(xmlDocGetRootElement(doc), found);
  if (found.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no Assertion element in namespace ", kSamlNamespace));
  }
  if (found.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(found.size(), " Assertion elements where one VIHF is expected"));
  }
  return found.front();
}

absl::Status RegisterId(xmlDoc* doc, xmlAttr* id_attribute) {
  xmlChar* value = xmlNodeListGetString(doc, id_attribute->children, 1);
  const std::string id(View(value));
  xmlFree(value);
  if (id.empty()) return absl::InvalidArgumentError("Assertion/@ID is empty");
  xmlAttr* existing = xmlGetID(doc, Xml(id));
  if (existing == id_attribute) return absl::OkStatus();
  if (existing != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Assertion/@ID \"", id, "\" is also the ID of another element"));
  }
  if (xmlAddID(nullptr, doc, Xml(id), id_attribute) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot register Assertion/@ID \"", id, "\""));
  }
  return absl::OkStatus();
}

std::string SerializeElement(xmlNode* element) {
  xmlBuffer* buffer = xmlBufferCreate();
  xmlSaveCtxt* save = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_NO_DECL);
  xmlSaveTree(save, element);
  xmlSaveClose(save);
  std::string bytes(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                    static_cast<size_t>(xmlBufferLength(buffer)));
  xmlBufferFree(buffer);
  return bytes;
}

}  // namespace navette::adapters::dmp::vihf
