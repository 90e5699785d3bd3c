// What the store tells an observer about each batch it commits: the history
// events the batch wrote, once the write has succeeded (never before, so that
// nothing is shown that a failed commit did not keep). The engine's live tap
// (engine/event_feed.h) is the one observer.
//
// Contract, kept by store/observed_db.h:
//   - Listening() is read before each commit; while it is false the store
//     does no work for the observer (no parsing, no allocation, no lock).
//   - Committed() is called on the committing thread, in commit order: the
//     store serialises its commits with their publication while someone
//     listens, so that a message's `received` is never published after the
//     `routed` of the router's later batch. It must not block: it copies
//     what it needs into bounded buffers and returns.
//   - Events come in batch order, which is each message's event order
//     (history keys are strictly increasing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/store.pb.h"

namespace navette::store {

// A history event as committed, with what a filter needs beside it.
struct CommittedEvent {
  uint64_t message_id = 0;
  Event event;
  // The message's source, from its state (in the batch, or read after it);
  // empty when the message has no state.
  std::string source;
};

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // Whether anyone wants the events now; cheap (an atomic read).
  virtual bool Listening() const = 0;
  // The events of one committed batch (never empty).
  virtual void Committed(std::vector<CommittedEvent> events) = 0;
};

}  // namespace navette::store
