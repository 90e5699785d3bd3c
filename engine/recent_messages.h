// Recent messages: the messages ingress has just committed, handed to the
// router in memory so that it does not read back from the journal what it
// was just sent (about 5 µs of CPU a message: a RocksDB Get and the parse of
// the stored copy; docs/performance.md, "Throughput").
//
// Only a shortcut: the journal stays the truth, and the router reads it for
// every message it does not find here (a release, a replay, a message
// committed while the handoff was full, everything after a restart). The
// handoff is bounded in messages and bytes; when full, ingress simply puts
// nothing more until the router has taken some.
//
// The router routes new messages in id order, so taking a message also
// drops any older one left here (one the router read from the journal
// because it looked before ingress put it): nothing stays behind.
//
// Thread safety: Put from the ingress thread, Take from the router's; any
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "proto/envelope.pb.h"

namespace navette::engine {

class RecentMessages {
 public:
  struct Limits {
    size_t max_messages = 4096;
    size_t max_bytes = 16 << 20;  // of raw messages
  };
  RecentMessages() : RecentMessages(Limits{}) {}
  explicit RecentMessages(Limits limits) : limits_(limits) {}

  // After the commit of message `id`: keeps its envelope for the router,
  // unless the handoff is full. Takes the envelope either way.
  void Put(uint64_t id, navette::Envelope envelope);
  // The envelope of message `id`, if ingress put it and it is still here;
  // drops every older one.
  std::optional<navette::Envelope> Take(uint64_t id);

  size_t size() const;

 private:
  const Limits limits_;
  mutable std::mutex mu_;
  std::map<uint64_t, navette::Envelope> messages_;  // under mu_
  size_t bytes_ = 0;                                // under mu_
};

}  // namespace navette::engine
