#include "store/observed_db.h"

#include <map>
#include <string>
#include <utility>

#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/store.h"

namespace navette::store {
namespace {

// Collects, from a batch, the history events it puts and the sources of the
// message states it puts. Every other operation is passed over (the base
// Handler refuses those on non-default column families, which would stop the
// walk).
class HistoryCollector final : public rocksdb::WriteBatch::Handler {
 public:
  HistoryCollector(uint32_t history_id, uint32_t state_id)
      : history_id_(history_id), state_id_(state_id) {}

  rocksdb::Status PutCF(uint32_t column_family_id, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    // history: id(8) event_seq(8) -> Event; state: id(8) -> MessageState.
    if (column_family_id == history_id_ && key.size() == 16) {
      CommittedEvent committed;
      committed.message_id = ReadBigEndian64(key.ToStringView());
      if (committed.event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        events.push_back(std::move(committed));
      }
    } else if (column_family_id == state_id_ && key.size() == 8) {
      MessageState state;
      if (state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        sources[ReadBigEndian64(key.ToStringView())] = state.source();
      }
    }
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }

  std::vector<CommittedEvent> events;
  std::map<uint64_t, std::string> sources;

 private:
  const uint32_t history_id_;
  const uint32_t state_id_;
};

}  // namespace

void ObservedDb::Observe(CommitObserver* observer, rocksdb::ColumnFamilyHandle* history,
                         rocksdb::ColumnFamilyHandle* state) {
  history_.store(history, std::memory_order_relaxed);
  state_.store(state, std::memory_order_relaxed);
  observer_.store(observer, std::memory_order_release);
}

rocksdb::Status ObservedDb::Write(const rocksdb::WriteOptions& options,
                                  rocksdb::WriteBatch* batch) {
  CommitObserver* observer = observer_.load(std::memory_order_acquire);
  if (observer == nullptr || !observer->Listening()) return db_->Write(options, batch);
  std::lock_guard publishing(publish_mu_);
  rocksdb::Status written = db_->Write(options, batch);
  if (!written.ok()) return written;
  std::vector<CommittedEvent> events = EventsOf(*batch);
  if (!events.empty()) observer->Committed(std::move(events));
  return written;
}

std::vector<CommittedEvent> ObservedDb::EventsOf(rocksdb::WriteBatch& batch) {
  rocksdb::ColumnFamilyHandle* state = state_.load(std::memory_order_relaxed);
  HistoryCollector collector(history_.load(std::memory_order_relaxed)->GetID(), state->GetID());
  // A batch Write() accepted can be walked: a failure here would only mean
  // fewer events on the tap, never a failed commit.
  (void)batch.Iterate(&collector);
  for (CommittedEvent& committed : collector.events) {
    auto known = collector.sources.find(committed.message_id);
    if (known == collector.sources.end()) {
      // Events written without the message's state (a retransmission, a
      // late receipt, an identity update's ADT): read it once.
      std::string value;
      MessageState read;
      if (db_->Get(rocksdb::ReadOptions(), state, IdKey(committed.message_id), &value).ok() &&
          read.ParseFromString(value)) {
        known = collector.sources.emplace(committed.message_id, read.source()).first;
      } else {
        known = collector.sources.emplace(committed.message_id, std::string()).first;
      }
    }
    committed.source = known->second;
  }
  return std::move(collector.events);
}

void Store::SetCommitObserver(CommitObserver* observer) {
  // Store::Open always wraps its database in an ObservedDb.
  static_cast<ObservedDb&>(*db_).Observe(observer, history_, state_);
}

}  // namespace navette::store
