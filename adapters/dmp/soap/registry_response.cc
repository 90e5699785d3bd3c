#include "adapters/dmp/soap/registry_response.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/soap_xml.h"

namespace navette::adapters::dmp::soap {
namespace {

constexpr char kSuccess[] = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success";
constexpr char kFailure[] = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure";
constexpr char kPartialSuccess[] = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess";

std::string LocalPart(std::string qname) {
  const size_t colon = qname.rfind(':');
  return colon == std::string::npos ? qname : qname.substr(colon + 1);
}

// SOAP 1.1 puts faultcode and faultstring in no namespace.
xmlNode* ChildInNoNamespace(xmlNode* parent, std::string_view local_name) {
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && child->ns == nullptr &&
        std::string_view(reinterpret_cast<const char*>(child->name)) == local_name) {
      return child;
    }
  }
  return nullptr;
}

SoapFault ReadFault12(xmlNode* fault) {
  SoapFault result;
  result.version = SoapVersion::k12;
  xmlNode* code = FirstChildElement(fault, kSoap12Namespace, "Code");
  result.code = LocalPart(TrimmedText(FirstChildElement(code, kSoap12Namespace, "Value")));
  for (xmlNode* sub = FirstChildElement(code, kSoap12Namespace, "Subcode"); sub != nullptr;
       sub = FirstChildElement(sub, kSoap12Namespace, "Subcode")) {
    result.subcodes.push_back(
        LocalPart(TrimmedText(FirstChildElement(sub, kSoap12Namespace, "Value"))));
  }
  xmlNode* reason = FirstChildElement(fault, kSoap12Namespace, "Reason");
  result.reason = TrimmedText(FirstChildElement(reason, kSoap12Namespace, "Text"));
  return result;
}

SoapFault ReadFault11(xmlNode* fault) {
  SoapFault result;
  result.version = SoapVersion::k11;
  result.code = LocalPart(TrimmedText(ChildInNoNamespace(fault, "faultcode")));
  result.reason = TrimmedText(ChildInNoNamespace(fault, "faultstring"));
  return result;
}

}  // namespace

bool RegistryError::IsWarning() const { return absl::EndsWith(severity, ":Warning"); }

std::string_view RegistryStatusName(RegistryStatus status) {
  switch (status) {
    case RegistryStatus::kSuccess:
      return "Success";
    case RegistryStatus::kFailure:
      return "Failure";
    case RegistryStatus::kPartialSuccess:
      return "PartialSuccess";
  }
  return "?";
}

absl::StatusOr<DmpResponse> ParseDmpResponse(std::string_view soap_xml) {
  absl::StatusOr<XmlDocPtr> doc = ParseXml(soap_xml, "DMP response");
  if (!doc.ok()) return doc.status();
  xmlNode* envelope = xmlDocGetRootElement(doc->get());
  const char* ns = nullptr;
  if (IsElement(envelope, kSoap12Namespace, "Envelope")) {
    ns = kSoap12Namespace;
  } else if (IsElement(envelope, kSoap11Namespace, "Envelope")) {
    ns = kSoap11Namespace;
  } else {
    return absl::InvalidArgumentError(
        "DMP response: the root is not a SOAP 1.2 or SOAP 1.1 Envelope");
  }
  DmpResponse response;
  xmlNode* header = FirstChildElement(envelope, ns, "Header");
  response.relates_to = TrimmedText(FirstChildElement(header, kWsaNamespace, "RelatesTo"));
  xmlNode* body = FirstChildElement(envelope, ns, "Body");
  if (body == nullptr) return absl::InvalidArgumentError("DMP response: the Envelope has no Body");

  if (xmlNode* fault = FirstChildElement(body, ns, "Fault"); fault != nullptr) {
    response.fault = ns == kSoap12Namespace ? ReadFault12(fault) : ReadFault11(fault);
    return response;
  }
  xmlNode* registry = FirstChildElement(body, kRsNamespace, "RegistryResponse");
  if (registry == nullptr) {
    xmlNode* first = FirstChildElement(body);
    return absl::InvalidArgumentError(absl::StrCat(
        "DMP response: the Body holds ",
        first == nullptr ? std::string("nothing")
                         : absl::StrCat("<", reinterpret_cast<const char*>(first->name), ">"),
        ", neither a Fault nor an rs:RegistryResponse"));
  }
  const std::string status = AttributeValue(registry, "status");
  if (status == kSuccess) {
    response.status = RegistryStatus::kSuccess;
  } else if (status == kFailure) {
    response.status = RegistryStatus::kFailure;
  } else if (status == kPartialSuccess) {
    response.status = RegistryStatus::kPartialSuccess;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("DMP response: unknown RegistryResponse status \"", status, "\""));
  }
  xmlNode* list = FirstChildElement(registry, kRsNamespace, "RegistryErrorList");
  for (xmlNode* item = list == nullptr ? nullptr : list->children; item != nullptr;
       item = item->next) {
    if (!IsElement(item, kRsNamespace, "RegistryError")) continue;
    response.errors.push_back({.error_code = AttributeValue(item, "errorCode"),
                               .code_context = AttributeValue(item, "codeContext"),
                               .severity = AttributeValue(item, "severity"),
                               .location = AttributeValue(item, "location")});
  }
  return response;
}

}  // namespace navette::adapters::dmp::soap
