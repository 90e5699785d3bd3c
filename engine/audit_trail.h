// Who did what through the admin API, recorded in the store's audit column
// family (store/store.h, AppendAudit; docs/audit.md):
//
//   action          when                                    message ids  detail
//   view_payload    GET /v1/messages/{id} with its text     the message
//   view_delivered  GET /v1/messages/{id}/delivered         the message  the destination
//   replay          POST /v1/messages/{id}/replay           the message  the destination, if one
//   discard         POST /v1/messages/{id}/discard          the message
//   release         POST /v1/messages/{id}/release          the message
//   bulk_replay     POST /v1/replays                        none         the job and its filter
//
// A payload is shown only once its view is recorded: when the entry cannot
// be written, the request fails (500) and nothing is shown. An action is
// recorded once done, with its outcome when it was refused. Entries carry
// the token's user and role, the client's address, ids and setting names;
// never patient data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "engine/auth.h"
#include "store/store.h"

namespace navette::engine {

class AuditTrail {
 public:
  // `store` and `clock` must outlive the trail.
  AuditTrail(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  absl::Status Record(const Principal& who, std::string_view peer, std::string_view action,
                      const std::vector<uint64_t>& message_ids, std::string_view detail = {});

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace navette::engine
