// The DMP's rules on an ITI-41 DocumentEntry, checked against the bytes it
// describes (fr-specs §1.2, §1.3, §3.4; dmp-mss-notes §3, §6). Pure
// functions: every problem becomes an XdsError whose codeContext names the
// attribute, all of them at once, as a registry answers.
//
//   rule                                                  errorCode
//   patientId CX <matricule>^^^&<OID>&ISO^NH[^^<date>]     XDSRegistryMetadataError
//     matricule 15 characters, INS key valid (§1.2)        (codeContext "patientId: …")
//     OID .8/.9, or .10/.11 in test mode (§1.3)            XDSUnknownPatientId (OID)
//   the SubmissionSet's patientId = the entry's            XDSPatientIdDoesNotMatch
//   classCode, typeCode, formatCode, healthcareFacility-
//     TypeCode, practiceSettingCode: exactly one, in the
//     value set (dmp_value_sets.h); confidentialityCode:
//     at least one, each in the value set                  XDSRegistryMetadataError
//   uniqueId an OID (no ^extension) = the CDA's
//     ClinicalDocument/id/@root                            XDSRegistryMetadataError
//   hash (SHA-1) / size = the attachment's                 XDSRepositoryMetadataError
//   the entry has its xdsb:Document and its part           XDSMissingDocument
//   a xdsb:Document without its entry                      XDSMissingDocumentMetadata
//
// A wrong INS key is a metadata error, not XDSUnknownPatientId: the identifier
// is malformed, the registry never looks the patient up.
//
// Lenient mode (dmp_lenient.h) turns three of these into warnings: a code
// outside the value set, a hash or size that is absent (not one that is
// wrong), a uniqueId other than the CDA's id.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/dmp/soap/mtom_reader.h"
#include "tests/dmp-sim/dmp_errors.h"
#include "tests/dmp-sim/dmp_submission.h"
#include "tests/dmp-sim/dmp_value_sets.h"

namespace navette::testing::dmp_sim {

// `97 - (N mod 97)` over the first 13 characters, 2A/2B read as 19/18.
bool InsKeyIsValid(std::string_view matricule);

// The patient CX's problem, "" when it is right.
struct PatientIdProblem {
  std::string code;  // "" when none
  std::string what;
};
PatientIdProblem CheckPatientId(std::string_view cx, bool allow_test_ins);

// The matricule (CX.1) and the OID of a well-formed patient CX.
struct InsOfCx {
  std::string matricule;
  std::string oid;
};
InsOfCx SplitPatientCx(std::string_view cx);

// ClinicalDocument/id of a CDA: "root", or "root^extension"; "" when the
// bytes are not a CDA with an id.
std::string CdaUniqueId(std::string_view cda_bytes);

// The Struct_IdNat of each authorInstitution XON of the entry (XON.10).
std::vector<std::string> AuthorInstitutionIds(const RimObject& entry);

struct MetadataRules {
  bool allow_test_ins = false;
  const DmpValueSets* value_sets = nullptr;  // required
  bool lenient = false;
};

// The whole ITI-41 submission: its set, its entries, its documents. The
// result refuses the request; with `rules.lenient`, the defects lenient mode
// tolerates go to `warnings` instead (dropped when it is null).
std::vector<XdsError> CheckProvideAndRegister(const Submission& submission,
                                              const navette::adapters::dmp::soap::MtomMessage& mtom,
                                              const MetadataRules& rules,
                                              std::vector<XdsError>* warnings = nullptr);

}  // namespace navette::testing::dmp_sim
