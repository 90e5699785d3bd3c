// The header of a CDA navette builds, after the « Structuration minimale »
// rules (fr-specs.md §2.1) and the ANS N1 examples
// (ExemplesCDA/DOC_NON_STRUCTURE_CDA-R2-N1.xml), in schema order:
//
//   realmCode FR, typeId POCD_HD000040, templateIds, id (OID only), code
//   (the record's type; LN -> LOINC 2.16.840.1.113883.6.1), title,
//   effectiveTime (second + offset), confidentialityCode N, languageCode
//   fr-FR, setId, versionNumber, recordTarget (record_target.h), author (the
//   PRT SB person: PS id under 1.2.250.1.71.4.2.1, its organisation under
//   1.2.250.1.71.4.2.2), custodian (1 + hospital FINESS), legalAuthenticator
//   (the author), documentationOf/serviceEvent (performer with the practice
//   setting), relatedDocument RPLC (a replacement), componentOf/
//   encompassingEncounter (PV1 times, healthCareFacility code = the facility
//   type, 1.2.250.1.71.4.2.4).
//
// The body (component) is the caller's.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"
#include "routes/cda/document_ids.h"

namespace navette::routes::cda {

inline constexpr std::string_view kPsIdRoot = "1.2.250.1.71.4.2.1";
inline constexpr std::string_view kStructureIdRoot = "1.2.250.1.71.4.2.2";
inline constexpr std::string_view kFacilityTypeSystem = "1.2.250.1.71.4.2.4";
inline constexpr std::string_view kPracticeSettingSystem = "1.2.250.1.213.1.1.4.9";
inline constexpr std::string_view kLoinc = "2.16.840.1.113883.6.1";

struct TemplateId {
  std::string root;
  std::string extension;
};

struct HeaderInput {
  const navette::document::Document* record = nullptr;
  const identity::Identity* identity = nullptr;  // may be null: no INS
  const navette::config::Hospital* hospital = nullptr;
  CdaIds ids;
  std::string effective_time;  // CDA form, with offset
  std::vector<TemplateId> template_ids;
  std::string title;
};

// Appends the header to the empty ClinicalDocument `root`. InvalidArgument
// names what the record or the settings lack (no PRT SB author, a document
// type without code, hospital.finess, hospital.facility_type_code, ...).
absl::Status AddHeader(xmlNode* root, const HeaderInput& input);

// The custodian's and the hospital's structure id: "1" + FINESS.
std::string HospitalStructureId(const navette::config::Hospital& hospital);

// Appends <code .../> with the hospital's facility type to `facility`, or
// before its first child other than id (completion).
xmlNode* MakeFacilityCode(xmlNode* like, const navette::config::Hospital& hospital);

// The encounter's effectiveTime (PV1-44/45, nullFlavor UNK when unknown).
absl::StatusOr<xmlNode*> MakeEncounterTime(xmlNode* like,
                                           const navette::document::Encounter& encounter);

}  // namespace navette::routes::cda
