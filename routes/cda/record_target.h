// The patient of a CDA header (fr-specs.md §1.7): recordTarget/patientRole
// with the INS as its first id (root the INS OID, extension the 15-character
// matricule), then the IPP under the establishment's OID, and the strict
// traits:
//
//   name      <family qualifier="BR">birth name</family>
//             <given>birth given names</given>
//             <given qualifier="BR">first birth given name</given>
//             <family qualifier="CL">used name</family> <given qualifier="CL">used given
//             name</given>
//   administrativeGenderCode (F, M, U; 2.16.840.1.113883.5.1), birthTime (YYYYMMDD),
//   birthplace/place/addr/county (the INSEE COG code), when known
//
// Building writes them all; completing an incoming CDA adds what is missing
// and refuses a CDA whose traits disagree with the identity store.
#pragma once

#include <string>
#include <vector>

#include <libxml/tree.h>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"
#include "proto/identity.pb.h"

namespace navette::routes::cda {

// The INS OIDs (NIR, NIA and their test forms, fr-specs.md §1.3).
bool IsInsOid(std::string_view oid);

// Appends recordTarget to `root`. With an identity (attach_ins attached it)
// the INS and the traits come from it; without one, from the record's PID
// (no INS: only an identity attach_ins checked may carry one).
// InvalidArgument when the patient has no IPP nor INS, or no birth name.
absl::Status AddRecordTarget(xmlNode* root, const identity::Identity* identity,
                             const navette::document::Patient& patient,
                             const navette::config::Hospital& hospital);

// Completes an incoming patientRole with the identity's INS (first id) and
// its strict traits, adding only what is missing. Returns what it changed
// ("INS", "birth name", ...), empty when nothing. InvalidArgument when the
// CDA carries another INS or traits that disagree with the identity.
absl::StatusOr<std::vector<std::string>> CompletePatientRole(xmlNode* patient_role,
                                                             const identity::Identity& identity);

}  // namespace navette::routes::cda
