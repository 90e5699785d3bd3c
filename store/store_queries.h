// What the store's read queries take and answer: finding messages
// (store_search.cc), the audit trail (store_audit.cc), dead letters and
// parked messages (store_queries.cc), identity records (store_identity.cc). Apart from store.h,
// whose Store declares the queries, so that each file keeps one job.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/identity.pb.h"
#include "proto/store.pb.h"

namespace navette::store {

struct DeadLetter {
  std::string destination;
  uint64_t id = 0;
};

struct AuditFilter {
  std::string user = {};    // empty: any
  uint64_t message_id = 0;  // 0: any
  int64_t since_us = 0;     // entries at or after; 0: from the first
  size_t limit = 100;
  std::string cursor = {};  // empty: from the newest; else AuditPage::next_cursor
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  // Where the next page starts (older entries); empty when there are none.
  std::string next_cursor;
};

// A parked message and the key it waits under: a patient key, or an
// InsParkKey (store/keys.h).
struct ParkedEntry {
  std::string patient;
  uint64_t id = 0;
};

struct ParkedCount {
  uint64_t messages = 0;   // messages with at least one parked route
  uint64_t oldest_id = 0;  // the oldest of them (ids are time-ordered); 0 when none
};

// An identity record with the patient key it is filed under (keys.h).
struct IdentityRecord {
  std::string patient;
  identity::Identity identity;
};

struct ListedMessage {
  uint64_t id = 0;
  MessageState state;
};

// What `messages list` and GET /v1/messages filter by, all combined
// (store_search.cc). Empty fields do not filter.
struct SearchFilter {
  std::string ipp = {};
  std::string ins = {};
  std::string control_id = {};   // MSH-10
  std::string document_id = {};  // a CDA document id (build_cda)
  std::string set_id = {};       // every version of a document
  std::string source = {};
  std::string route = {};
  std::string destination = {};
  std::optional<MessageStatus> status = {};
  int64_t since_us = 0;    // received at or after; 0: no bound
  int64_t until_us = 0;    // received before; 0: no bound
  uint64_t before_id = 0;  // the cursor: ids below it; 0: from the newest
  size_t limit = 100;
  // A last check the caller makes on each candidate that passed the others
  // (a field of the message: engine/admin_search.h); unset: none. It reads
  // the message itself, so give it time bounds.
  std::function<absl::StatusOr<bool>(uint64_t id)> also = {};
};

struct SearchPage {
  std::vector<ListedMessage> messages;  // newest first
  // Pass as before_id for the next page; 0 when there is none.
  uint64_t next_before_id = 0;
};

}  // namespace navette::store
