// The interface an inbound adapter uses to hand a message to the engine.
//
// Contract: `done` is called exactly once, from any thread. It carries the
// message id only after the engine has durably committed the message; an
// adapter must not acknowledge the message to its sender before that (HL7 AA,
// file move, HTTP 202). An error means nothing was committed and the sender
// must be told so:
//   InvalidArgument   the engine refused the message itself (it cannot read
//                     it): sending it again would fail the same way. The
//                     status message, written by the engine, is the reason
//                     to give the sender (HL7 AR).
//   ResourceExhausted the engine takes no new message for now (intake paused:
//                     its data volume is low on space). The status message,
//                     written by the engine, may be given to the sender, who
//                     should send the message again later (HL7 AE). The
//                     engine counted and logged it: the adapter need not.
//   any other code    the engine could not store it, did not answer in time
//                     or is going away: the sender should send it again
//                     (HL7 AE).
#pragma once

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::bus {

struct PublishResult {
  uint64_t message_id = 0;
  // The message was a retransmission of one already committed.
  bool duplicate = false;
};

using PublishCallback = std::function<void(absl::StatusOr<PublishResult>)>;

class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual void Publish(navette::Envelope envelope, PublishCallback done) = 0;
};

}  // namespace navette::adapters::bus
