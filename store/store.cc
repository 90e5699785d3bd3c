#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/observed_db.h"
#include "store/write_helpers.h"

namespace navette::store {
namespace {

const char* const kFixedColumnFamilies[] = {
    kJournalCf,         kStateCf,          kRouterQueueCf, kHistoryCf,
    kStatusIndexCf,     kControlIdIndexCf, kDeadLettersCf, kIdentityCf,
    kIdentityHistoryCf, kParkedCf,         kOutputsCf,     kInsIndexCf,
    kReceiptsCf,        kDocumentsCf,      kAuditCf,       kSearchIndexCf};

// The store's memory is bounded whatever the backlog (docs/design.md,
// "Memory"): every column family's blocks, indexes and filters share one
// cache, and all memtables together have one budget.
constexpr size_t kBlockCacheBytes = 32 << 20;
constexpr size_t kMemtableBudgetBytes = 64 << 20;
constexpr size_t kMemtableBytes = 16 << 20;  // per column family

rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  // Keys mostly arrive in order within a column family: inserting next to the
  // previous key skips most of the skip list's comparisons (docs/design.md).
  options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  options.write_buffer_size = kMemtableBytes;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  // Indexes and filters live in the cache too, else every table file keeps
  // its own on the heap and memory grows with the store. Partitioned, so that
  // a lookup loads a 4 KiB piece of a large file's filter rather than all of
  // it (a whole-file filter read per lookup made draining a million-message
  // backlog CPU-bound); the small top levels stay pinned.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.statistics = options.statistics;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Flushes and compactions can wait; the commit that a sender's ACK waits
  // for cannot. (Lowering priority needs no privilege.)
  db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW);
  db_options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::HIGH);
  // Reused WAL files keep their size, so each sync is a data-only
  // fdatasync with no file-size metadata to journal: shorter commits.
  db_options.recycle_log_file_num = 4;
  // Keep the WAL small enough that recovery after a crash stays quick.
  db_options.max_total_wal_size = 256 << 20;
  // Memtable insert hints (below) work only with non-concurrent inserts.
  db_options.allow_concurrent_memtable_write = false;
  db_options.db_write_buffer_size = kMemtableBudgetBytes;

  std::vector<std::string> existing;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
  if (!listed.ok()) existing.clear();  // a new store

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  for (const char* name : kFixedColumnFamilies) names.emplace_back(name);
  for (const std::string& name : existing) {
    if (name.rfind(kQueueCfPrefix, 0) == 0) names.push_back(name);
  }
  // Half of it reserved for index and filter blocks, so that reading
  // messages does not evict them.
  auto block_cache = rocksdb::NewLRUCache(kBlockCacheBytes, /*num_shard_bits=*/-1,
                                          /*strict_capacity_limit=*/false,
                                          /*high_pri_pool_ratio=*/0.5);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, ColumnFamilyOptionsFor(block_cache));
  }

  std::unique_ptr<Store> store(new Store());
  store->clock_ = options.clock;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw);
  if (!opened.ok()) {
    return absl::UnavailableError(
        fmt::format("cannot open the store at {}: {}", path, opened.ToString()));
  }
  // Every batch then goes through ObservedDb::Write: the live tap's one source.
  store->db_ = std::make_unique<ObservedDb>(raw);
  store->block_cache_ = std::move(block_cache);
  for (size_t i = 0; i < names.size(); ++i) {
    rocksdb::ColumnFamilyHandle* handle = store->handles_[i];
    const std::string& name = names[i];
    if (name == kJournalCf) store->journal_ = handle;
    if (name == kStateCf) store->state_ = handle;
    if (name == kRouterQueueCf) store->router_queue_ = handle;
    if (name == kHistoryCf) store->history_ = handle;
    if (name == kStatusIndexCf) store->status_index_ = handle;
    if (name == kControlIdIndexCf) store->control_id_index_ = handle;
    if (name == kDeadLettersCf) store->dead_letters_ = handle;
    if (name == kIdentityCf) store->identity_ = handle;
    if (name == kInsIndexCf) store->ins_index_ = handle;
    if (name == kIdentityHistoryCf) store->identity_history_ = handle;
    if (name == kParkedCf) store->parked_ = handle;
    if (name == kOutputsCf) store->outputs_ = handle;
    if (name == kReceiptsCf) store->receipts_ = handle;
    if (name == kDocumentsCf) store->documents_ = handle;
    if (name == kAuditCf) store->audit_ = handle;
    if (name == kSearchIndexCf) store->search_index_ = handle;
    if (name.rfind(kQueueCfPrefix, 0) == 0) {
      absl::Status added = store->AddQueue(name.substr(sizeof(kQueueCfPrefix) - 1), handle);
      if (!added.ok()) return added;
    }
  }
  // Audit keys go on from the last one written, so that an entry of a new
  // run never lands under (or before) an older one of the same microsecond.
  {
    std::unique_ptr<rocksdb::Iterator> last(
        store->db_->NewIterator(rocksdb::ReadOptions(), store->audit_));
    last->SeekToLast();
    if (last->Valid() && last->key().size() == 16) {
      store->audit_seq_ = ReadBigEndian64(last->key().ToStringView().substr(8)) + 1;
    }
  }
  if (absl::Status loaded = store->LoadSearchKey(); !loaded.ok()) return loaded;
  // A store from before index.ins: its identity records are indexed once.
  if (!existing.empty() &&
      std::find(existing.begin(), existing.end(), kInsIndexCf) == existing.end()) {
    absl::Status indexed = store->BuildInsIndex();
    if (!indexed.ok()) return indexed;
  }
  return store;
}

Store::~Store() {
  if (db_) {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle);
    }
    handles_.clear();
    db_->Close();
  }
}

absl::Status Store::EnsureQueues(const std::vector<std::string>& destinations) {
  std::unique_lock lock(queues_mu_);
  for (const std::string& destination : destinations) {
    if (auto found = queues_.find(destination); found != queues_.end()) {
      found->second->configured = true;
      continue;
    }
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb::Status status = db_->CreateColumnFamily(
        ColumnFamilyOptionsFor(block_cache_), std::string(kQueueCfPrefix) + destination, &handle);
    if (!status.ok()) return FromRocks(status, fmt::format("creating queue of '{}'", destination));
    handles_.push_back(handle);
    absl::Status added = AddQueue(destination, handle);
    if (!added.ok()) return added;
    queues_[destination]->configured = true;
  }
  return absl::OkStatus();
}

// Caller holds queues_mu_ exclusively, or is Open() before the store is shared.
absl::Status Store::AddQueue(const std::string& destination, rocksdb::ColumnFamilyHandle* handle) {
  auto queue = std::make_unique<QueueCf>();
  queue->handle = handle;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "reading a delivery queue");
  if (it->Valid()) queue->next_seq = ReadBigEndian64(it->key().ToStringView()) + 1;
  queues_[destination] = std::move(queue);
  return absl::OkStatus();
}

std::string Store::ConfiguredDestinations() const {
  std::shared_lock lock(queues_mu_);
  std::string names;
  for (const auto& [name, queue] : queues_) {
    if (queue->configured) names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
  }
  return names.empty() ? std::string("none") : names;
}

Store::QueueCf* Store::Queue(std::string_view destination) const {
  std::shared_lock lock(queues_mu_);
  auto it = queues_.find(destination);
  return it == queues_.end() ? nullptr : it->second.get();
}

uint64_t Store::LastMessageId() const {
  // Router-queue tickets (reroutes, releases) take ids from the same
  // generator and may be the newest: a new message must not reuse one.
  uint64_t last = 0;
  for (rocksdb::ColumnFamilyHandle* cf : {journal_, router_queue_}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    it->SeekToLast();
    if (it->Valid()) last = std::max(last, ReadBigEndian64(it->key().ToStringView()));
  }
  return last;
}

uint64_t Store::NextEventSeq() {
  const auto now = static_cast<uint64_t>(clock_->NowMicros());
  uint64_t last = last_event_seq_.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = now > last ? now : last + 1;
  } while (!last_event_seq_.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return next;
}

absl::StatusOr<std::optional<ControlIdEntry>> Store::LookupControlId(
    std::string_view source, std::string_view control_id) const {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), control_id_index_, ControlIdKey(source, control_id), &value);
  if (status.IsNotFound()) return std::optional<ControlIdEntry>();
  if (!status.ok()) return FromRocks(status, "reading the control-id index");
  ControlIdEntry entry;
  if (!entry.ParseFromString(value)) return absl::DataLossError("store: corrupt control-id entry");
  return std::optional<ControlIdEntry>(std::move(entry));
}

absl::Status Store::CommitIngress(std::span<const IngressRecord> records) {
  rocksdb::WriteBatch batch;
  for (const IngressRecord& record : records) {
    if (record.envelope == nullptr) {
      Event event;
      event.set_at_us(clock_->NowMicros());
      event.set_type(EVENT_RETRANSMISSION);
      event.set_detail("same MSH-10 and content as a message already received; acknowledged again");
      batch.Put(history_, HistoryKey(record.id, NextEventSeq()), Serialize(event));
      continue;
    }
    const navette::Envelope& envelope = *record.envelope;
    PutReceived(batch, record.id, envelope, MessageState());
    if (!envelope.hl7().control_id().empty()) {
      ControlIdEntry entry;
      entry.set_message_id(record.id);
      entry.set_content_hash(record.content_hash);
      entry.set_received_at_us(envelope.received_at_us());
      batch.Put(control_id_index_, ControlIdKey(envelope.source(), envelope.hl7().control_id()),
                Serialize(entry));
    }
    PutSearchTerms(batch, record);
  }
  return FromRocks(db_->Write(SyncedWrite(), &batch), "committing received messages");
}

void Store::PutReceived(rocksdb::WriteBatch& batch, uint64_t id, const navette::Envelope& envelope,
                        MessageState state) {
  const std::string id_key = IdKey(id);
  StoredMessage stored;
  stored.set_id(id);
  *stored.mutable_envelope() = envelope;
  batch.Put(journal_, id_key, Serialize(stored));

  state.set_status(RECEIVED);
  state.set_router_queue_key(id);
  state.set_source(envelope.source());
  state.set_control_id(envelope.hl7().control_id());
  state.set_message_type(envelope.hl7().message_type());
  state.set_received_at_us(envelope.received_at_us());
  state.set_updated_at_us(envelope.received_at_us());
  PutState(batch, state_, status_index_, id, MESSAGE_STATUS_UNSPECIFIED, state);
  batch.Put(router_queue_, id_key, "");

  Event event;
  event.set_at_us(envelope.received_at_us());
  event.set_type(EVENT_RECEIVED);
  event.set_detail(fmt::format("from {} ({} bytes)", envelope.peer(), envelope.raw().size()));
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
}

absl::StatusOr<StoredMessage> Store::GetMessage(uint64_t id) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), journal_, IdKey(id), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(fmt::format("no message {}", fmt::format("{:016x}", id)));
  }
  if (!status.ok()) return FromRocks(status, "reading the journal");
  StoredMessage message;
  if (!message.ParseFromString(value)) return absl::DataLossError("store: corrupt journal entry");
  return message;
}

absl::StatusOr<MessageState> Store::GetState(uint64_t id) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), state_, IdKey(id), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(fmt::format("no message {:016x}", id));
  }
  if (!status.ok()) return FromRocks(status, "reading message state");
  MessageState state;
  if (!state.ParseFromString(value)) return absl::DataLossError("store: corrupt message state");
  return state;
}

std::vector<std::unique_lock<std::mutex>> Store::LockStates(const std::vector<uint64_t>& ids) {
  std::set<size_t> stripes;
  for (uint64_t id : ids) stripes.insert(id % state_locks_.size());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t stripe : stripes) locks.emplace_back(state_locks_[stripe]);
  return locks;
}

absl::Status Store::SaveConfigVersion(std::string_view version, std::string_view text) {
  return FromRocks(
      db_->Put(SyncedWrite(), ConfigKey(version), rocksdb::Slice(text.data(), text.size())),
      "saving the configuration version");
}
}  // namespace navette::store
