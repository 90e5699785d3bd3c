// The identity feed: what a PAM-FR ADT message (fr-specs.md §1.6, §5.1) says
// about a patient's identity, as the identity store records it. Pure reading:
// the store and the engine decide what to do with the event.
//
// Values are read unescaped and in UTF-8, whatever MSH-18 the sender used:
// names are compared with the ones documents carry, and Latin-1 bytes read as
// UTF-8 would not match.
//
// Errors name the segment and field at fault and never quote an identifier
// or a name: they go to logs and message histories.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/hl7v2/message.h"
#include "proto/identity.pb.h"
#include "routes/ins/ins_number.h"
#include "routes/ins/reliability_table.h"

namespace navette::routes::ins {

struct IdentityFeedEvent {
  enum class Kind {
    kUpdate,    // A28, A31, A08, A01, A04, A05: create or update the identity of patient_key
    kMerge,     // A40: prior_key (MRG-1) is absorbed by patient_key (PID-3)
    kChangeId,  // A47: prior_key (MRG-1) is now known as patient_key
    kIgnored,   // any other ADT event (A02, A03, ...): no identity change
  };
  Kind kind = Kind::kIgnored;
  std::string trigger;      // MSH-9.2, e.g. "A28"
  std::string patient_key;  // PatientKey of the PID (routes/patient_key.h)
  // Read from PID and ZFA: ipp, authority, ins (only when PID-3 has one),
  // traits, used_names, status/doubtful/fictitious (through the reliability
  // table), reliability_code (PID-32 as sent, repetitions joined by '~'), dmp
  // (only when there is a ZFA). merged_into and updated_* are left to the
  // store. Empty for kIgnored.
  identity::Identity identity;
  std::string prior_key;  // kMerge, kChangeId: the key MRG-1 names
};

struct IdentityFeedOptions {
  std::string default_charset = "UNICODE UTF-8";  // when MSH-18 is empty
  Environment environment = Environment::kProduction;
  const ReliabilityTable* table = nullptr;  // null: ReliabilityTable::Default()
};

// Reads a PAM-FR ADT message given as received (raw bytes in its MSH-18
// charset). InvalidArgument for a message that is not an ADT, an update,
// merge or identifier change without a PID or an IPP in PID-3, an INS that
// fails its checks (CheckIns: a test OID is refused in production), and a
// merge or identifier change without MRG-1 or whose MRG-1 is PID-3's own
// identifier. An ignored event is not read further than its patient key: a
// movement (A02, A03) says nothing about the identity, so a fault in its PID
// must not stop it.
absl::StatusOr<IdentityFeedEvent> ReadIdentityFeed(std::string_view raw,
                                                   const IdentityFeedOptions& options);

// The pieces of PID both the identity feed and documents read
// (document_patient.h), so that both read them the same way. `message` is
// decoded (UTF-8); the first PID is read.

// The first PID-3 repetition (1-based) whose CX.5 says it is an INS: "INS" as
// PAM-FR writes it, or "NH" as XDS does; 0 when there is none.
int InsRepetition(const adapters::hl7v2::Message& message);

// The strict traits: the PID-5 repetition of type L (XPN.7; the first
// repetition when none says L) gives the birth name (XPN.1, its surname
// subcomponent), the first birth given name (XPN.2) and the birth given
// names (XPN.3, or XPN.2 when XPN.3 is empty); PID-7's first 8 characters
// the birth date; PID-8 the sex; the PID-11 repetition of type BDL (XAD.7)
// its XAD.9, the INSEE code of the birthplace. Empty strings for what the
// message lacks.
identity::StrictTraits ReadStrictTraits(const adapters::hl7v2::Message& message);

}  // namespace navette::routes::ins
