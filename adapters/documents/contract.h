// The CI-SIS document contract (« Transmission de document(s) CDA-R2 en
// HL7v2 » v2.1, fr-specs.md §5.3): what a producer's ORU^R01 or
// MDM^T02/T10/T04 means, read into the canonical record
// navette::document::Document, and the rules it must follow. A source with a
// profile (dpi, ris, sgl) runs every message through ReadDocument and refuses
// a message with violations at once with their ACK (docs/document-contract.md).
//
// Reading and checking are kept apart in the result: the record is filled as
// far as the message allows even when the message breaks the contract, so
// that a test (or an analyst) sees both what was read and why it is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/message.h"
#include "proto/config.pb.h"
#include "proto/document.pb.h"

namespace navette::adapters::documents {

enum class Profile { kDpi, kRis, kSgl };

// "dpi", "ris", "sgl".
std::string_view ProfileName(Profile profile);
// The configuration's profile; nullopt for none (PROFILE_UNSPECIFIED).
std::optional<Profile> ProfileOf(navette::config::Source::Profile profile);

// One broken rule, as the producer hears it in the ACK.
struct Violation {
  hl7v2::AckCode ack = hl7v2::AckCode::kAR;
  int condition = 0;         // HL7 table 0357 (ERR-3)
  int application_code = 0;  // CI-SIS 900..906 (ERR-5), 0 when none applies
  std::string location;      // ERR-2, '^'-separated: "OBX^1^11"
  std::string reason;        // names segment and field, never patient data
};

struct ContractResult {
  navette::document::Document record;
  // In message order of the rules that found them; empty when the message
  // follows the contract.
  std::vector<Violation> violations;

  bool ok() const { return violations.empty(); }
};

// Whether the contract covers a message of this MSH-9 message code (its
// first component: ORU or MDM, any case). A profiled source reads these and
// takes the others (the DPI's PAM-FR ADT feed on the same connection) as
// HL7 v2, unread, without a record.
bool CoveredByContract(std::string_view message_code);

// Reads `message` (values UTF-8) under `profile`, then checks the rules.
ContractResult ReadDocument(const hl7v2::Message& message, Profile profile);
// The same from wire text already in UTF-8; a message that does not parse is
// one violation (AR, 100).
ContractResult ReadDocument(std::string_view utf8, Profile profile);

// The ERR-5 text of a CI-SIS application code: "906^Autre erreur^..." (empty
// for 0), and the AckError that carries `violation` into hl7v2::BuildAck.
std::string ApplicationError(int application_code);
hl7v2::AckError AckErrorOf(const Violation& violation);

}  // namespace navette::adapters::documents
