// The interface every route step implements (identity_feed, attach_ins, and
// later build_cda, map_codes). A route runs its steps in order on a matched
// message; each step sees the document as the previous step left it and says
// what happens next with a typed outcome, not with a status code:
//
//   continue   go on to the next step (or to delivery), maybe with a new
//              document (`output`) and what changed, for the history
//   park       wait (the patient's identity is not qualified yet) under a key
//              that a later event releases
//   dead       this route fails for good on this message, with a reason
//
// A step's error status means only that it could not decide now (the
// identity store could not be read): the router retries the message.
//
// Steps are pure functions of the message and the stores they read, so that
// routing again after a crash decides the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/document.pb.h"
#include "proto/envelope.pb.h"
#include "proto/identity.pb.h"
#include "store/store.h"

namespace navette {
class Clock;
}  // namespace navette

namespace navette::routes {

namespace ins {
class IdentityReader;
}  // namespace ins

struct StepInput {
  uint64_t message_id = 0;
  const navette::Envelope* envelope = nullptr;
  // The document as the previous steps left it (the envelope's raw bytes
  // when no step changed it), in the envelope's charset: a step that
  // changes it writes it back in that charset.
  std::string_view document;
  std::string_view route;
  // Another route already planned this message's identity store update
  // (identity_feed runs once per message, whatever the routes).
  bool identity_update_planned = false;
  // The document's content type as the previous steps left it: the
  // envelope's ("application/hl7-v2") until a step changed it (build_cda:
  // "text/xml", UTF-8 whatever the envelope's charset).
  std::string_view content_type;
  // The canonical document record (proto/document.proto) as the previous
  // steps left it; null when the source has no profile.
  const navette::document::Document* record = nullptr;
  // The identity attach_ins attached earlier in the route; null when none.
  const identity::Identity* identity = nullptr;
};

struct StepOutcome {
  enum class Kind { kContinue, kPark, kDead };
  Kind kind = Kind::kContinue;
  // kPark, kDead: why, as the history shows it, starting with the step's
  // kind ("attach_ins: ..."); naming the item, never patient data.
  std::string reason;
  // kPark, kDead: when the step decided, by its clock (the hold's time);
  // 0: the runner stamps it.
  int64_t at_us = 0;
  // kPark: the key a later event releases the message under.
  std::string park_key;
  // kContinue: the document the next steps and the destinations get, when
  // this step changed it.
  std::optional<std::string> output;
  // kContinue: the identity the output now carries (attach_ins).
  std::optional<identity::Identity> identity;
  // kContinue with an output: its content type when it is not the input's
  // ("text/xml" for a CDA).
  std::optional<std::string> content_type;
  // kContinue: the document record as this step leaves it (build_cda sets
  // its `cda`).
  std::optional<navette::document::Document> record;
  // kContinue: a document version to commit with the routing decision
  // (build_cda; routes/document_versions.h).
  std::optional<store::DocumentVersion> document_version;
  // kContinue: an identity store update to commit with the routing decision
  // (identity_feed).
  std::optional<store::IdentityUpdate> identity_update;
  // What the step did, for the history: field names, never values.
  std::vector<std::string> notes;

  static StepOutcome Continue() { return {}; }
  static StepOutcome Park(std::string reason, std::string key, int64_t at_us = 0) {
    StepOutcome outcome;
    outcome.kind = Kind::kPark;
    outcome.reason = std::move(reason);
    outcome.park_key = std::move(key);
    outcome.at_us = at_us;
    return outcome;
  }
  static StepOutcome Dead(std::string reason, int64_t at_us = 0) {
    StepOutcome outcome;
    outcome.kind = Kind::kDead;
    outcome.reason = std::move(reason);
    outcome.at_us = at_us;
    return outcome;
  }
};

class Step {
 public:
  virtual ~Step() = default;
  virtual absl::StatusOr<StepOutcome> Run(const StepInput& input) const = 0;
};

}  // namespace navette::routes
