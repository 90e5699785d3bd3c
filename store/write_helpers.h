// Small helpers shared by the files that implement Store (store*.cc): not
// part of the store's interface.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// Every record of `column_family` under the message `id` (keys IdKey(id)
// followed by anything), parsed as `Record`, in key order. `what` names the
// records in errors ("history event", "delivery receipt").
template <typename Record>
absl::StatusOr<std::vector<Record>> ReadMessageRecords(rocksdb::DB& db,
                                                       rocksdb::ColumnFamilyHandle* column_family,
                                                       uint64_t id, std::string_view what) {
  const std::string lower = IdKey(id);
  const std::string upper = IdKey(id + 1);
  rocksdb::ReadOptions options;
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options, column_family));
  std::vector<Record> records;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (!records.emplace_back().ParseFromArray(it->value().data(),
                                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError(fmt::format("store: corrupt {}", what));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), fmt::format("reading the {}s", what));
  return records;
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
