#include "adapters/dmp/vihf/vihf_builder.h"

#include <time.h>

#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::vihf {
namespace {

const xmlChar* Xml(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

// libxml2 wants NUL-terminated strings; names arrive as string views.
xmlNode* AddElement(xmlNode* parent, xmlNs* ns, std::string_view name,
                    const std::string& text = {}) {
  // xmlNewTextChild escapes the text (a resource-id holds '&').
  return xmlNewTextChild(parent, ns, Xml(std::string(name)), text.empty() ? nullptr : Xml(text));
}

void SetAttribute(xmlNode* node, std::string_view name, const std::string& value) {
  xmlSetProp(node, Xml(std::string(name)), Xml(value));
}

// <saml2:Attribute Name="…"><saml2:AttributeValue>value</…></…>
void AddStringAttribute(xmlNode* statement, xmlNs* saml, std::string_view name,
                        const std::string& value) {
  xmlNode* attribute = AddElement(statement, saml, "Attribute");
  SetAttribute(attribute, "Name", std::string(name));
  AddElement(attribute, saml, "AttributeValue", value);
}

// <saml2:Attribute Name="…"><saml2:AttributeValue>
//   <element xmlns="urn:hl7-org:v3" code codeSystem [codeSystemName]
//            displayName xsi:type="CE"/>
struct CodedValue {
  std::string code;
  std::string code_system;
  std::string code_system_name;
  std::string display_name;
};

void AddCodedAttribute(xmlNode* statement, xmlNs* saml, xmlNs* xsi, std::string_view name,
                       std::string_view element, const CodedValue& value) {
  xmlNode* attribute = AddElement(statement, saml, "Attribute");
  SetAttribute(attribute, "Name", std::string(name));
  xmlNode* attribute_value = AddElement(attribute, saml, "AttributeValue");
  xmlNode* coded = xmlNewChild(attribute_value, nullptr, Xml(std::string(element)), nullptr);
  xmlSetNs(coded, xmlNewNs(coded, Xml(std::string(kHl7Namespace)), nullptr));
  SetAttribute(coded, "code", value.code);
  SetAttribute(coded, "codeSystem", value.code_system);
  if (!value.code_system_name.empty()) {
    SetAttribute(coded, "codeSystemName", value.code_system_name);
  }
  if (!value.display_name.empty()) SetAttribute(coded, "displayName", value.display_name);
  xmlSetNsProp(coded, xsi, Xml(std::string("type")), Xml(std::string("CE")));
}

// An NCName close enough for an ID: a letter or '_' first, then letters,
// digits, '.', '-', '_' (ASCII; the samples' `_` + UUID fits).
bool IsNcName(std::string_view id) {
  if (id.empty() || !(std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_')) {
    return false;
  }
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> InputProblems(const VihfSettings& settings, const VihfRequest& request) {
  std::vector<std::string> problems;
  auto require = [&problems](const std::string& value, const char* field) {
    if (value.empty()) problems.push_back(absl::StrCat(field, " is empty"));
  };
  require(settings.authentication_mode_attribute, "settings.authentication_mode_attribute");
  require(settings.authentication_mode, "settings.authentication_mode");
  require(settings.vihf_version, "settings.vihf_version");
  require(settings.role_code, "settings.role_code");
  require(settings.role_code_system, "settings.role_code_system");
  require(settings.activity_sector_code, "settings.activity_sector_code");
  require(settings.activity_sector_code_system, "settings.activity_sector_code_system");
  require(settings.software_name, "settings.software_name");
  require(settings.software_version, "settings.software_version");
  require(settings.homologation_number, "settings.homologation_number");
  require(settings.purpose_of_use_code, "settings.purpose_of_use_code");
  require(settings.purpose_of_use_code_system, "settings.purpose_of_use_code_system");
  require(settings.authn_context_class, "settings.authn_context_class");
  if (settings.validity.count() < 0 || settings.clock_skew.count() < 0) {
    problems.push_back("settings.validity and settings.clock_skew must not be negative");
  }
  if (!IsNcName(request.assertion_id)) {
    problems.push_back(absl::StrCat("request.assertion_id \"", request.assertion_id,
                                    "\" is not an NCName (e.g. _ followed by a UUID)"));
  }
  require(request.issuer_dn, "request.issuer_dn");
  require(request.structure_id, "request.structure_id");
  require(request.responsible_id, "request.responsible_id");
  require(request.responsible_name, "request.responsible_name");
  require(request.patient_ins_oid, "request.patient_ins_oid");
  if (request.patient_ins.size() != 15) {
    problems.push_back(absl::StrCat("request.patient_ins \"", request.patient_ins,
                                    "\" is not a 15-character INS matricule"));
  }
  if (request.issue_instant.time_since_epoch().count() <= 0) {
    problems.push_back("request.issue_instant is not set");
  }
  return problems;
}

}  // namespace

absl::StatusOr<std::string> StructureIdFromFiness(std::string_view finess) {
  bool alphanumeric = true;
  for (char c : finess) alphanumeric = alphanumeric && std::isalnum(static_cast<unsigned char>(c));
  if (finess.size() != 9 || !alphanumeric) {
    return absl::InvalidArgumentError(
        absl::StrCat("FINESS \"", std::string(finess), "\" is not 9 letters or digits"));
  }
  return absl::StrCat("1", std::string(finess));
}

std::string InsResourceId(std::string_view ins, std::string_view oid) {
  return absl::StrCat(std::string(ins), "^^^&", std::string(oid), "&ISO^NH");
}

std::string SamlInstant(std::chrono::system_clock::time_point instant) {
  const auto millis =
      std::chrono::floor<std::chrono::milliseconds>(instant.time_since_epoch()).count();
  const time_t seconds = static_cast<time_t>(millis / 1000 - (millis % 1000 < 0 ? 1 : 0));
  const int64_t fraction = ((millis % 1000) + 1000) % 1000;
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                         utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                         static_cast<int>(fraction));
}

absl::StatusOr<XmlDocPtr> BuildVihfAssertion(const VihfSettings& settings,
                                             const VihfRequest& request) {
  EnsureLibXmlReady();
  if (std::vector<std::string> problems = InputProblems(settings, request); !problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot build the VIHF: ", absl::StrJoin(problems, "; ")));
  }
  XmlDocPtr doc(xmlNewDoc(Xml(std::string("1.0"))));
  // Declared UTF-8 so that serialisation writes "Accès" as is, like the
  // samples, rather than as a character reference (same canonical form).
  doc->encoding = xmlStrdup(Xml(std::string("UTF-8")));
  xmlNode* assertion = xmlNewDocNode(doc.get(), nullptr, Xml(std::string("Assertion")), nullptr);
  xmlDocSetRootElement(doc.get(), assertion);
  xmlNs* saml =
      xmlNewNs(assertion, Xml(std::string(kSamlNamespace)), Xml(std::string(kSamlPrefix)));
  xmlNs* xsi = xmlNewNs(assertion, Xml(std::string(kXsiNamespace)), Xml(std::string("xsi")));
  xmlSetNs(assertion, saml);

  const std::string issue_instant = SamlInstant(request.issue_instant);
  xmlAttr* id = xmlSetProp(assertion, Xml(std::string("ID")), Xml(request.assertion_id));
  SetAttribute(assertion, "IssueInstant", issue_instant);
  SetAttribute(assertion, "Version", "2.0");
  if (absl::Status registered = RegisterId(doc.get(), id); !registered.ok()) return registered;

  xmlNode* issuer = AddElement(assertion, saml, "Issuer", request.issuer_dn);
  SetAttribute(issuer, "Format", std::string(kX509SubjectNameFormat));

  xmlNode* subject = AddElement(assertion, saml, "Subject");
  AddElement(subject, saml, "NameID", request.responsible_id);

  if (settings.validity.count() > 0) {
    xmlNode* conditions = AddElement(assertion, saml, "Conditions");
    SetAttribute(conditions, "NotBefore", SamlInstant(request.issue_instant - settings.clock_skew));
    SetAttribute(conditions, "NotOnOrAfter",
                 SamlInstant(request.issue_instant + settings.validity));
  }

  xmlNode* authn = AddElement(assertion, saml, "AuthnStatement");
  SetAttribute(authn, "AuthnInstant", issue_instant);
  xmlNode* context = AddElement(authn, saml, "AuthnContext");
  AddElement(context, saml, "AuthnContextClassRef", settings.authn_context_class);

  xmlNode* statement = AddElement(assertion, saml, "AttributeStatement");
  AddStringAttribute(statement, saml, kAttrStructureId, request.structure_id);
  AddStringAttribute(
      statement, saml, kAttrActivitySector,
      absl::StrCat(settings.activity_sector_code, "^", settings.activity_sector_code_system));
  AddStringAttribute(statement, saml, kAttrSubjectId, request.responsible_name);
  AddCodedAttribute(
      statement, saml, xsi, kAttrRole, "Role",
      {settings.role_code, settings.role_code_system, "", settings.role_display_name});
  AddStringAttribute(statement, saml, kAttrVihfVersion, settings.vihf_version);
  AddStringAttribute(statement, saml, settings.authentication_mode_attribute,
                     settings.authentication_mode);
  AddStringAttribute(statement, saml, kAttrResourceId,
                     InsResourceId(request.patient_ins, request.patient_ins_oid));
  AddStringAttribute(statement, saml, kAttrResourceUrn, std::string(kResourceUrnDmp));
  AddCodedAttribute(
      statement, saml, xsi, kAttrPurposeOfUse, "PurposeOfUse",
      {settings.purpose_of_use_code, settings.purpose_of_use_code_system,
       settings.purpose_of_use_code_system_name, settings.purpose_of_use_display_name});
  if (!settings.software_id.empty()) {
    AddStringAttribute(statement, saml, kAttrSoftwareId, settings.software_id);
  }
  AddStringAttribute(statement, saml, kAttrSoftwareName, settings.software_name);
  AddStringAttribute(statement, saml, kAttrSoftwareVersion, settings.software_version);
  AddStringAttribute(statement, saml, kAttrHomologation, settings.homologation_number);
  if (!request.access_reason.empty()) {
    AddStringAttribute(statement, saml, kAttrAccessReason, request.access_reason);
  }
  return doc;
}

}  // namespace navette::adapters::dmp::vihf
