#include "routes/cda/cda_completion.h"

#include <fmt/format.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "routes/cda/cda_header.h"
#include "routes/cda/record_target.h"
#include "routes/cda/xml_tree.h"

namespace navette::routes::cda {
namespace {

// The end of the markup starting at `pos` ('<'), one past its '>'; npos
// when unterminated.
size_t SkipTag(std::string_view xml, size_t pos) {
  char quote = 0;
  for (size_t i = pos + 1; i < xml.size(); ++i) {
    char c = xml[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t SkipPast(std::string_view xml, size_t pos, std::string_view end) {
  size_t found = xml.find(end, pos);
  return found == std::string_view::npos ? found : found + end.size();
}

// A DOCTYPE may hold an internal subset in brackets.
size_t SkipDoctype(std::string_view xml, size_t pos) {
  int brackets = 0;
  for (size_t i = pos; i < xml.size(); ++i) {
    if (xml[i] == '[') ++brackets;
    if (xml[i] == ']') --brackets;
    if (xml[i] == '>' && brackets == 0) return i + 1;
  }
  return std::string_view::npos;
}

xmlNode* InsertBefore(xmlNode* next, xmlNode* node) { return xmlAddPrevSibling(next, node); }

// The last child of `parent` among `names`, or null.
xmlNode* LastOf(xmlNode* parent, std::initializer_list<std::string_view> names) {
  xmlNode* last = nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    for (std::string_view name : names) {
      if (Is(child, name)) last = child;
    }
  }
  return last;
}

absl::Status CompleteCustodian(xmlNode* root, const navette::config::Hospital& hospital,
                               std::vector<std::string>& added) {
  auto make_id = [&](xmlNode* like) {
    return Make(like, "id",
                {{"root", kStructureIdRoot}, {"extension", HospitalStructureId(hospital)}});
  };
  xmlNode* custodian = FirstChild(root, "custodian");
  if (custodian == nullptr) {
    xmlNode* after = LastOf(root, {"recordTarget", "author", "dataEnterer", "informant"});
    custodian = Make(root, "custodian");
    xmlNode* organization =
        Add(Add(custodian, "assignedCustodian"), "representedCustodianOrganization");
    xmlAddChild(organization, make_id(organization));
    if (!hospital.name().empty()) Add(organization, "name", {}, hospital.name());
    xmlAddNextSibling(after, custodian);
    added.push_back("custodian");
    return absl::OkStatus();
  }
  xmlNode* organization =
      FirstChild(FirstChild(custodian, "assignedCustodian"), "representedCustodianOrganization");
  if (organization == nullptr) {
    return absl::InvalidArgumentError(
        "the CDA's custodian has no assignedCustodian/representedCustodianOrganization");
  }
  if (FirstChild(organization, "id") != nullptr) return absl::OkStatus();
  xmlNode* id = make_id(organization);
  if (organization->children != nullptr) {
    InsertBefore(organization->children, id);
  } else {
    xmlAddChild(organization, id);
  }
  added.push_back("custodian id");
  return absl::OkStatus();
}

absl::Status CompleteFacility(xmlNode* root, xmlNode* body,
                              const navette::config::Hospital& hospital,
                              const navette::document::Encounter& encounter_record,
                              std::vector<std::string>& added) {
  if (hospital.facility_type_code().empty()) {
    return absl::InvalidArgumentError(
        "hospital.facility_type_code is required (healthCareFacility code, JDV_J02)");
  }
  xmlNode* component_of = FirstChild(root, "componentOf");
  if (component_of == nullptr) {
    component_of = Make(root, "componentOf");
    xmlNode* encounter = Add(component_of, "encompassingEncounter");
    auto time = MakeEncounterTime(encounter, encounter_record);
    if (!time.ok()) {
      xmlFreeNode(component_of);
      return time.status();
    }
    xmlAddChild(encounter, *time);
    xmlNode* facility = Add(Add(encounter, "location"), "healthCareFacility");
    xmlAddChild(facility, MakeFacilityCode(facility, hospital));
    InsertBefore(body, component_of);
    added.push_back("componentOf with the healthCareFacility code");
    return absl::OkStatus();
  }
  xmlNode* encounter = FirstChild(component_of, "encompassingEncounter");
  if (encounter == nullptr) {
    return absl::InvalidArgumentError("the CDA's componentOf has no encompassingEncounter");
  }
  // location is encompassingEncounter's last element, healthCareFacility
  // location's only one.
  xmlNode* location = FirstChild(encounter, "location");
  if (location == nullptr) location = Add(encounter, "location");
  xmlNode* facility = FirstChild(location, "healthCareFacility");
  if (facility == nullptr) facility = Add(location, "healthCareFacility");
  xmlNode* code = FirstChild(facility, "code");
  if (code != nullptr && Attribute(code, "nullFlavor").empty()) return absl::OkStatus();
  xmlNode* made = MakeFacilityCode(facility, hospital);
  if (code != nullptr) {
    xmlReplaceNode(code, made);
    xmlFreeNode(code);
  } else if (xmlNode* last_id = LastOf(facility, {"id"}); last_id != nullptr) {
    xmlAddNextSibling(last_id, made);
  } else if (facility->children != nullptr) {
    InsertBefore(facility->children, made);
  } else {
    xmlAddChild(facility, made);
  }
  added.push_back("healthCareFacility code");
  return absl::OkStatus();
}

void ReadIds(xmlNode* root, CompletedCda& completed) {
  xmlNode* id = FirstChild(root, "id");
  std::string extension = Attribute(id, "extension");
  completed.id = Attribute(id, "root");
  completed.id_has_extension = !extension.empty();
  if (!extension.empty()) completed.id += "^" + extension;
  completed.set_id = Attribute(FirstChild(root, "setId"), "root");
  uint32_t version = 0;
  if (absl::SimpleAtoi(Attribute(FirstChild(root, "versionNumber"), "value"), &version) &&
      version > 0) {
    completed.version = version;
  }
  completed.parent_id = Attribute(
      FirstChild(FirstChild(FirstChild(root, "relatedDocument"), "parentDocument"), "id"), "root");
  completed.type_code = Attribute(FirstChild(root, "code"), "code");
  for (xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (Is(child, "templateId")) completed.template_ids.push_back(Attribute(child, "root"));
  }
}

}  // namespace

std::optional<size_t> LastRootChildOffset(std::string_view xml) {
  std::optional<size_t> last;
  int depth = 0;
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    std::string_view rest = xml.substr(pos);
    size_t next;
    if (rest.starts_with("<!--")) {
      next = SkipPast(xml, pos + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      next = SkipPast(xml, pos + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      next = SkipPast(xml, pos + 2, "?>");
    } else if (rest.starts_with("<!")) {
      next = SkipDoctype(xml, pos);
    } else if (rest.starts_with("</")) {
      next = SkipTag(xml, pos);
      --depth;
    } else {
      next = SkipTag(xml, pos);
      if (next == std::string_view::npos) break;
      if (depth == 1) last = pos;
      if (xml[next - 2] != '/') ++depth;
    }
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return last;
}

absl::StatusOr<CompletedCda> CompleteCda(std::string_view xml, const identity::Identity* identity,
                                         const navette::config::Hospital& hospital,
                                         const navette::document::Encounter& encounter) {
  auto parsed = ParseXml(xml);
  if (!parsed.ok()) return parsed.status();
  xmlDoc* doc = parsed->get();
  if (doc->encoding != nullptr &&
      !absl::EqualsIgnoreCase(reinterpret_cast<const char*>(doc->encoding), "UTF-8")) {
    return absl::InvalidArgumentError(fmt::format("the CDA is encoded in {}; CI-SIS requires UTF-8",
                                                  reinterpret_cast<const char*>(doc->encoding)));
  }
  xmlNode* root = xmlDocGetRootElement(doc);
  if (!Is(root, "ClinicalDocument")) {
    return absl::InvalidArgumentError(
        "the document's root is not a ClinicalDocument in the urn:hl7-org:v3 namespace");
  }
  xmlNode* body = LastElementChild(root);
  if (!Is(body, "component")) {
    return absl::InvalidArgumentError(
        "the ClinicalDocument's last child is not its body (component)");
  }
  std::optional<size_t> body_start = LastRootChildOffset(xml);
  if (!body_start.has_value() || !xml.substr(*body_start).starts_with("<") ||
      xml.substr(*body_start).find("component") > 16) {
    return absl::InvalidArgumentError("the CDA's body start tag could not be located");
  }
  xmlNode* patient_role = FirstChild(FirstChild(root, "recordTarget"), "patientRole");
  if (patient_role == nullptr) {
    return absl::InvalidArgumentError(
        "the CDA has no recordTarget/patientRole: navette cannot supply the patient");
  }
  if (FirstChild(root, "id") == nullptr || FirstChild(root, "setId") == nullptr) {
    return absl::InvalidArgumentError("the CDA has no id or no setId");
  }

  CompletedCda completed;
  if (identity != nullptr) {
    auto changed = CompletePatientRole(patient_role, *identity);
    if (!changed.ok()) return changed.status();
    completed.added = std::move(*changed);
  }
  if (absl::Status custodian = CompleteCustodian(root, hospital, completed.added);
      !custodian.ok()) {
    return custodian;
  }
  if (absl::Status facility = CompleteFacility(root, body, hospital, encounter, completed.added);
      !facility.ok()) {
    return facility;
  }
  ReadIds(root, completed);

  // Serialise the header alone, then append the body's original bytes.
  xmlUnlinkNode(body);
  xmlFreeNode(body);
  std::string header = Serialize(doc, /*indent=*/false);
  size_t root_end = header.rfind("</");
  if (root_end == std::string::npos) {
    return absl::InternalError("the serialised header has no root end tag");
  }
  header.resize(root_end);
  header.append(xml.substr(*body_start));
  completed.xml = std::move(header);
  return completed;
}

}  // namespace navette::routes::cda
