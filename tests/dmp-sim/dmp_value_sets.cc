#include "tests/dmp-sim/dmp_value_sets.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace navette::testing::dmp_sim {
namespace {

constexpr char kSvsNamespace[] = "urn:ihe:iti:svs:2008";
constexpr char kClassCodeScheme[] = "1.2.250.1.213.1.1.4.1";
// fr-specs §3.4, classCode row.
constexpr std::array<std::string_view, 11> kClassCodes = {"10", "11", "31", "42", "43", "44",
                                                          "45", "52", "60", "90", "95"};
constexpr char kIheFormatScheme[] = "1.3.6.1.4.1.19376.1.2.3";
constexpr char kAnsFormatScheme[] = "1.2.250.1.213.1.1.4.2.282";
constexpr char kDicomFormatScheme[] = "1.2.840.10008.2.6.1";

// The (code, codeSystem) of every Concept in an SVS RetrieveValueSetResponse.
absl::Status ReadSvs(const std::filesystem::path& path,
                     std::set<std::pair<std::string, std::string>, std::less<>>* codes) {
  xmlDoc* doc = xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  if (doc == nullptr) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
  // Walks the tree: Concept elements are at a fixed depth, but the walk
  // does not depend on it.
  std::vector<xmlNode*> pending = {xmlDocGetRootElement(doc)};
  while (!pending.empty()) {
    xmlNode* node = pending.back();
    pending.pop_back();
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_ELEMENT_NODE) pending.push_back(child);
    }
    if (node->ns == nullptr ||
        std::string_view(reinterpret_cast<const char*>(node->ns->href)) != kSvsNamespace ||
        std::string_view(reinterpret_cast<const char*>(node->name)) != "Concept") {
      continue;
    }
    xmlChar* code = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>("code"));
    xmlChar* system = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>("codeSystem"));
    if (code != nullptr && system != nullptr) {
      codes->emplace(reinterpret_cast<const char*>(code), reinterpret_cast<const char*>(system));
    }
    xmlFree(code);
    xmlFree(system);
  }
  xmlFreeDoc(doc);
  if (codes->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": no SVS Concept"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view CodedAttributeName(CodedAttribute attribute) {
  switch (attribute) {
    case CodedAttribute::kClassCode:
      return "classCode";
    case CodedAttribute::kTypeCode:
      return "typeCode";
    case CodedAttribute::kFormatCode:
      return "formatCode";
    case CodedAttribute::kHealthcareFacilityTypeCode:
      return "healthcareFacilityTypeCode";
    case CodedAttribute::kPracticeSettingCode:
      return "practiceSettingCode";
    case CodedAttribute::kConfidentialityCode:
      return "confidentialityCode";
  }
  return "";
}

absl::StatusOr<std::shared_ptr<const DmpValueSets>> DmpValueSets::Load(
    const std::filesystem::path& dir) {
  auto sets = std::shared_ptr<DmpValueSets>(new DmpValueSets());
  const std::pair<const char*, CodeSet*> files[] = {
      {"JDV_J07_XdsTypeCode_CISIS.xml", &sets->type_codes_},
      {"JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml", &sets->facility_types_},
      {"JDV_J04_XdsPracticeSettingCode_CISIS.xml", &sets->practice_settings_},
      {"JDV_J08_XdsConfidentialityCode_CISIS.xml", &sets->confidentiality_codes_}};
  for (const auto& [name, codes] : files) {
    if (absl::Status read = ReadSvs(dir / name, codes); !read.ok()) return read;
  }
  return sets;
}

bool DmpValueSets::Contains(CodedAttribute attribute, std::string_view code,
                            std::string_view scheme) const {
  auto in = [code, scheme](const CodeSet& set) {
    return set.contains({std::string(code), std::string(scheme)});
  };
  switch (attribute) {
    case CodedAttribute::kClassCode:
      return scheme == kClassCodeScheme &&
             std::find(kClassCodes.begin(), kClassCodes.end(), code) != kClassCodes.end();
    case CodedAttribute::kTypeCode:
      return in(type_codes_);
    case CodedAttribute::kFormatCode:
      if (code.empty()) return false;
      if (scheme == kIheFormatScheme) return code.starts_with("urn:ihe:");
      if (scheme == kAnsFormatScheme) {
        return code.starts_with("urn:asip:ci-sis:") || code.starts_with("urn:ans:ci-sis:");
      }
      return scheme == kDicomFormatScheme || scheme == "URN";
    case CodedAttribute::kHealthcareFacilityTypeCode:
      return in(facility_types_);
    case CodedAttribute::kPracticeSettingCode:
      return in(practice_settings_);
    case CodedAttribute::kConfidentialityCode:
      return in(confidentiality_codes_);
  }
  return false;
}

std::filesystem::path DefaultValueSetDir() { return NAVETTE_DMP_SIM_VALUESETS; }

}  // namespace navette::testing::dmp_sim
