#include "adapters/dmp/soap/soap_xml.h"

#include <climits>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::soap {
namespace {

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

}  // namespace

const xmlChar* XmlText(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

absl::StatusOr<XmlDocPtr> ParseXml(std::string_view bytes, std::string_view what) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": XML too large"));
  }
  EnsureLibXmlReady();
  xmlResetLastError();
  XmlDocPtr doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "soap.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) {
    const xmlError* error = xmlGetLastError();
    std::string message =
        error != nullptr && error->message != nullptr ? error->message : "unknown";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " is not well-formed XML: ",
                                                   message, " at line ", error ? error->line : 0));
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

xmlNode* FirstChildElement(xmlNode* parent) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) return child;
  }
  return nullptr;
}

std::string AttributeValue(const xmlNode* node, std::string_view name) {
  xmlChar* value = xmlGetNoNsProp(node, XmlText(std::string(name).c_str()));
  std::string result(View(value));
  xmlFree(value);
  return result;
}

std::string TrimmedText(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  std::string result(absl::StripAsciiWhitespace(std::string(View(content))));
  xmlFree(content);
  return result;
}

}  // namespace navette::adapters::dmp::soap
