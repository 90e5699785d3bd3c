#include "routes/codes/cda_codes.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include "common/fmt_absl.h"

namespace navette::routes::codes {
namespace {

constexpr const char* kHl7Ns = "urn:hl7-org:v3";
const xmlChar* X(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

struct FreeDoc {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct FreeXPathContext {
  void operator()(xmlXPathContext* context) const { xmlXPathFreeContext(context); }
};
struct FreeXPathObject {
  void operator()(xmlXPathObject* object) const { xmlXPathFreeObject(object); }
};

std::string Attribute(xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, X(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

bool IsHl7Element(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrEqual(node->ns->href, X(kHl7Ns)) && xmlStrEqual(node->name, X(name));
}

// The attributes of a coded element that describe its code.
constexpr const char* kCodeAttributes[] = {"code", "codeSystem", "codeSystemName",
                                           "codeSystemVersion", "displayName"};

void SetLoinc(xmlNode* code, const Loinc& loinc) {
  for (const char* name : kCodeAttributes) xmlUnsetProp(code, X(name));
  xmlUnsetProp(code, X("nullFlavor"));
  xmlSetProp(code, X("code"), X(loinc.code.c_str()));
  xmlSetProp(code, X("codeSystem"), X(std::string(kLoincOid).c_str()));
  xmlSetProp(code, X("codeSystemName"), X("LOINC"));
  xmlSetProp(code, X("displayName"), X(loinc.display.c_str()));
}

// One observation/code.
void MapCode(xmlNode* code, const LoincTable& table, MappedCodes& found) {
  std::vector<xmlNode*> local;  // translations with a local code
  for (xmlNode* child = code->children; child != nullptr; child = child->next) {
    if (!IsHl7Element(child, "translation") || Attribute(child, "code").empty()) continue;
    if (Attribute(child, "codeSystem") == kLoincOid) return;  // it has its LOINC already
    local.push_back(child);
  }
  const std::string own = Attribute(code, "code");
  if (!own.empty()) {
    const std::string system = Attribute(code, "codeSystem");
    if (system == kLoincOid) return;
    const Loinc* loinc = table.Find(system, own);
    if (loinc == nullptr) {
      found.AddUnmapped(own);
      return;
    }
    // The local code becomes the last translation.
    xmlNode* translation = xmlNewChild(code, code->ns, X("translation"), nullptr);
    for (const char* name : kCodeAttributes) {
      if (std::string value = Attribute(code, name); !value.empty()) {
        xmlSetProp(translation, X(name), X(value.c_str()));
      }
    }
    SetLoinc(code, *loinc);
    ++found.mapped;
    return;
  }
  // No code of its own: the local code is in a translation.
  for (xmlNode* translation : local) {
    if (const Loinc* loinc =
            table.Find(Attribute(translation, "codeSystem"), Attribute(translation, "code"))) {
      SetLoinc(code, *loinc);
      ++found.mapped;
      return;
    }
  }
  for (xmlNode* translation : local) found.AddUnmapped(Attribute(translation, "code"));
}

}  // namespace

absl::StatusOr<MappedCodes> MapCdaCodes(std::string_view xml, const LoincTable& table) {
  std::string parse_error;
  xmlParserCtxtPtr parser = xmlNewParserCtxt();
  if (parser == nullptr) return absl::ResourceExhaustedError("libxml2: no parser context");
  // XML_PARSE_HUGE: an N3 may carry a PDF copy larger than libxml2's
  // default 10 MB text node; entities are not expanded, the network unused.
  std::unique_ptr<xmlDoc, FreeDoc> doc(xmlCtxtReadMemory(
      parser, xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) {
    const xmlError* error = xmlCtxtGetLastError(parser);
    parse_error = error != nullptr && error->message != nullptr
                      ? fmt::format("line {}: {}", error->line, error->message)
                      : "unreadable";
  }
  xmlFreeParserCtxt(parser);
  if (doc == nullptr) {
    while (!parse_error.empty() && parse_error.back() == '\n') parse_error.pop_back();
    return absl::InvalidArgumentError(
        fmt::format("the CDA is not well-formed XML: {}", parse_error));
  }
  std::unique_ptr<xmlXPathContext, FreeXPathContext> context(xmlXPathNewContext(doc.get()));
  if (context == nullptr) return absl::ResourceExhaustedError("libxml2: no XPath context");
  xmlXPathRegisterNs(context.get(), X("hl7"), X(kHl7Ns));
  std::unique_ptr<xmlXPathObject, FreeXPathObject> codes(xmlXPathEvalExpression(
      X("/hl7:ClinicalDocument/hl7:component/hl7:structuredBody//hl7:observation/hl7:code"),
      context.get()));
  if (codes == nullptr) return absl::InternalError("libxml2: the XPath of the codes failed");
  MappedCodes found;
  if (xmlNodeSet* nodes = codes->nodesetval) {
    for (int i = 0; i < nodes->nodeNr; ++i) MapCode(nodes->nodeTab[i], table, found);
  }
  if (found.mapped == 0) return found;
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc.get(), &out, &size, "UTF-8");
  if (out == nullptr) return absl::ResourceExhaustedError("libxml2: the CDA cannot be written");
  found.output.assign(reinterpret_cast<const char*>(out), static_cast<size_t>(size));
  xmlFree(out);
  return found;
}

}  // namespace navette::routes::codes
