#include "tests/dmp-sim/dmp_responses.h"

#include <libxml/tree.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace navette::testing::dmp_sim {
namespace {

constexpr char kSoap12[] = "http://www.w3.org/2003/05/soap-envelope";
constexpr char kRs[] = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0";
constexpr char kSuccess[] = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success";
constexpr char kFailure[] = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure";
constexpr char kErrorSeverity[] = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error";
constexpr char kWarningSeverity[] = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning";

const xmlChar* X(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

// An envelope under construction: Header with Action and RelatesTo, an
// empty Body for the caller.
class EnvelopeWriter {
 public:
  EnvelopeWriter(std::string_view action, std::string_view relates_to) : doc_(xmlNewDoc(X("1.0"))) {
    xmlNode* envelope = xmlNewDocNode(doc_.get(), nullptr, X("Envelope"), nullptr);
    xmlDocSetRootElement(doc_.get(), envelope);
    soap_ = xmlNewNs(envelope, X(kSoap12), X("soap"));
    xmlSetNs(envelope, soap_);
    xmlNs* wsa = xmlNewNs(envelope, X(kWsaNamespace), X("wsa"));
    xmlNode* header = xmlNewChild(envelope, soap_, X("Header"), nullptr);
    xmlNode* action_node = Text(header, wsa, "Action", action);
    xmlNewNsProp(action_node, soap_, X("mustUnderstand"), X("1"));
    if (!relates_to.empty()) Text(header, wsa, "RelatesTo", relates_to);
    body_ = xmlNewChild(envelope, soap_, X("Body"), nullptr);
  }

  xmlNode* body() const { return body_; }
  xmlNs* soap() const { return soap_; }

  // <ns:name>text</ns:name>, the text escaped by the tree.
  static xmlNode* Text(xmlNode* parent, xmlNs* ns, const char* name, std::string_view text) {
    xmlNode* node = xmlNewChild(parent, ns, X(name), nullptr);
    xmlNodeAddContentLen(node, reinterpret_cast<const xmlChar*>(text.data()),
                         static_cast<int>(text.size()));
    return node;
  }
  static void Attribute(xmlNode* node, const char* name, std::string_view value) {
    xmlNewProp(node, X(name), X(std::string(value).c_str()));
  }

  std::string Serialize() const {
    xmlChar* buffer = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc_.get(), &buffer, &size, "UTF-8");
    std::string out(reinterpret_cast<const char*>(buffer), size > 0 ? size : 0);
    xmlFree(buffer);
    return out;
  }

 private:
  std::unique_ptr<xmlDoc, DocFree> doc_;
  xmlNs* soap_ = nullptr;
  xmlNode* body_ = nullptr;
};

}  // namespace

std::string WriteRegistryResponse(std::string_view action, std::string_view relates_to,
                                  const std::vector<XdsError>& errors,
                                  const std::vector<XdsError>& warnings) {
  EnvelopeWriter writer(action, relates_to);
  xmlNode* response = xmlNewChild(writer.body(), nullptr, X("RegistryResponse"), nullptr);
  xmlNs* rs = xmlNewNs(response, X(kRs), X("rs"));
  xmlSetNs(response, rs);
  EnvelopeWriter::Attribute(response, "status", errors.empty() ? kSuccess : kFailure);
  if (errors.empty() && warnings.empty()) return writer.Serialize();
  xmlNode* list = xmlNewChild(response, rs, X("RegistryErrorList"), nullptr);
  auto add = [list, rs](const XdsError& error, const char* severity) {
    xmlNode* node = xmlNewChild(list, rs, X("RegistryError"), nullptr);
    EnvelopeWriter::Attribute(node, "errorCode", error.code);
    EnvelopeWriter::Attribute(node, "codeContext", error.context);
    EnvelopeWriter::Attribute(node, "severity", severity);
    if (!error.location.empty()) EnvelopeWriter::Attribute(node, "location", error.location);
  };
  for (const XdsError& error : errors) add(error, kErrorSeverity);
  for (const XdsError& warning : warnings) add(warning, kWarningSeverity);
  return writer.Serialize();
}

std::string WriteSoapFault(std::string_view relates_to, const SoapFaultSpec& fault) {
  EnvelopeWriter writer(kSoapFaultAction, relates_to);
  xmlNs* soap = writer.soap();
  xmlNode* node = xmlNewChild(writer.body(), soap, X("Fault"), nullptr);
  xmlNode* code = xmlNewChild(node, soap, X("Code"), nullptr);
  EnvelopeWriter::Text(code, soap, "Value", absl::StrCat("soap:", fault.code));
  if (!fault.subcode.empty()) {
    xmlNode* subcode = xmlNewChild(code, soap, X("Subcode"), nullptr);
    xmlNode* value =
        EnvelopeWriter::Text(subcode, soap, "Value", absl::StrCat("sc:", fault.subcode));
    xmlNewNs(value, X(fault.subcode_namespace.c_str()), X("sc"));
  }
  xmlNode* reason = xmlNewChild(node, soap, X("Reason"), nullptr);
  xmlNode* text = EnvelopeWriter::Text(reason, soap, "Text", fault.reason);
  xmlNodeSetLang(text, X("fr"));
  return writer.Serialize();
}

}  // namespace navette::testing::dmp_sim
