#include "routes/cda/cda_header.h"

#include <fmt/format.h>

#include "routes/cda/cda_time.h"
#include "routes/cda/record_target.h"
#include "routes/cda/xml_tree.h"

namespace navette::routes::cda {
namespace {

using navette::document::Document;
using navette::document::Participant;

// A PS national id (PS_IdNat) under 1.2.250.1.71.4.2.1: as sent when the
// authority is already that OID (IDNPS), "8" + RPPS, "0" + ADELI.
absl::StatusOr<std::pair<std::string, std::string>> PersonId(
    const navette::document::Identifier& id) {
  if (id.id().empty()) return absl::InvalidArgumentError("the PRT SB person has no id (PRT-5)");
  if (id.authority_oid() == kPsIdRoot) return std::pair{std::string(kPsIdRoot), id.id()};
  if (id.type() == "RPPS") return std::pair{std::string(kPsIdRoot), "8" + id.id()};
  if (id.type() == "ADELI") return std::pair{std::string(kPsIdRoot), "0" + id.id()};
  if (IsOid(id.authority_oid())) return std::pair{id.authority_oid(), id.id()};
  return absl::InvalidArgumentError(
      "the PRT SB person's id has neither a national type (IDNPS, RPPS, ADELI) nor an OID "
      "authority (PRT-5)");
}

// Struct_IdNat of the sender's organisation: "1" + FINESS, an IDNST as sent,
// or the hospital's when PRT-8 names none.
std::string OrganizationId(const navette::document::Organization& organization,
                           const navette::config::Hospital& hospital) {
  const auto& id = organization.id();
  if (id.id().empty()) return HospitalStructureId(hospital);
  if (id.type() == "FINEG" || id.type() == "FINEJ") return "1" + id.id();
  return id.id();
}

const Participant* Sender(const Document& record) {
  for (const Participant& participant : record.participants()) {
    if (participant.role() == Participant::SENDER) return &participant;
  }
  return nullptr;
}

// XCN.6 carries civilities and titles alike; the header schematron takes
// only a civility (JDV_J245: M, MME) as `prefix`, and the ANS examples put
// the title DR in `suffix`. Anything else is left out.
void AddPersonName(xmlNode* parent, const navette::document::Person& person) {
  xmlNode* name = Add(Add(parent, "assignedPerson"), "name");
  const std::string& title = person.prefix();
  if (title == "M" || title == "MME") Add(name, "prefix", {}, title);
  if (!person.given().empty()) Add(name, "given", {}, person.given());
  Add(name, "family", {}, person.family());
  if (title == "DR" || title == "PR") Add(name, "suffix", {}, title);
}

absl::Status AddCode(xmlNode* root, const navette::document::Coded& type) {
  if (type.code().empty()) {
    return absl::InvalidArgumentError("the document has no type code (TXA-2 / OBR-4 / OBX-3)");
  }
  if (type.system() == "LN" || type.system() == "LOINC") {
    Add(root, "code",
        {{"code", type.code()},
         {"displayName", type.display()},
         {"codeSystem", kLoinc},
         {"codeSystemName", "LOINC"}});
    return absl::OkStatus();
  }
  if (IsOid(type.system())) {
    Add(root, "code",
        {{"code", type.code()}, {"displayName", type.display()}, {"codeSystem", type.system()}});
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(fmt::format(
      "the document type's coding system '{}' is neither LN nor an OID", type.system()));
}

absl::StatusOr<std::string> MaybeHl7Time(const std::string& hl7, std::string_view field) {
  if (hl7.empty()) return std::string();
  return CdaTimeFromHl7(hl7, field);
}

}  // namespace

std::string HospitalStructureId(const navette::config::Hospital& hospital) {
  return "1" + hospital.finess();
}

xmlNode* MakeFacilityCode(xmlNode* like, const navette::config::Hospital& hospital) {
  return Make(like, "code",
              {{"code", hospital.facility_type_code()},
               {"displayName", hospital.facility_type_display()},
               {"codeSystem", kFacilityTypeSystem}});
}

absl::StatusOr<xmlNode*> MakeEncounterTime(xmlNode* like,
                                           const navette::document::Encounter& encounter) {
  auto low = MaybeHl7Time(encounter.admit_time(), "PV1-44");
  if (!low.ok()) return low.status();
  auto high = MaybeHl7Time(encounter.discharge_time(), "PV1-45");
  if (!high.ok()) return high.status();
  if (low->empty() && high->empty()) return Make(like, "effectiveTime", {{"nullFlavor", "UNK"}});
  xmlNode* time = Make(like, "effectiveTime");
  if (!low->empty()) Add(time, "low", {{"value", *low}});
  if (!high->empty()) Add(time, "high", {{"value", *high}});
  return time;
}

absl::Status AddHeader(xmlNode* root, const HeaderInput& input) {
  const Document& record = *input.record;
  const navette::config::Hospital& hospital = *input.hospital;
  if (hospital.finess().size() != 9) {
    return absl::InvalidArgumentError(
        "hospital.finess must be the establishment's 9-character FINESS");
  }
  if (hospital.facility_type_code().empty()) {
    return absl::InvalidArgumentError(
        "hospital.facility_type_code is required (healthCareFacility code, JDV_J02)");
  }
  const Participant* sender = Sender(record);
  if (sender == nullptr) {
    return absl::InvalidArgumentError("the document has no author: no PRT with PRT-4 SB");
  }
  auto author_id = PersonId(sender->person().id());
  if (!author_id.ok()) return author_id.status();
  if (sender->person().family().empty()) {
    return absl::InvalidArgumentError("the PRT SB person has no family name (PRT-5)");
  }

  Add(root, "realmCode", {{"code", "FR"}});
  Add(root, "typeId", {{"root", "2.16.840.1.113883.1.3"}, {"extension", "POCD_HD000040"}});
  for (const TemplateId& id : input.template_ids) {
    Add(root, "templateId", {{"root", id.root}, {"extension", id.extension}});
  }
  Add(root, "id", {{"root", input.ids.id}});
  if (absl::Status coded = AddCode(root, record.type()); !coded.ok()) return coded;
  Add(root, "title", {}, input.title);
  Add(root, "effectiveTime", {{"value", input.effective_time}});
  Add(root, "confidentialityCode",
      {{"code", "N"}, {"displayName", "Normal"}, {"codeSystem", "2.16.840.1.113883.5.25"}});
  Add(root, "languageCode", {{"code", "fr-FR"}});
  Add(root, "setId", {{"root", input.ids.set_id}});
  Add(root, "versionNumber", {{"value", std::to_string(input.ids.version)}});
  if (absl::Status patient = AddRecordTarget(root, input.identity, record.patient(), hospital);
      !patient.ok()) {
    return patient;
  }

  const std::string organization_id = OrganizationId(sender->organization(), hospital);
  const std::string& organization_name =
      sender->organization().name().empty() ? hospital.name() : sender->organization().name();
  auto add_organization = [&](xmlNode* parent, std::string_view element) {
    xmlNode* organization = Add(parent, element);
    Add(organization, "id", {{"root", kStructureIdRoot}, {"extension", organization_id}});
    if (!organization_name.empty()) Add(organization, "name", {}, organization_name);
    return organization;
  };

  xmlNode* author = Add(root, "author");
  Add(author, "time", {{"value", input.effective_time}});
  xmlNode* assigned_author = Add(author, "assignedAuthor");
  Add(assigned_author, "id", {{"root", author_id->first}, {"extension", author_id->second}});
  AddPersonName(assigned_author, sender->person());
  add_organization(assigned_author, "representedOrganization");

  xmlNode* custodian =
      Add(Add(Add(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization");
  Add(custodian, "id", {{"root", kStructureIdRoot}, {"extension", HospitalStructureId(hospital)}});
  if (!hospital.name().empty()) Add(custodian, "name", {}, hospital.name());

  xmlNode* legal = Add(root, "legalAuthenticator");
  Add(legal, "time", {{"value", input.effective_time}});
  Add(legal, "signatureCode", {{"code", "S"}});
  xmlNode* entity = Add(legal, "assignedEntity");
  Add(entity, "id", {{"root", author_id->first}, {"extension", author_id->second}});
  AddPersonName(entity, sender->person());

  auto encounter_time = MakeEncounterTime(root, record.encounter());
  if (!encounter_time.ok()) return encounter_time.status();

  xmlNode* event = Add(Add(root, "documentationOf"), "serviceEvent");
  {
    // The act's time: the stay's when known, else the document's.
    xmlNode* time = xmlCopyNode(*encounter_time, 1);
    if (!Attribute(time, "nullFlavor").empty()) {
      xmlFreeNode(time);
      time = Make(root, "effectiveTime");
      Add(time, "low", {{"value", input.effective_time}});
    }
    xmlAddChild(event, time);
  }
  xmlNode* performer = Add(event, "performer", {{"typeCode", "PRF"}});
  xmlNode* performer_entity = Add(performer, "assignedEntity");
  Add(performer_entity, "id", {{"root", author_id->first}, {"extension", author_id->second}});
  AddPersonName(performer_entity, sender->person());
  xmlNode* performer_organization = add_organization(performer_entity, "representedOrganization");
  Add(performer_organization, "standardIndustryClassCode",
      {{"code", hospital.practice_setting_code().empty() ? std::string("ETABLISSEMENT")
                                                         : hospital.practice_setting_code()},
       {"displayName", hospital.practice_setting_display().empty()
                           ? std::string("Etablissement de santé")
                           : hospital.practice_setting_display()},
       {"codeSystem", kPracticeSettingSystem}});

  if (!input.ids.parent_id.empty()) {
    xmlNode* parent = Add(Add(root, "relatedDocument", {{"typeCode", "RPLC"}}), "parentDocument");
    Add(parent, "id", {{"root", input.ids.parent_id}});
    if (!input.ids.parent_set_id.empty()) Add(parent, "setId", {{"root", input.ids.parent_set_id}});
    if (input.ids.parent_version > 0) {
      Add(parent, "versionNumber", {{"value", std::to_string(input.ids.parent_version)}});
    }
  }

  xmlNode* encounter = Add(Add(root, "componentOf"), "encompassingEncounter");
  xmlAddChild(encounter, *encounter_time);
  xmlNode* facility = Add(Add(encounter, "location"), "healthCareFacility");
  Add(facility, "id", {{"root", kStructureIdRoot}, {"extension", HospitalStructureId(hospital)}});
  xmlAddChild(facility, MakeFacilityCode(facility, hospital));
  return absl::OkStatus();
}

}  // namespace navette::routes::cda
