// Small helpers shared by the files that implement Store (store*.cc): not
// part of the store's interface.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "absl/status/status.h"
#include "proto/store.pb.h"
#include "store/keys.h"
#include "store/message_state.h"

namespace navette::store {

inline absl::Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(fmt::format("store: {}: {}", what, status.ToString()));
}

inline std::string Serialize(const google::protobuf::Message& message) {
  std::string out;
  message.SerializeToString(&out);
  return out;
}

inline rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

// Puts the new state and moves its status index entry, in `batch`.
inline void PutState(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* state_cf,
                     rocksdb::ColumnFamilyHandle* index_cf, uint64_t id, MessageStatus previous,
                     const MessageState& state) {
  if (previous != MESSAGE_STATUS_UNSPECIFIED && previous != state.status()) {
    batch.Delete(index_cf, StatusIndexKey(previous, id));
  }
  if (previous != state.status()) batch.Put(index_cf, StatusIndexKey(state.status(), id), "");
  batch.Put(state_cf, IdKey(id), Serialize(state));
}

// Removes the elements of a repeated message field that `pred` selects.
template <typename T, typename Pred>
void EraseIf(google::protobuf::RepeatedPtrField<T>& field, Pred pred) {
  field.erase(std::remove_if(field.begin(), field.end(), pred), field.end());
}

// The destination entry whose pending task is `queue_key`, or null.
inline DestinationState* PendingEntry(MessageState& state, std::string_view destination,
                                      std::string_view queue_key) {
  for (DestinationState& entry : *state.mutable_destinations()) {
    if (entry.destination() == destination && entry.queue_key() == queue_key &&
        IsPendingStatus(entry.status())) {
      return &entry;
    }
  }
  return nullptr;
}

}  // namespace navette::store
