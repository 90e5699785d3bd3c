// Reads one bus request frame (proto/bus.proto) for ingress, and says how to
// answer it when it cannot be committed, so that no request ever waits for
// the adapter's confirm timeout:
//
//   frame                                        becomes
//   a BusRequest with a Publish                  PublishRequest: to commit
//   a Publish whose envelope does not parse      RefusedRequest: answered at once with a
//     (e.g. a string field that is not UTF-8)      permanent error (the adapter answers AR)
//   anything without a readable correlation      UnreadableRequest: nothing to answer it
//     (not a bus request, not a publish)           with; logged and counted only
//
// The correlation of a publish whose envelope cannot be read comes from the
// lenient mirror LenientBusRequest, whose envelope is bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "proto/envelope.pb.h"

namespace navette::engine {

struct PublishRequest {
  uint64_t correlation = 0;
  navette::Envelope envelope;
};

struct RefusedRequest {
  uint64_t correlation = 0;
  // For the log and the Confirm's error, which the adapter gives the sender:
  // names the envelope field at fault, never its content.
  std::string reason;
};

struct UnreadableRequest {
  std::string reason;  // for the log
};

using BusRequestRead = std::variant<PublishRequest, RefusedRequest, UnreadableRequest>;

BusRequestRead ReadBusRequest(std::string_view payload);

}  // namespace navette::engine
