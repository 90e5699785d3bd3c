// Store: what the admin API reads and counts (history, dead letters, parked);
// messages are found by store_search.cc.
#include <string>
#include <string_view>
#include <vector>

#include <map>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::StatusOr<std::vector<Event>> Store::GetHistory(uint64_t id) const {
  return ReadMessageRecords<Event>(*db_, history_, id, "history event");
}

absl::StatusOr<std::vector<DeadLetter>> Store::ListDeadLetters(std::string_view destination,
                                                               const DeadLetter* after,
                                                               size_t limit) const {
  std::string lower;
  if (after != nullptr) {
    lower = DeadLetterKey(after->destination, after->id);
    lower.push_back('\0');  // just past it
  } else if (!destination.empty()) {
    lower = std::string(destination);
    lower.push_back('\0');
  }
  std::string upper;
  if (!destination.empty()) {
    upper = std::string(destination);
    upper.push_back('\1');  // every key of this destination is "<name>\0<id>"
  }
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  if (!lower.empty()) options.iterate_lower_bound = &lower_slice;
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, dead_letters_));
  std::vector<DeadLetter> letters;
  for (it->Seek(lower); it->Valid() && letters.size() < limit; it->Next()) {
    std::string_view key = it->key().ToStringView();
    const size_t separator = key.find('\0');
    if (separator == std::string_view::npos || key.size() != separator + 9) {
      return absl::DataLossError("store: corrupt dead letter key");
    }
    letters.push_back(
        {std::string(key.substr(0, separator)), ReadBigEndian64(key.substr(separator + 1))});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the dead letters");
  return letters;
}

absl::StatusOr<std::map<std::string, uint64_t>> Store::CountDeadLetters() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), dead_letters_));
  std::map<std::string, uint64_t> counts;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    ++counts[std::string(key.substr(0, key.find('\0')))];
  }
  if (!it->status().ok()) return FromRocks(it->status(), "counting the dead letters");
  return counts;
}

absl::StatusOr<ParkedCount> Store::CountParked() const {
  // A message is parked under one patient key (its own), whatever the
  // number of its parked routes: one key per message.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), parked_));
  ParkedCount count;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() < 8) continue;
    const uint64_t id = ReadBigEndian64(key.substr(key.size() - 8));
    ++count.messages;
    if (count.oldest_id == 0 || id < count.oldest_id) count.oldest_id = id;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "counting the parked messages");
  return count;
}

absl::StatusOr<std::vector<ParkedEntry>> Store::ListAllParked(size_t limit, bool* truncated) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), parked_));
  std::vector<ParkedEntry> entries;
  *truncated = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // patient '\0' id(8): the patient key holds no '\0' (keys.h).
    const std::string_view key = it->key().ToStringView();
    if (key.size() < 9 || key[key.size() - 9] != '\0') {
      return absl::DataLossError("store: corrupt parked key");
    }
    if (entries.size() == limit) {
      *truncated = true;
      break;
    }
    entries.push_back(ParkedEntry{.patient = std::string(key.substr(0, key.size() - 9)),
                                  .id = ReadBigEndian64(key.substr(key.size() - 8))});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing the parked messages");
  return entries;
}

}  // namespace navette::store
