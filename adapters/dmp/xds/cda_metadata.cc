#include "adapters/dmp/xds/cda_metadata.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"
#include "common/libxml_ready.h"

namespace navette::adapters::dmp::xds {
namespace {

constexpr char kHl7Namespace[] = "urn:hl7-org:v3";

// No network, no DTD, no entity substitution: a CDA can make navette fetch
// nothing. HUGE: an N1 or a CR-BIO carries its PDF in one text node.
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE;

// INS OIDs: NIR, NIA, NIR test, NIR demonstration (fr-specs.md §1.3).
constexpr std::string_view kInsOids[] = {"1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9",
                                         "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"};

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

absl::Status Missing(std::string_view path) {
  return absl::InvalidArgumentError(
      absl::StrCat("CDA header: ", std::string(path), " is missing or empty"));
}

bool Is(const xmlNode* node, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         std::string_view(reinterpret_cast<const char*>(node->ns->href)) == kHl7Namespace &&
         std::string_view(reinterpret_cast<const char*>(node->name)) == name;
}

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (Is(child, name)) return child;
  }
  return nullptr;
}

std::vector<const xmlNode*> Children(const xmlNode* parent, std::string_view name) {
  std::vector<const xmlNode*> found;
  if (parent == nullptr) return found;
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (Is(child, name)) found.push_back(child);
  }
  return found;
}

// The element at `path` (names separated by '/') under `from`, first match
// at each step.
const xmlNode* Path(const xmlNode* from, std::string_view path) {
  const xmlNode* node = from;
  while (node != nullptr && !path.empty()) {
    const size_t slash = path.find('/');
    node = Child(node, path.substr(0, slash));
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
  }
  return node;
}

std::string Attribute(const xmlNode* node, const char* name) {
  if (node == nullptr) return "";
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return std::string(absl::StripAsciiWhitespace(text));
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return std::string(absl::StripAsciiWhitespace(text));
}

Code CodeOf(const xmlNode* node) {
  return {Attribute(node, "code"), Attribute(node, "displayName"), Attribute(node, "codeSystem")};
}

// A name's family and given parts with the given `qualifier` ("" = the
// parts without one).
std::string NamePart(const xmlNode* name, std::string_view part, std::string_view qualifier) {
  for (const xmlNode* node : Children(name, part)) {
    if (Attribute(node, "qualifier") == qualifier) return Text(node);
  }
  return "";
}

absl::Status ReadPatient(const xmlNode* root, PatientIdentity* patient) {
  const xmlNode* role = Path(root, "recordTarget/patientRole");
  if (role == nullptr) return Missing("recordTarget/patientRole");
  for (const xmlNode* id : Children(role, "id")) {
    const std::string oid = Attribute(id, "root");
    bool is_ins = false;
    for (std::string_view ins_oid : kInsOids) is_ins = is_ins || oid == ins_oid;
    if (is_ins && patient->ins.empty()) {
      patient->ins = Attribute(id, "extension");
      patient->ins_oid = oid;
    } else if (!is_ins && patient->ipp.empty() && !Attribute(id, "extension").empty()) {
      patient->ipp = Attribute(id, "extension");
      patient->ipp_oid = oid;
    }
  }
  if (patient->ins.empty()) {
    return absl::InvalidArgumentError(
        "CDA header: recordTarget/patientRole has no INS (an id whose root is "
        "1.2.250.1.213.1.4.8, .9, .10 or .11 with the matricule as extension); the DMP "
        "identifies the patient by the INS only (fr-specs.md §1.8)");
  }
  const xmlNode* person = Child(role, "patient");
  const xmlNode* name = Child(person, "name");
  patient->birth_name = NamePart(name, "family", "BR");
  if (patient->birth_name.empty()) patient->birth_name = NamePart(name, "family", "");
  patient->first_given_name = NamePart(name, "given", "BR");
  if (patient->first_given_name.empty()) {
    // The birth first names, space-separated: the first of them.
    const std::string given = NamePart(name, "given", "");
    patient->first_given_name = given.substr(0, given.find(' '));
  }
  if (patient->birth_name.empty()) return Missing("recordTarget/patientRole/patient/name/family");
  patient->birth_date = Attribute(Child(person, "birthTime"), "value").substr(0, 8);
  patient->sex = Attribute(Child(person, "administrativeGenderCode"), "code");
  return absl::OkStatus();
}

// The names of an assignedAuthor/assignedEntity: its assignedPerson, or,
// for a software author, the device's model and software names.
void ReadPersonName(const xmlNode* assigned, Person* person) {
  if (const xmlNode* name = Path(assigned, "assignedPerson/name"); name != nullptr) {
    person->family = Text(Child(name, "family"));
    person->given = Text(Child(name, "given"));
    return;
  }
  const xmlNode* device = Child(assigned, "assignedAuthoringDevice");
  person->family = Text(Child(device, "manufacturerModelName"));
  person->given = Text(Child(device, "softwareName"));
}

absl::Status ReadAuthor(const xmlNode* root, Author* author) {
  const xmlNode* node = Child(root, "author");
  const xmlNode* assigned = Child(node, "assignedAuthor");
  if (assigned == nullptr) return Missing("author/assignedAuthor");
  const xmlNode* id = Child(assigned, "id");
  author->person.id = Attribute(id, "extension");
  author->person.oid = Attribute(id, "root");
  if (author->person.id.empty() || author->person.oid.empty()) {
    return Missing("author/assignedAuthor/id (root and extension)");
  }
  ReadPersonName(assigned, &author->person);
  // The DMP refuses an author without names (SEL-MP-037 RG_2230, fr-specs.md §3.3).
  if (author->person.family.empty()) {
    return Missing("author/assignedAuthor/assignedPerson/name/family");
  }
  author->specialty = CodeOf(Child(assigned, "code"));
  author->role = CodeOf(Child(node, "functionCode"));
  const xmlNode* organization = Child(assigned, "representedOrganization");
  const xmlNode* organization_id = Child(organization, "id");
  author->institution_id = Attribute(organization_id, "extension");
  author->institution_oid = Attribute(organization_id, "root");
  author->institution_name = Text(Child(organization, "name"));
  if (author->institution_id.empty()) {
    return Missing("author/assignedAuthor/representedOrganization/id/@extension");
  }
  return absl::OkStatus();
}

absl::Status ReadTimes(const xmlNode* root, DocumentMetadata* metadata) {
  const std::string effective = Attribute(Child(root, "effectiveTime"), "value");
  if (effective.empty()) return Missing("effectiveTime/@value");
  absl::StatusOr<std::string> creation = XdsTimeFromCda(effective, "CDA effectiveTime");
  if (!creation.ok()) return creation.status();
  metadata->creation_time = *std::move(creation);
  const xmlNode* service_time = Path(root, "documentationOf/serviceEvent/effectiveTime");
  const std::string low = Attribute(Child(service_time, "low"), "value");
  const std::string high = Attribute(Child(service_time, "high"), "value");
  if (!low.empty()) {
    absl::StatusOr<std::string> start =
        XdsTimeFromCda(low, "CDA documentationOf/serviceEvent/effectiveTime/low");
    if (!start.ok()) return start.status();
    metadata->service_start_time = *std::move(start);
  }
  if (!high.empty()) {
    absl::StatusOr<std::string> stop =
        XdsTimeFromCda(high, "CDA documentationOf/serviceEvent/effectiveTime/high");
    if (!stop.ok()) return stop.status();
    metadata->service_stop_time = *std::move(stop);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DocumentMetadata> ReadCdaMetadata(std::string_view cda_bytes) {
  if (cda_bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("CDA too large to read");
  }
  EnsureLibXmlReady();
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(cda_bytes.data(),
                                                     static_cast<int>(cda_bytes.size()), "cda.xml",
                                                     /*encoding=*/nullptr, kParseOptions));
  if (doc == nullptr) {
    const xmlError* error = xmlGetLastError();
    return absl::InvalidArgumentError(
        absl::StrCat("CDA is not well-formed XML",
                     error != nullptr && error->message != nullptr
                         ? absl::StrCat(": line ", error->line, ": ",
                                        absl::StripTrailingAsciiWhitespace(error->message))
                         : ""));
  }
  if (doc->intSubset != nullptr) {
    return absl::InvalidArgumentError("CDA carries a DOCTYPE (DTDs and entities are refused)");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!Is(root, "ClinicalDocument")) {
    return absl::InvalidArgumentError(
        "CDA root element is not ClinicalDocument in the urn:hl7-org:v3 namespace");
  }

  DocumentMetadata metadata;
  const xmlNode* id = Child(root, "id");
  const std::string id_root = Attribute(id, "root");
  if (id_root.empty()) return Missing("ClinicalDocument/id/@root");
  const std::string id_extension = Attribute(id, "extension");
  metadata.unique_id = id_extension.empty() ? id_root : absl::StrCat(id_root, "^", id_extension);

  metadata.type = CodeOf(Child(root, "code"));
  if (metadata.type.empty()) return Missing("ClinicalDocument/code/@code");
  metadata.title = Text(Child(root, "title"));
  if (const std::string confidentiality = Attribute(Child(root, "confidentialityCode"), "code");
      !confidentiality.empty()) {
    metadata.confidentiality = confidentiality;
  }
  if (const std::string language = Attribute(Child(root, "languageCode"), "code");
      !language.empty()) {
    metadata.language = language;
  }

  std::vector<std::string> template_ids;
  for (const xmlNode* node : Children(root, "templateId")) {
    template_ids.push_back(Attribute(node, "root"));
  }
  const std::string media_type = Attribute(Path(root, "component/nonXMLBody/text"), "mediaType");
  absl::StatusOr<Code> format = FormatCodeFor(template_ids, media_type);
  if (!format.ok()) return format.status();
  metadata.format = *std::move(format);

  if (absl::Status status = ReadTimes(root, &metadata); !status.ok()) return status;
  if (absl::Status status = ReadPatient(root, &metadata.patient); !status.ok()) return status;
  if (absl::Status status = ReadAuthor(root, &metadata.author); !status.ok()) return status;

  if (const xmlNode* entity = Path(root, "legalAuthenticator/assignedEntity"); entity != nullptr) {
    const xmlNode* entity_id = Child(entity, "id");
    metadata.legal_authenticator.id = Attribute(entity_id, "extension");
    metadata.legal_authenticator.oid = Attribute(entity_id, "root");
    ReadPersonName(entity, &metadata.legal_authenticator);
  }

  const xmlNode* facility =
      Path(root, "componentOf/encompassingEncounter/location/healthCareFacility/code");
  metadata.healthcare_facility_type = CodeOf(facility);
  if (metadata.healthcare_facility_type.empty()) {
    return Missing("componentOf/encompassingEncounter/location/healthCareFacility/code/@code");
  }
  metadata.practice_setting =
      CodeOf(Path(root,
                  "documentationOf/serviceEvent/performer/assignedEntity/representedOrganization/"
                  "standardIndustryClassCode"));
  return metadata;
}

}  // namespace navette::adapters::dmp::xds
