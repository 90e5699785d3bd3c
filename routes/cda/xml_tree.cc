#include "routes/cda/xml_tree.h"

#include <cstring>

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

namespace navette::routes::cda {
namespace {

const xmlChar* X(std::string_view text, std::string& storage) {
  storage.assign(text);
  return reinterpret_cast<const xmlChar*>(storage.c_str());
}

void SetAll(xmlNode* node, Attributes attributes) {
  for (const auto& [name, value] : attributes) {
    if (!value.empty()) SetAttribute(node, name, value);
  }
}

}  // namespace

XmlDocPtr NewClinicalDocument() {
  XmlDocPtr doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr,
                                reinterpret_cast<const xmlChar*>("ClinicalDocument"), nullptr);
  std::string storage;
  xmlNs* ns = xmlNewNs(root, X(kHl7Namespace, storage), nullptr);
  xmlSetNs(root, ns);
  xmlDocSetRootElement(doc.get(), root);
  return doc;
}

xmlNode* Make(xmlNode* like, std::string_view name, Attributes attributes, std::string_view text) {
  std::string name_storage;
  std::string text_storage;
  xmlNode* node = xmlNewDocNode(like->doc, like->ns, X(name, name_storage), nullptr);
  SetAll(node, attributes);
  // xmlNodeAddContentLen escapes nothing by itself: the text node is raw
  // content, escaped by the serialiser.
  if (!text.empty())
    xmlNodeAddContentLen(node, X(text, text_storage), static_cast<int>(text.size()));
  return node;
}

xmlNode* Add(xmlNode* parent, std::string_view name, Attributes attributes, std::string_view text) {
  return xmlAddChild(parent, Make(parent, name, attributes, text));
}

void SetAttribute(xmlNode* node, std::string_view name, std::string_view value) {
  std::string name_storage;
  std::string value_storage;
  xmlSetProp(node, X(name, name_storage), X(value, value_storage));
}

bool Is(const xmlNode* node, std::string_view local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         kHl7Namespace == reinterpret_cast<const char*>(node->ns->href) &&
         local_name == reinterpret_cast<const char*>(node->name);
}

xmlNode* FirstChild(xmlNode* parent, std::string_view local_name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (Is(child, local_name)) return child;
  }
  return nullptr;
}

xmlNode* LastElementChild(xmlNode* parent) {
  xmlNode* last = nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) last = child;
  }
  return last;
}

std::string Attribute(const xmlNode* node, std::string_view name) {
  if (node == nullptr) return {};
  std::string name_storage(name);
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name_storage.c_str()));
  if (value == nullptr) return {};
  std::string result(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return result;
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return {};
  std::string result(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return result;
}

absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes) {
  xmlParserCtxt* context = xmlNewParserCtxt();
  if (context == nullptr) return absl::ResourceExhaustedError("libxml2: no parser context");
  XmlDocPtr doc(xmlCtxtReadMemory(
      context, bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr,
      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  std::string error;
  if (doc == nullptr) {
    const xmlError* last = xmlCtxtGetLastError(context);
    error = last != nullptr && last->message != nullptr
                ? fmt::format("line {}: {}", last->line, last->message)
                : std::string("unreadable XML");
    while (!error.empty() && error.back() == '\n') error.pop_back();
  }
  xmlFreeParserCtxt(context);
  if (doc == nullptr) return absl::InvalidArgumentError("the CDA is not well-formed XML: " + error);
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return absl::InvalidArgumentError("the CDA has no root element");
  }
  return doc;
}

std::string Serialize(xmlDoc* doc, bool indent) {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", indent ? 1 : 0);
  std::string result(reinterpret_cast<const char*>(buffer), static_cast<size_t>(size));
  xmlFree(buffer);
  return result;
}

}  // namespace navette::routes::cda
