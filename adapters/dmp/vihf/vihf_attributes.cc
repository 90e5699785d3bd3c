#include "adapters/dmp/vihf/vihf_attributes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/vihf_xml.h"

namespace navette::adapters::dmp::vihf {
namespace {

std::string ValueOf(xmlNode* attribute_value) {
  for (xmlNode* child = attribute_value->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) {
      return absl::StrCat(AttributeValue(child, "code"), "^", AttributeValue(child, "codeSystem"));
    }
  }
  return std::string(absl::StripAsciiWhitespace(TextContent(attribute_value)));
}

VihfAttributes CollectAttributes(xmlNode* assertion) {
  VihfAttributes attributes;
  for (xmlNode* statement = assertion->children; statement != nullptr;
       statement = statement->next) {
    if (!IsElement(statement, kSamlNamespace, "AttributeStatement")) continue;
    for (xmlNode* attribute = statement->children; attribute != nullptr;
         attribute = attribute->next) {
      if (!IsElement(attribute, kSamlNamespace, "Attribute")) continue;
      std::vector<std::string>& values = attributes[AttributeValue(attribute, "Name")];
      for (xmlNode* value = attribute->children; value != nullptr; value = value->next) {
        if (IsElement(value, kSamlNamespace, "AttributeValue")) values.push_back(ValueOf(value));
      }
    }
  }
  return attributes;
}

std::string ChildText(xmlNode* parent, std::initializer_list<std::string_view> path) {
  xmlNode* node = parent;
  for (std::string_view name : path) node = FirstChildElement(node, kSamlNamespace, name);
  return node == nullptr ? "" : std::string(absl::StripAsciiWhitespace(TextContent(node)));
}

// `<matricule>^^^&<oid>&ISO^NH`, the matricule 15 characters.
bool IsInsResourceId(std::string_view value) {
  const size_t separator = value.find("^^^&");
  if (separator != 15 || !value.ends_with("&ISO^NH")) return false;
  const std::string_view oid = value.substr(
      separator + 4, value.size() - separator - 4 - std::string_view("&ISO^NH").size());
  return !oid.empty() && oid.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

absl::StatusOr<VihfAttributes> ReadVihfAttributes(std::string_view xml) {
  absl::StatusOr<XmlDocPtr> doc = ParseXml(xml);
  if (!doc.ok()) return doc.status();
  absl::StatusOr<xmlNode*> assertion = FindAssertion(doc->get());
  if (!assertion.ok()) return assertion.status();
  return CollectAttributes(*assertion);
}

absl::Status CheckRequiredAttributes(std::string_view xml, const VihfSettings& settings) {
  absl::StatusOr<XmlDocPtr> doc = ParseXml(xml);
  if (!doc.ok()) return doc.status();
  absl::StatusOr<xmlNode*> assertion = FindAssertion(doc->get());
  if (!assertion.ok()) return assertion.status();
  const VihfAttributes attributes = CollectAttributes(*assertion);

  std::vector<std::string> problems;
  if (ChildText(*assertion, {"Issuer"}).empty()) problems.push_back("Issuer is missing or empty");
  if (ChildText(*assertion, {"Subject", "NameID"}).empty()) {
    problems.push_back("Subject/NameID is missing or empty");
  }
  if (ChildText(*assertion, {"AuthnStatement", "AuthnContext", "AuthnContextClassRef"}).empty()) {
    problems.push_back("AuthnStatement/AuthnContext/AuthnContextClassRef is missing or empty");
  }

  // The first value of the attribute, or nullptr after noting the problem.
  auto first_value = [&](absl::string_view name) -> const std::string* {
    auto found = attributes.find(std::string(name));
    if (found == attributes.end()) {
      std::string problem = absl::StrCat("attribute ", name, " is missing");
      for (const auto& [present, values] : attributes) {
        if (absl::EqualsIgnoreCase(present, name)) {
          absl::StrAppend(&problem, " (an attribute \"", present,
                          "\" is present: the spelling differs)");
        }
      }
      problems.push_back(std::move(problem));
      return nullptr;
    }
    if (found->second.empty() || found->second.front().empty() || found->second.front() == "^") {
      problems.push_back(absl::StrCat("attribute ", name, " has no value"));
      return nullptr;
    }
    return &found->second.front();
  };

  for (absl::string_view name :
       {kAttrStructureId, kAttrActivitySector, kAttrSubjectId, kAttrRole, kAttrPurposeOfUse,
        kAttrVihfVersion, kAttrSoftwareName, kAttrSoftwareVersion, kAttrHomologation}) {
    first_value(name);
  }
  if (const std::string* mode = first_value(settings.authentication_mode_attribute);
      mode != nullptr && *mode != settings.authentication_mode) {
    problems.push_back(absl::StrCat("attribute ", settings.authentication_mode_attribute, " is \"",
                                    *mode, "\", expected \"", settings.authentication_mode, "\""));
  }
  if (const std::string* resource = first_value(kAttrResourceId);
      resource != nullptr && !IsInsResourceId(*resource)) {
    problems.push_back(
        absl::StrCat("attribute ", kAttrResourceId, " \"", *resource,
                     "\" is not an INS as <15-character matricule>^^^&<oid>&ISO^NH"));
  }
  if (const std::string* urn = first_value(kAttrResourceUrn);
      urn != nullptr && *urn != kResourceUrnDmp) {
    problems.push_back(
        absl::StrCat("attribute ", kAttrResourceUrn, " is \"", *urn, "\", expected urn:dmp"));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("VIHF incomplete: ", absl::StrJoin(problems, "; ")));
}

}  // namespace navette::adapters::dmp::vihf
