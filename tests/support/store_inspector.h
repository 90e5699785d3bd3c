// What tests read and write in a Store beyond what the engine uses: the
// identity history and parked lists, the raw database, and shorthands for
// committing one routing or one attempt. Kept out of store/store.h so that
// the store's interface is what the engine calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/identity.pb.h"
#include "store/keys.h"
#include "store/store.h"

namespace navette::store {

// Reaches into a Store (a friend of it) for tests.
class StoreInspector {
 public:
  explicit StoreInspector(Store& store) : store_(store) {}

  rocksdb::DB& db() const { return *store_.db_; }
  // A column family by name (store/keys.h), for writing behind the store's
  // back; null if the store has none of that name.
  rocksdb::ColumnFamilyHandle* ColumnFamily(std::string_view name) const {
    for (rocksdb::ColumnFamilyHandle* handle : store_.handles_) {
      if (handle->GetName() == name) return handle;
    }
    return nullptr;
  }

  // Whether the store holds a queue for `destination` (configured or not).
  bool HasQueue(std::string_view destination) const { return store_.Queue(destination) != nullptr; }

 private:
  Store& store_;
};

// One message routed to `deliveries` by `routes` (none: unrouted).
inline absl::Status CommitRouting(Store& store, uint64_t id, const std::vector<std::string>& routes,
                                  const std::vector<RoutedDelivery>& deliveries,
                                  std::string_view config_version) {
  RoutingDecision decision;
  decision.id = id;
  decision.routes = routes;
  decision.deliveries = deliveries;
  return store.CommitRouting({&decision, 1}, config_version);
}

inline absl::Status CommitDelivered(Store& store, std::string_view destination,
                                    const QueuedTask& task, int64_t duration_us,
                                    std::string_view detail) {
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.result = AttemptResult::kDelivered;
  outcome.duration_us = duration_us;
  outcome.detail = std::string(detail);
  return store.CommitDeliveryOutcomes(destination, {&outcome, 1});
}

inline absl::Status CommitAttemptFailed(Store& store, std::string_view destination,
                                        const QueuedTask& task, int64_t duration_us,
                                        std::string_view error, int64_t next_attempt_us) {
  DeliveryOutcome outcome;
  outcome.task = &task;
  outcome.result = AttemptResult::kRetry;
  outcome.duration_us = duration_us;
  outcome.detail = std::string(error);
  outcome.next_attempt_us = next_attempt_us;
  return store.CommitDeliveryOutcomes(destination, {&outcome, 1});
}

}  // namespace navette::store
