// The patient of a document message (ORU, MDM, any HL7 v2 message with a
// PID), as attach_ins needs it: which record of the identity store it is,
// whether what it says agrees with that record, and writing the record's INS
// and strict traits into its PID (fr-specs.md §1.6, §5.3).
//
// Messages from here never quote an identifier or a name: they go to logs,
// message histories and ACKs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/hl7v2/message.h"
#include "proto/identity.pb.h"

namespace navette::routes::ins {

struct DocumentPatient {
  std::string patient_key;           // PatientKey; empty when PID-3 has no identifier
  std::optional<identity::Ins> ins;  // the PID-3 repetition with CX.5 INS or NH, unchecked
  std::string ins_field;             // where it was, e.g. "PID-3[2]", for messages
  identity::StrictTraits traits;     // as the identity feed reads them; empty what is missing
};

// `message` is decoded (UTF-8). InvalidArgument when it has no PID.
absl::StatusOr<DocumentPatient> ReadDocumentPatient(const adapters::hl7v2::Message& message);

// Where the document disagrees with the identity store, in words that name
// the item and its HL7 field, never the values: "INS matricule differs from
// the identity store", "birth name (PID-5.1) differs from the identity
// store", ... every disagreement, joined by "; ". Traits the document lacks
// (empty) are not compared; without an INS in the document only traits are.
// A document with an INS the store does not have disagrees. nullopt: they
// agree.
std::optional<std::string> FindDisagreement(const DocumentPatient& document,
                                            const identity::Identity& stored);

// Writes the identity's INS and strict traits into the message's first PID:
//   PID-3   every repetition with CX.5 INS or NH becomes the INS, else one is
//           appended: <matricule>^^^<namespace>&<oid>&ISO^INS (namespace
//           ASIP-SANTE-INS-NIR for the NIR OIDs, ASIP-SANTE-INS-NIA for the
//           NIA's);
//   PID-5   the repetition of type L (XPN.7) gets XPN.1/2/3 = birth name,
//           first birth given name, birth given names; one is appended when
//           none is of type L; the others are kept;
//   PID-7   the birth date, unless the message's date part already is it (a
//           time it carries is then kept);
//   PID-8   the sex;
//   PID-11  the BDL repetition's XAD.9 = the birthplace code; ^^^^^^BDL^^<code>
//           appended when there is none.
// FailedPrecondition, and the message untouched, for an identity whose INS
// may not travel: none, not qualified (RNIV: only a qualified identity's INS
// is exchanged), doubtful or fictitious, an OID that is not an INS one, or a
// strict trait missing (the INS travels with all five). InvalidArgument for a
// message without PID.
absl::Status AttachIdentityToPid(adapters::hl7v2::Message& message,
                                 const identity::Identity& identity);

// The PID fields whose text differs between two versions of a message,
// e.g. {"PID-3", "PID-5"}: what attach_ins changed, for the history (names
// only, never the values). Both are read at their first PID.
std::vector<std::string> ChangedPidFields(const adapters::hl7v2::Message& before,
                                          const adapters::hl7v2::Message& after);

// Removes every PID-3 repetition with CX.5 INS or NH from the first PID, for
// a document that goes on without the INS its identity may not carry; the
// rest of the message is kept byte for byte. The message is untouched when
// PID-3 has no INS. InvalidArgument for a message without PID. (Only PID:
// an INS elsewhere, such as the patient's PRT recipient, is the caller's.)
absl::Status RemoveInsFromPid(adapters::hl7v2::Message& message);

}  // namespace navette::routes::ins
