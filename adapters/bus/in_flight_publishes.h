// Publishes sent on the bus and waiting for the engine's confirm, keyed by
// correlation id; shared by the bus publishers. Correlations grow with time
// and every publish gets the same timeout, so the map is also in deadline
// order. Used by one thread at a time (the publisher's). Each callback is
// removed before it is called, so a callback may publish again.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

#include "adapters/bus/publisher.h"

namespace navette::adapters::bus {

class InFlightPublishes {
 public:
  explicit InFlightPublishes(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  void Add(uint64_t correlation, PublishCallback done);
  // Completes the publish a BusReply frame answers: its result, or the
  // confirm's error as publisher.h says (InvalidArgument when permanent,
  // Unavailable otherwise). Replies to publishes that already expired are
  // ignored: their senders were told to send again.
  void Complete(const void* frame, size_t size);
  // Fails the publishes whose confirm is overdue.
  void ExpireOverdue(std::chrono::steady_clock::time_point now);
  // Fails one publish, if it is still waiting.
  void Fail(uint64_t correlation, const absl::Status& status);
  void FailAll(const absl::Status& status);
  bool empty() const { return pending_.empty(); }
  // Whether the publish is still waiting (not yet answered, expired or failed).
  bool Contains(uint64_t correlation) const { return pending_.contains(correlation); }

 private:
  struct Pending {
    PublishCallback done;
    std::chrono::steady_clock::time_point deadline;
  };
  const std::chrono::milliseconds timeout_;
  std::map<uint64_t, Pending> pending_;
};

}  // namespace navette::adapters::bus
