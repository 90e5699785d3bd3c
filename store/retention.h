// What the store keeps, and for how long (Store::ApplyRetention,
// store_retention.cc).
//
// A message is removed when it is in a final status (delivered, dead,
// discarded, unrouted, consumed) whose age is set, and its last change is
// older than that age. It goes with every record under its id (journal,
// state, history, outputs, receipts) and every index entry that points to
// it (index.status, index.msh10 when it still names it, index.search, dead
// letters, the document versions it emitted). A message still pending
// anywhere is never removed: a delivery queued or retrying, a route parked
// for an identity, or a wait in the router queue.
//
// Two document records outlive their message on purpose: the newest
// version of each setId and the receipts about it. A replacement months
// later (TXA-13, an RPLC in the DMP) needs that version's number and the
// DMP's entryUUID; older versions of the set go with their messages.
//
// History and audit have ages of their own: a kept message loses the events
// older than the history age but its last one, and audit entries older than
// the audit age are removed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "proto/envelope.pb.h"
#include "proto/store.pb.h"

namespace navette::store {

struct PatientIds;

struct RetentionPolicy {
  // Per final status, the age (since the message's last change, in
  // microseconds) past which it is removed; a status absent or at 0 is
  // kept for ever.
  std::map<MessageStatus, int64_t> max_age_us;
  // Events older than this are dropped from the messages kept, each
  // message's last event excepted; 0: kept as long as the message.
  int64_t history_max_age_us = 0;
  // Audit entries older than this are removed; 0: kept for ever.
  int64_t audit_max_age_us = 0;
  // Messages removed per write batch (and per hold of their state locks).
  size_t batch_size = 1000;
};

struct RetentionReport {
  std::map<MessageStatus, uint64_t> removed;     // messages, per status
  std::map<std::string, uint64_t> dead_letters;  // removed, per destination
  uint64_t history_events_removed = 0;
  uint64_t audit_entries_removed = 0;
  uint64_t document_versions_removed = 0;
  uint64_t messages_removed() const {
    uint64_t total = 0;
    for (const auto& [status, count] : removed) total += count;
    return total;
  }
};

// The patient identifiers of a message as received (the engine's PID-3
// reading), so that its index.search entries can be found and removed.
using PatientIdsReader = std::function<PatientIds(const navette::Envelope&)>;

}  // namespace navette::store
