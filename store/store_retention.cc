// Store: retention (store/retention.h says what goes and what stays).
//
// Messages are found through index.status, one final status at a time: the
// entries of a status are in id order and ids begin with their time, so
// "delivered before the cutoff" is one key range. Each candidate is read
// again under its state lock, and removed only if it is still in that
// status, unchanged since the cutoff, and pending nowhere: a replay or a
// release racing with retention wins.
//
// Records go by point deletes of the keys found (a message has a handful
// of history events, outputs and receipts), never by DeleteRange: the
// store's column families insert with a memtable hint (store.cc), which
// RocksDB 7.8's range tombstones do not support (its memtable asserts on
// them), and a range tombstone per message would slow reads until
// compaction anyway. Then the spans emptied are compacted to the bottom
// level, so that the space comes back now rather than whenever RocksDB
// next compacts them (docs/retention.md).
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {
namespace {

// default CF: the id below which history has been trimmed (8 bytes), so
// that each run reads only the messages that crossed the history age since.
constexpr char kHistoryCursorKey[] = "retention/history_through";

bool IsFinal(MessageStatus status) {
  return status == DELIVERED || status == DEAD || status == DISCARDED || status == UNROUTED ||
         status == CONSUMED;
}

bool IsPendingAnywhere(const MessageState& state) {
  if (state.router_queue_key() != 0 || state.parked_size() > 0) return true;
  return std::any_of(state.destinations().begin(), state.destinations().end(),
                     [](const DestinationState& destination) {
                       return destination.status() == DELIVERY_QUEUED ||
                              destination.status() == DELIVERY_RETRYING;
                     });
}

uint64_t IdBound(int64_t cutoff_us) {
  return std::max<uint64_t>(MessageIdLowerBound(std::max<int64_t>(cutoff_us, 0)), 1);
}

bool Stopped(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// Compacts [lower, upper) of `cf` down to the bottom level, so that the
// tombstones and what they cover are both gone.
absl::Status CompactSpan(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& lower,
                         const std::string& upper, std::atomic<bool>* stop) {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  options.canceled = stop;
  rocksdb::Slice begin(lower), end(upper);
  rocksdb::Status status = db.CompactRange(options, cf, &begin, &end);
  if (status.IsManualCompactionPaused()) return absl::OkStatus();  // stopping
  return FromRocks(status, "compacting what retention removed");
}

}  // namespace

absl::StatusOr<RetentionReport> Store::ApplyRetention(const RetentionPolicy& policy,
                                                      const PatientIdsReader& patient_ids,
                                                      std::atomic<bool>* stop) {
  RetentionReport report;
  const int64_t now = clock_->NowMicros();
  const size_t batch_size = std::max<size_t>(policy.batch_size, 1);
  uint64_t lowest = ~uint64_t{0}, highest = 0;  // the span of ids removed

  for (const auto& [status, max_age_us] : policy.max_age_us) {
    if (max_age_us <= 0 || !IsFinal(status)) continue;
    const int64_t cutoff = now - max_age_us;
    const std::string upper_key = StatusIndexKey(status, IdBound(cutoff));
    std::string from = StatusIndexKey(status, 0);
    while (!Stopped(stop)) {
      std::vector<uint64_t> ids;
      {
        rocksdb::ReadOptions options;
        rocksdb::Slice upper(upper_key);
        options.iterate_upper_bound = &upper;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, status_index_));
        for (it->Seek(from); it->Valid() && ids.size() < batch_size; it->Next()) {
          ids.push_back(
              ReadBigEndian64(std::string_view(it->key().data(), it->key().size()).substr(1)));
        }
        if (!it->status().ok()) return FromRocks(it->status(), "listing messages by status");
      }
      if (ids.empty()) break;
      from = StatusIndexKey(status, ids.back() + 1);

      rocksdb::WriteBatch batch;
      auto locks = LockStates(ids);
      for (uint64_t id : ids) {
        auto state = GetState(id);
        if (absl::IsNotFound(state.status())) continue;
        if (!state.ok()) return state.status();
        if (state->status() != status || state->updated_at_us() >= cutoff ||
            IsPendingAnywhere(*state)) {
          continue;
        }
        if (absl::Status removed = RemoveMessage(batch, id, *state, patient_ids, report);
            !removed.ok()) {
          return removed;
        }
        ++report.removed[status];
        lowest = std::min(lowest, id);
        highest = std::max(highest, id);
      }
      if (batch.Count() > 0) {
        if (absl::Status written =
                FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "removing old messages");
            !written.ok()) {
          return written;
        }
      }
    }
  }

  if (policy.history_max_age_us > 0 && !Stopped(stop)) {
    if (absl::Status trimmed =
            TrimHistory(now - policy.history_max_age_us, batch_size, report, stop);
        !trimmed.ok()) {
      return trimmed;
    }
  }

  std::string audit_lower, audit_upper;
  if (policy.audit_max_age_us > 0 && !Stopped(stop)) {
    audit_lower = AuditKey(0, 0);
    audit_upper = AuditKey(now - policy.audit_max_age_us, 0);
    rocksdb::ReadOptions options;
    rocksdb::Slice upper(audit_upper);
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, audit_));
    rocksdb::WriteBatch batch;
    for (it->Seek(audit_lower); it->Valid(); it->Next()) {
      batch.Delete(audit_, it->key());
      ++report.audit_entries_removed;
      if (batch.Count() >= static_cast<uint32_t>(batch_size)) {
        if (absl::Status written = FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                                             "removing old audit entries");
            !written.ok()) {
          return written;
        }
        batch.Clear();
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading old audit entries");
    if (batch.Count() > 0) {
      if (absl::Status written =
              FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "removing old audit entries");
          !written.ok()) {
        return written;
      }
    }
  }

  // Give the space back.
  if (highest != 0) {
    const std::string lower_key = IdKey(lowest), upper_key = IdKey(highest + 1);
    for (rocksdb::ColumnFamilyHandle* cf : {journal_, state_, history_, outputs_, receipts_}) {
      if (absl::Status compacted = CompactSpan(*db_, cf, lower_key, upper_key, stop);
          !compacted.ok()) {
        return compacted;
      }
    }
    for (const auto& [status, count] : report.removed) {
      if (absl::Status compacted = CompactSpan(*db_, status_index_, StatusIndexKey(status, lowest),
                                               StatusIndexKey(status, highest + 1), stop);
          !compacted.ok()) {
        return compacted;
      }
    }
  }
  if (report.audit_entries_removed > 0) {
    if (absl::Status compacted = CompactSpan(*db_, audit_, audit_lower, audit_upper, stop);
        !compacted.ok()) {
      return compacted;
    }
  }
  return report;
}

absl::Status Store::RemoveMessage(rocksdb::WriteBatch& batch, uint64_t id,
                                  const MessageState& state, const PatientIdsReader& patient_ids,
                                  RetentionReport& report) {
  const std::string id_key = IdKey(id);
  // The index entries that the journal record names, before it goes.
  auto message = GetMessage(id);
  if (message.ok()) {
    const navette::Envelope& envelope = message->envelope();
    DeleteSearchTerms(batch, id, envelope, patient_ids ? patient_ids(envelope) : PatientIds{});
  } else if (!absl::IsNotFound(message.status())) {
    return message.status();
  }
  batch.Delete(journal_, id_key);
  batch.Delete(state_, id_key);
  batch.Delete(status_index_, StatusIndexKey(state.status(), id));
  batch.Delete(router_queue_, id_key);

  // A message's records under its id; the outputs also say which documents
  // it emitted.
  std::vector<std::string> document_ids;
  const std::string upper = IdKey(id + 1);
  for (rocksdb::ColumnFamilyHandle* cf : {history_, outputs_, receipts_}) {
    rocksdb::ReadOptions options;
    rocksdb::Slice upper_slice(upper);
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, cf));
    for (it->Seek(id_key); it->Valid(); it->Next()) {
      batch.Delete(cf, it->key());
      if (cf != outputs_) continue;
      RouteOutput output;
      if (output.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) &&
          !output.document().cda().id().empty()) {
        document_ids.push_back(output.document().cda().id());
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading a message's records");
  }

  // index.msh10 names the latest message of a (source, MSH-10): only this
  // one's entry goes, not a newer message's.
  if (!state.control_id().empty()) {
    auto entry = LookupControlId(state.source(), state.control_id());
    if (!entry.ok()) return entry.status();
    if (entry->has_value() && (*entry)->message_id() == id) {
      batch.Delete(control_id_index_, ControlIdKey(state.source(), state.control_id()));
    }
  }

  std::set<std::string> destinations, dead;
  for (const DestinationState& destination : state.destinations()) {
    destinations.insert(destination.destination());
    if (destination.status() == DELIVERY_DEAD) dead.insert(destination.destination());
  }
  for (const std::string& destination : dead) {
    batch.Delete(dead_letters_, DeadLetterKey(destination, id));
    ++report.dead_letters[destination];
  }

  std::sort(document_ids.begin(), document_ids.end());
  document_ids.erase(std::unique(document_ids.begin(), document_ids.end()), document_ids.end());
  for (const std::string& document_id : document_ids) {
    if (absl::Status removed = RemoveDocumentVersion(batch, id, document_id, destinations, report);
        !removed.ok()) {
      return removed;
    }
  }
  return absl::OkStatus();
}

absl::Status Store::RemoveDocumentVersion(rocksdb::WriteBatch& batch, uint64_t id,
                                          const std::string& document_id,
                                          const std::set<std::string>& destinations,
                                          RetentionReport& report) {
  auto version = GetDocumentVersion(document_id);
  if (!version.ok()) return version.status();
  if (!version->has_value() || (*version)->message_id() != id) return absl::OkStatus();
  const DocumentVersion& kept = **version;
  if (!kept.set_id().empty()) {
    // The newest version of its set stays (retention.h says why).
    const std::string prefix = DocumentSetPrefix(kept.set_id());
    bool newer = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), documents_));
    for (it->Seek(DocumentSetKey(kept.set_id(), uint64_t{kept.version()} + 1));
         it->Valid() && it->key().starts_with(prefix); it->Next()) {
      newer = true;
      break;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "listing a document's versions");
    if (!newer) return absl::OkStatus();
    batch.Delete(documents_, DocumentSetKey(kept.set_id(), kept.version()));
    for (const std::string& destination : destinations) {
      batch.Delete(documents_, DocumentReceiptKey(kept.set_id(), destination, id));
    }
  }
  batch.Delete(documents_, document_id);
  ++report.document_versions_removed;
  return absl::OkStatus();
}

absl::Status Store::TrimHistory(int64_t cutoff_us, size_t batch_size, RetentionReport& report,
                                std::atomic<bool>* stop) {
  uint64_t through = 0;
  {
    std::string value;
    rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), kHistoryCursorKey, &value);
    if (read.ok() && value.size() == 8) through = ReadBigEndian64(value);
    if (!read.ok() && !read.IsNotFound()) return FromRocks(read, "reading the history cursor");
  }
  const uint64_t upper_id = IdBound(cutoff_us);
  if (through >= upper_id) return absl::OkStatus();
  const std::string first_key = IdKey(through), upper_key = IdKey(upper_id);
  rocksdb::ReadOptions options;
  rocksdb::Slice upper(upper_key);
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, history_));

  rocksdb::WriteBatch batch;
  size_t messages = 0;
  uint64_t current = 0;
  std::vector<std::string> keys;  // the current message's events, in order
  // Drops the current message's events older than the cutoff, its last one
  // excepted: `messages show` still says how it ended.
  auto flush_message = [&] {
    for (size_t i = 0; i + 1 < keys.size(); ++i) {
      if (static_cast<int64_t>(ReadBigEndian64(std::string_view(keys[i]).substr(8))) >= cutoff_us) {
        break;
      }
      batch.Delete(history_, keys[i]);
      ++report.history_events_removed;
    }
    keys.clear();
  };
  auto write = [&](uint64_t cursor) {
    std::string value;
    AppendBigEndian64(value, cursor);
    batch.Put(kHistoryCursorKey, value);
    absl::Status written =
        FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "trimming history");
    batch.Clear();
    return written;
  };
  for (it->Seek(first_key); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    const uint64_t id = ReadBigEndian64(key);
    if (id != current && !keys.empty()) {
      flush_message();
      if (++messages % batch_size == 0) {
        if (absl::Status written = write(id); !written.ok()) return written;
        if (Stopped(stop)) return absl::OkStatus();
      }
    }
    current = id;
    keys.emplace_back(key);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  flush_message();
  if (absl::Status written = write(upper_id); !written.ok()) return written;
  if (report.history_events_removed > 0) {
    return CompactSpan(*db_, history_, first_key, upper_key, stop);
  }
  return absl::OkStatus();
}

}  // namespace navette::store
