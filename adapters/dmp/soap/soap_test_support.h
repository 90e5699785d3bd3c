// Test helpers: XPath over an envelope (prefixes soap, soap11, wsa, wsse,
// saml2, xdsb, xop, rs) and the testdata/ fixtures.
#pragma once

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <fstream>
#include <sstream>
#include <string>

#include "adapters/dmp/soap/soap_xml.h"

namespace navette::adapters::dmp::soap::testing {

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(NAVETTE_SOAP_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Evaluates XPath expressions against one parsed document.
class XPathProbe {
 public:
  explicit XPathProbe(const std::string& xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "probe.xml", nullptr,
                           XML_PARSE_NONET)),
        context_(doc_ ? xmlXPathNewContext(doc_) : nullptr) {
    if (context_ == nullptr) return;
    const char* prefixes[][2] = {{"soap", kSoap12Namespace}, {"soap11", kSoap11Namespace},
                                 {"wsa", kWsaNamespace},     {"wsse", kWsseNamespace},
                                 {"saml2", kSamlNamespace},  {"xop", kXopNamespace},
                                 {"rs", kRsNamespace},       {"xdsb", "urn:ihe:iti:xds-b:2007"}};
    for (auto& [prefix, uri] : prefixes) {
      xmlXPathRegisterNs(context_, XmlText(prefix), XmlText(uri));
    }
  }
  ~XPathProbe() {
    if (context_ != nullptr) xmlXPathFreeContext(context_);
    if (doc_ != nullptr) xmlFreeDoc(doc_);
  }
  XPathProbe(const XPathProbe&) = delete;
  XPathProbe& operator=(const XPathProbe&) = delete;

  bool parsed() const { return context_ != nullptr; }
  // string(expression)
  std::string String(const std::string& expression) const {
    return Evaluate("string(" + expression + ")");
  }
  // count(expression) as text ("1", "0", …)
  std::string Count(const std::string& expression) const {
    return Evaluate("count(" + expression + ")");
  }

 private:
  std::string Evaluate(const std::string& expression) const {
    if (context_ == nullptr) return "<no document>";
    xmlXPathObject* result = xmlXPathEvalExpression(XmlText(expression.c_str()), context_);
    if (result == nullptr) return "<bad xpath>";
    xmlChar* text = xmlXPathCastToString(result);
    std::string value(reinterpret_cast<const char*>(text));
    xmlFree(text);
    xmlXPathFreeObject(result);
    return value;
  }

  xmlDoc* doc_;
  xmlXPathContext* context_;
};

}  // namespace navette::adapters::dmp::soap::testing
