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

#include "common/clock.h"
#include "store/keys.h"
#include "store/write_helpers.h"

namespace navette::store {
namespace {

const char* const kFixedColumnFamilies[] = {
    kJournalCf,     kStateCf,    kRouterQueueCf,     kHistoryCf, kStatusIndexCf, kControlIdIndexCf,
    kDeadLettersCf, kIdentityCf, kIdentityHistoryCf, kParkedCf,  kOutputsCf,     kInsIndexCf};

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

// The destination entry whose pending task is `queue_key`, or null.
DestinationState* PendingEntry(MessageState& state, std::string_view destination,
                               std::string_view queue_key) {
  for (DestinationState& entry : *state.mutable_destinations()) {
    if (entry.destination() == destination && entry.queue_key() == queue_key &&
        (entry.status() == DELIVERY_QUEUED || entry.status() == DELIVERY_RETRYING)) {
      return &entry;
    }
  }
  return nullptr;
}

bool IsPendingStatus(DeliveryStatus status) {
  return status == DELIVERY_QUEUED || status == DELIVERY_RETRYING;
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
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw);
  if (!opened.ok()) {
    return absl::UnavailableError(
        fmt::format("cannot open the store at {}: {}", path, opened.ToString()));
  }
  store->db_.reset(raw);
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
    if (name.rfind(kQueueCfPrefix, 0) == 0) {
      absl::Status added = store->AddQueue(name.substr(sizeof(kQueueCfPrefix) - 1), handle);
      if (!added.ok()) return added;
    }
  }
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

bool Store::HasQueue(std::string_view destination) const { return Queue(destination) != nullptr; }

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
  const auto now = static_cast<uint64_t>(NowMicros());
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
  StoredMessage stored;
  Event event;
  for (const IngressRecord& record : records) {
    const std::string id_key = IdKey(record.id);
    event.Clear();
    if (record.envelope == nullptr) {
      event.set_at_us(NowMicros());
      event.set_type(EVENT_RETRANSMISSION);
      event.set_detail("same MSH-10 and content as a message already received; acknowledged again");
      batch.Put(history_, HistoryKey(record.id, NextEventSeq()), Serialize(event));
      continue;
    }
    const navette::Envelope& envelope = *record.envelope;
    stored.set_id(record.id);
    *stored.mutable_envelope() = envelope;
    batch.Put(journal_, id_key, Serialize(stored));

    MessageState state;
    state.set_status(RECEIVED);
    state.set_router_queue_key(record.id);
    state.set_source(envelope.source());
    state.set_control_id(envelope.hl7().control_id());
    state.set_message_type(envelope.hl7().message_type());
    state.set_received_at_us(envelope.received_at_us());
    state.set_updated_at_us(envelope.received_at_us());
    PutState(batch, state_, status_index_, record.id, MESSAGE_STATUS_UNSPECIFIED, state);
    batch.Put(router_queue_, id_key, "");

    if (!envelope.hl7().control_id().empty()) {
      ControlIdEntry entry;
      entry.set_message_id(record.id);
      entry.set_content_hash(record.content_hash);
      entry.set_received_at_us(envelope.received_at_us());
      batch.Put(control_id_index_, ControlIdKey(envelope.source(), envelope.hl7().control_id()),
                Serialize(entry));
    }
    event.set_at_us(envelope.received_at_us());
    event.set_type(EVENT_RECEIVED);
    event.set_detail(fmt::format("from {} ({} bytes)", envelope.peer(), envelope.raw().size()));
    batch.Put(history_, HistoryKey(record.id, NextEventSeq()), Serialize(event));
  }
  return FromRocks(db_->Write(SyncedWrite(), &batch), "committing received messages");
}

absl::StatusOr<std::vector<RouterQueueEntry>> Store::PeekRouterQueue(const std::string& from,
                                                                     size_t limit) const {
  rocksdb::ReadOptions options;
  rocksdb::Slice lower(from);
  if (!from.empty()) options.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, router_queue_));
  std::vector<RouterQueueEntry> entries;
  for (it->Seek(from); it->Valid() && entries.size() < limit; it->Next()) {
    RouterQueueEntry entry;
    entry.key_id = ReadBigEndian64(it->key().ToStringView());
    // An empty value: the message itself; else a ticket naming it, then the
    // routes to run again, each ended by '\0' (RouterTicket).
    std::string_view value = it->value().ToStringView();
    entry.message_id = value.size() >= 8 ? ReadBigEndian64(value) : entry.key_id;
    if (value.size() > 8) entry.routes = ParseTicketRoutes(value.substr(8));
    entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the router queue");
  return entries;
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

absl::Status Store::CommitRouting(uint64_t id, const std::vector<std::string>& routes,
                                  const std::vector<RoutedDelivery>& deliveries,
                                  std::string_view config_version) {
  RoutingDecision decision;
  decision.id = id;
  decision.routes = routes;
  decision.deliveries = deliveries;
  return CommitRouting({&decision, 1}, config_version);
}

absl::Status Store::CommitRouting(std::span<const RoutingDecision> decisions,
                                  std::string_view config_version,
                                  const std::function<uint64_t()>& next_ticket_id) {
  std::vector<uint64_t> ids;
  for (const RoutingDecision& decision : decisions) {
    ids.push_back(decision.id);
    if (!decision.identity_update) continue;
    // The messages an identity update moves or releases change state too.
    for (const std::string& key : ParkKeysOf(*decision.identity_update)) {
      auto parked = ListParked(key);
      if (!parked.ok()) return parked.status();
      ids.insert(ids.end(), parked->begin(), parked->end());
    }
  }
  auto locks = LockStates(ids);
  const int64_t now = NowMicros();
  rocksdb::WriteBatch batch;
  Event event;
  auto put_event = [&](uint64_t id) {
    batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  };
  for (const RoutingDecision& decision : decisions) {
    const uint64_t id = decision.id;
    const std::string queue_key = IdKey(decision.queue_key_id ? decision.queue_key_id : id);
    auto state = GetState(id);
    if (!decision.unreadable.empty()) {
      batch.Delete(router_queue_, queue_key);
      event.Clear();
      event.set_at_us(now);
      event.set_type(EVENT_DEAD);
      event.set_detail(decision.unreadable);
      put_event(id);
      if (state.ok()) {
        const MessageStatus previous = state->status();
        state->set_status(DEAD);
        state->set_updated_at_us(now);
        PutState(batch, state_, status_index_, id, previous, *state);
      }
      continue;
    }
    if (!state.ok()) return state.status();
    const MessageStatus previous = state->status();
    const bool partial = !decision.only_routes.empty();
    if (partial) {
      // A release: only the released routes are routed again.
      auto released = [&](const std::string& route) {
        return std::find(decision.only_routes.begin(), decision.only_routes.end(), route) !=
               decision.only_routes.end();
      };
      EraseIf(*state->mutable_failed_routes(),
              [&](const RouteHold& hold) { return released(hold.route()); });
      for (const RouteHold& hold : state->parked()) {
        if (released(hold.route())) batch.Delete(parked_, ParkedKey(hold.patient(), id));
      }
      EraseIf(*state->mutable_parked(),
              [&](const RouteHold& hold) { return released(hold.route()); });
      for (const std::string& route : decision.routes) {
        if (std::find(state->routes().begin(), state->routes().end(), route) ==
            state->routes().end()) {
          state->add_routes(route);
        }
      }
    } else {
      state->clear_routes();
      for (const std::string& route : decision.routes) state->add_routes(route);
      state->clear_destinations();
      state->clear_failed_routes();
      UnparkAll(batch, id, *state);
      state->clear_parked();
    }
    state->set_config_version(std::string(config_version));
    state->set_updated_at_us(now);
    state->set_router_queue_key(0);

    event.Clear();
    event.set_at_us(now);
    if (decision.routes.empty() && !partial) {
      state->set_status(UNROUTED);
      event.set_type(EVENT_UNROUTED);
      event.set_detail("no route matched");
      put_event(id);
    }
    if (decision.routes.empty() && partial) {
      // The parked routes were removed or no longer match: nothing to do.
      event.set_type(EVENT_UNROUTED);
      event.set_detail("released routes no longer match the message");
      put_event(id);
      EraseIf(*state->mutable_routes(), [&](const std::string& route) {
        return std::find(decision.only_routes.begin(), decision.only_routes.end(), route) !=
               decision.only_routes.end();
      });
      if (state->routes().empty()) state->set_status(UNROUTED);
    }
    for (const auto& [route, detail] : decision.notes) {
      event.set_type(EVENT_ROUTED);
      event.set_route(route);
      event.set_detail(detail);
      put_event(id);
    }
    for (const auto& [route, output] : decision.outputs) {
      batch.Put(outputs_, OutputKey(id, route), Serialize(output));
    }
    for (const RoutedDelivery& delivery : decision.deliveries) {
      DestinationState* destination = state->add_destinations();
      destination->set_destination(delivery.destination);
      destination->set_route(delivery.route);
      destination->set_updated_at_us(now);
      destination->set_patient(delivery.patient);
      destination->set_has_output(delivery.has_output);
      event.set_route(delivery.route);
      event.set_destination(delivery.destination);
      if (!delivery.dead_reason.empty()) {
        destination->set_status(DELIVERY_DEAD);
        destination->set_dead_at_step(true);
        destination->set_last_error(delivery.dead_reason);
        batch.Put(dead_letters_, DeadLetterKey(delivery.destination, id), "");
        event.set_type(EVENT_DEAD);
        event.set_detail(delivery.dead_reason);
        put_event(id);
        continue;
      }
      QueueCf* queue = Queue(delivery.destination);
      if (queue == nullptr) {
        return absl::FailedPreconditionError(
            fmt::format("store: no queue for destination '{}'", delivery.destination));
      }
      DeliveryTask task;
      task.set_message_id(id);
      task.set_route(delivery.route);
      task.set_enqueued_at_us(now);
      task.set_patient(delivery.patient);
      task.set_has_output(delivery.has_output);
      const std::string task_key = QueueKey(queue->next_seq.fetch_add(1), id);
      batch.Put(queue->handle, task_key, Serialize(task));
      destination->set_status(DELIVERY_QUEUED);
      destination->set_queue_key(task_key);
      event.set_type(EVENT_ROUTED);
      event.clear_detail();
      put_event(id);
    }
    event.clear_destination();
    for (const RouteHold& hold : decision.parked) {
      *state->add_parked() = hold;
      batch.Put(parked_, ParkedKey(hold.patient(), id), "");
      event.set_type(EVENT_PARKED);
      event.set_route(hold.route());
      event.set_detail(hold.reason());
      put_event(id);
    }
    for (const RouteHold& hold : decision.failed_routes) {
      *state->add_failed_routes() = hold;
      event.set_type(EVENT_DEAD);
      event.set_route(hold.route());
      event.set_detail(hold.reason());
      put_event(id);
    }
    if (!state->routes().empty()) state->set_status(AggregateStatus(*state));
    PutState(batch, state_, status_index_, id, previous, *state);
    batch.Delete(router_queue_, queue_key);
    if (decision.identity_update) {
      if (!next_ticket_id) {
        return absl::InvalidArgumentError("store: an identity update needs ticket ids");
      }
      absl::Status applied =
          ApplyIdentityUpdate(batch, *decision.identity_update, next_ticket_id, now);
      if (!applied.ok()) return applied;
    }
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "committing routing");
}

absl::StatusOr<std::vector<QueuedTask>> Store::PeekQueue(std::string_view destination,
                                                         const std::string& from,
                                                         size_t limit) const {
  QueueCf* queue = Queue(destination);
  if (queue == nullptr) {
    return absl::NotFoundError(fmt::format("store: no queue for destination '{}'", destination));
  }
  rocksdb::ReadOptions options;
  rocksdb::Slice lower(from);
  if (!from.empty()) options.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, queue->handle));
  std::vector<QueuedTask> tasks;
  for (it->Seek(from); it->Valid() && tasks.size() < limit; it->Next()) {
    QueuedTask queued;
    queued.key = it->key().ToString();
    if (!queued.task.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt delivery task");
    }
    tasks.push_back(std::move(queued));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading a delivery queue");
  return tasks;
}

absl::Status Store::CommitDeliveryOutcomes(std::string_view destination,
                                           std::span<const DeliveryOutcome> outcomes) {
  QueueCf* queue = Queue(destination);
  if (queue == nullptr) {
    return absl::NotFoundError(fmt::format("store: no queue for destination '{}'", destination));
  }
  std::vector<uint64_t> ids;
  for (const DeliveryOutcome& outcome : outcomes) ids.push_back(outcome.task->task.message_id());
  auto locks = LockStates(ids);

  // A message can have several outcomes in one batch (two routes to one
  // destination): its state is read once, updated by each, written once.
  struct Pending {
    MessageState state;
    MessageStatus previous;
  };
  std::map<uint64_t, Pending> states;
  rocksdb::WriteBatch batch;
  Event event;
  const int64_t now = NowMicros();
  for (const DeliveryOutcome& outcome : outcomes) {
    const QueuedTask& queued = *outcome.task;
    const uint64_t id = queued.task.message_id();
    auto it = states.find(id);
    if (it == states.end()) {
      auto state = GetState(id);
      if (!state.ok()) return state.status();
      const MessageStatus previous = state->status();
      it = states.emplace(id, Pending{std::move(*state), previous}).first;
    }
    MessageState& state = it->second.state;
    DestinationState* entry = PendingEntry(state, destination, queued.key);
    if (entry == nullptr) continue;  // discarded or superseded meanwhile
    const AttemptResult result = outcome.result;
    entry->set_status(result == AttemptResult::kDelivered ? DELIVERY_DELIVERED
                      : result == AttemptResult::kDead    ? DELIVERY_DEAD
                                                          : DELIVERY_RETRYING);
    entry->set_attempts(entry->attempts() + 1);
    entry->set_updated_at_us(now);
    if (result == AttemptResult::kDelivered) {
      entry->clear_last_error();
    } else {
      entry->set_last_error(outcome.detail);
    }
    if (result != AttemptResult::kRetry) entry->clear_queue_key();
    state.set_updated_at_us(now);

    event.Clear();
    event.set_at_us(now);
    event.set_type(result == AttemptResult::kDelivered ? EVENT_DELIVERED
                   : result == AttemptResult::kDead    ? EVENT_DEAD
                                                       : EVENT_ATTEMPT_FAILED);
    event.set_route(queued.task.route());
    event.set_destination(std::string(destination));
    event.set_attempt(queued.task.attempt() + 1);
    event.set_duration_us(outcome.duration_us);
    event.set_detail(outcome.detail);
    batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
    if (result != AttemptResult::kRetry) {
      batch.Delete(queue->handle, queued.key);
      if (result == AttemptResult::kDead) {
        batch.Put(dead_letters_, DeadLetterKey(destination, id), "");
      }
    } else {
      DeliveryTask rewritten = queued.task;
      rewritten.set_attempt(queued.task.attempt() + 1);
      rewritten.set_not_before_us(outcome.next_attempt_us);
      batch.Put(queue->handle, queued.key, Serialize(rewritten));
    }
  }
  for (auto& [id, pending] : states) {
    pending.state.set_status(AggregateStatus(pending.state));
    PutState(batch, state_, status_index_, id, pending.previous, pending.state);
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "committing delivery outcomes");
}

absl::Status Store::CommitDelivered(std::string_view destination, const QueuedTask& queued,
                                    int64_t duration_us, std::string_view detail) {
  const DeliveryOutcome outcome{&queued, AttemptResult::kDelivered, duration_us,
                                std::string(detail), 0};
  return CommitDeliveryOutcomes(destination, {&outcome, 1});
}

absl::Status Store::CommitAttemptFailed(std::string_view destination, const QueuedTask& queued,
                                        int64_t duration_us, std::string_view error,
                                        int64_t next_attempt_us) {
  const DeliveryOutcome outcome{&queued, AttemptResult::kRetry, duration_us, std::string(error),
                                next_attempt_us};
  return CommitDeliveryOutcomes(destination, {&outcome, 1});
}

absl::StatusOr<std::vector<ListedMessage>> Store::ListMessages(const ListFilter& filter) const {
  std::vector<ListedMessage> out;
  auto matches = [&](const MessageState& state) {
    if (!filter.source.empty() && state.source() != filter.source) return false;
    if (!filter.route.empty()) {
      bool found = false;
      for (const std::string& route : state.routes()) found = found || route == filter.route;
      if (!found) return false;
    }
    return true;
  };

  if (filter.status.has_value()) {
    // Newest first within the status: iterate the index backwards.
    const std::string prefix(1, static_cast<char>(*filter.status));
    const std::string upper = filter.before_id != 0
                                  ? StatusIndexKey(*filter.status, filter.before_id)
                                  : std::string(1, static_cast<char>(*filter.status + 1));
    rocksdb::ReadOptions options;
    rocksdb::Slice lower_slice(prefix), upper_slice(upper);
    options.iterate_lower_bound = &lower_slice;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, status_index_));
    for (it->SeekToLast(); it->Valid() && out.size() < filter.limit; it->Prev()) {
      const uint64_t id = ReadBigEndian64(it->key().ToStringView().substr(1));
      auto state = GetState(id);
      if (!state.ok()) continue;  // removed since the index was read
      if (matches(*state)) out.push_back({id, std::move(*state)});
    }
    if (!it->status().ok()) return FromRocks(it->status(), "listing messages");
    return out;
  }

  rocksdb::ReadOptions options;
  std::string upper = filter.before_id != 0 ? IdKey(filter.before_id) : std::string();
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, state_));
  for (it->SeekToLast(); it->Valid() && out.size() < filter.limit; it->Prev()) {
    MessageState state;
    if (!state.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt message state");
    }
    if (matches(state))
      out.push_back({ReadBigEndian64(it->key().ToStringView()), std::move(state)});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing messages");
  return out;
}

absl::StatusOr<std::vector<Event>> Store::GetHistory(uint64_t id) const {
  const std::string lower = IdKey(id);
  const std::string upper = IdKey(id + 1);
  rocksdb::ReadOptions options;
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, history_));
  std::vector<Event> events;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    Event event;
    if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt history event");
    }
    events.push_back(std::move(event));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return events;
}

absl::Status Store::SaveConfigVersion(std::string_view version, std::string_view text) {
  return FromRocks(
      db_->Put(SyncedWrite(), ConfigKey(version), rocksdb::Slice(text.data(), text.size())),
      "saving the configuration version");
}

absl::StatusOr<bool> Store::IsPending(std::string_view destination, const QueuedTask& task) const {
  auto state = GetState(task.task.message_id());
  if (absl::IsNotFound(state.status())) return false;
  if (!state.ok()) return state.status();
  return PendingEntry(*state, destination, task.key) != nullptr;
}

absl::StatusOr<uint64_t> Store::CountQueue(std::string_view destination) const {
  QueueCf* queue = Queue(destination);
  if (queue == nullptr) {
    return absl::NotFoundError(fmt::format("store: no queue for destination '{}'", destination));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), queue->handle));
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  if (!it->status().ok()) return FromRocks(it->status(), "counting a delivery queue");
  return count;
}

absl::StatusOr<std::vector<ActionEffect>> Store::Replay(uint64_t id, std::string_view destination,
                                                        std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  const MessageStatus previous = state->status();
  if (state->router_queue_key() != 0) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x} waits to be routed: it is delivered once routed", id));
  }
  const int64_t now = NowMicros();
  rocksdb::WriteBatch batch;
  std::vector<ActionEffect> effects;
  bool found = false;
  std::string unconfigured;
  std::string at_step;
  for (DestinationState& entry : *state->mutable_destinations()) {
    if (!destination.empty() && entry.destination() != destination) continue;
    found = true;
    if (IsPendingStatus(entry.status())) continue;
    if (entry.status() == DELIVERY_DEAD && entry.dead_at_step()) {
      // Delivering it would skip the step that refused it.
      at_step = entry.route();
      continue;
    }
    QueueCf* queue = Queue(entry.destination());
    if (queue == nullptr || !queue->configured) {
      unconfigured += (unconfigured.empty() ? "'" : ", '") + entry.destination() + "'";
      continue;
    }
    ActionEffect effect{entry.destination(), entry.status() == DELIVERY_DEAD, false};
    if (effect.was_dead) batch.Delete(dead_letters_, DeadLetterKey(entry.destination(), id));
    DeliveryTask task;
    task.set_message_id(id);
    task.set_route(entry.route());
    task.set_enqueued_at_us(now);
    task.set_patient(entry.patient());
    task.set_has_output(entry.has_output());
    const std::string task_key = QueueKey(queue->next_seq.fetch_add(1), id);
    batch.Put(queue->handle, task_key, Serialize(task));
    entry.set_status(DELIVERY_QUEUED);
    entry.set_updated_at_us(now);
    entry.set_queue_key(task_key);
    Event event;
    event.set_at_us(now);
    event.set_type(EVENT_REPLAYED);
    event.set_route(entry.route());
    event.set_destination(entry.destination());
    event.set_actor(std::string(actor));
    event.set_detail("replay requested");
    batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
    effects.push_back(std::move(effect));
  }
  if (!found) {
    return absl::NotFoundError(
        destination.empty()
            ? fmt::format("message {:016x} has no destination to replay (it was not routed)", id)
            : fmt::format("message {:016x} was never routed to '{}'", id, destination));
  }
  if (effects.empty() && !at_step.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x}: a step of route '{}' refused it; a replay would skip the "
                    "step: reroute it (--reroute) once the cause is fixed",
                    id, at_step));
  }
  if (effects.empty()) {
    return absl::FailedPreconditionError(
        unconfigured.empty()
            ? fmt::format("message {:016x}: its delivery is still pending", id)
            : fmt::format("message {:016x}: nothing to replay ({} no longer configured)", id,
                          unconfigured));
  }
  state->set_updated_at_us(now);
  state->set_status(AggregateStatus(*state));
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a replay");
  if (!written.ok()) return written;
  return effects;
}

absl::StatusOr<std::vector<ActionEffect>> Store::Reroute(uint64_t id, uint64_t ticket_id,
                                                         std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  if (state->router_queue_key() != 0) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x} already waits to be routed", id));
  }
  std::vector<ActionEffect> effects;
  rocksdb::WriteBatch batch;
  for (const DestinationState& entry : state->destinations()) {
    if (IsPendingStatus(entry.status())) {
      return absl::FailedPreconditionError(fmt::format(
          "message {:016x}: its delivery to '{}' is still pending", id, entry.destination()));
    }
    if (entry.status() == DELIVERY_DEAD) {
      batch.Delete(dead_letters_, DeadLetterKey(entry.destination(), id));
      effects.push_back({entry.destination(), true, false});
    }
  }
  const MessageStatus previous = state->status();
  const int64_t now = NowMicros();
  std::string target;
  AppendBigEndian64(target, id);
  batch.Put(router_queue_, IdKey(ticket_id), target);
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_REPLAYED);
  event.set_actor(std::string(actor));
  event.set_detail("reroute requested");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  // Its earlier deliveries stay in the history; routing starts afresh.
  for (DestinationState& entry : *state->mutable_destinations()) {
    if (entry.status() == DELIVERY_DEAD) entry.set_status(DELIVERY_DISCARDED);
  }
  UnparkAll(batch, id, *state);
  state->clear_parked();
  state->clear_failed_routes();
  state->set_status(RECEIVED);
  state->set_router_queue_key(ticket_id);
  state->set_updated_at_us(now);
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a reroute");
  if (!written.ok()) return written;
  return effects;
}

absl::StatusOr<std::vector<ActionEffect>> Store::Discard(uint64_t id, std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  const MessageStatus previous = state->status();
  if (previous == DISCARDED) {
    return absl::FailedPreconditionError(fmt::format("message {:016x} is already discarded", id));
  }
  const int64_t now = NowMicros();
  rocksdb::WriteBatch batch;
  std::vector<ActionEffect> effects;
  for (DestinationState& entry : *state->mutable_destinations()) {
    ActionEffect effect{entry.destination(), entry.status() == DELIVERY_DEAD,
                        IsPendingStatus(entry.status())};
    if (!effect.was_dead && !effect.was_pending) continue;
    if (effect.was_dead) batch.Delete(dead_letters_, DeadLetterKey(entry.destination(), id));
    if (effect.was_pending) {
      if (QueueCf* queue = Queue(entry.destination()))
        batch.Delete(queue->handle, entry.queue_key());
    }
    entry.set_status(DELIVERY_DISCARDED);
    entry.clear_queue_key();
    entry.set_updated_at_us(now);
    effects.push_back(std::move(effect));
  }
  UnparkAll(batch, id, *state);
  state->clear_parked();
  state->clear_failed_routes();
  if (state->router_queue_key() != 0) {
    // Waiting to be routed (received, rerouted or released): it never will.
    batch.Delete(router_queue_, IdKey(state->router_queue_key()));
    state->set_router_queue_key(0);
  }
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_DISCARDED);
  event.set_actor(std::string(actor));
  event.set_detail("discard requested");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  state->set_status(DISCARDED);
  state->set_updated_at_us(now);
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a discard");
  if (!written.ok()) return written;
  return effects;
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

MessageStatus AggregateStatus(const MessageState& state) {
  bool pending = false, retrying = false, dead = false, discarded = false;
  for (const DestinationState& destination : state.destinations()) {
    switch (destination.status()) {
      case DELIVERY_QUEUED:
        pending = true;
        break;
      case DELIVERY_RETRYING:
        pending = retrying = true;
        break;
      case DELIVERY_DEAD:
        dead = true;
        break;
      case DELIVERY_DISCARDED:
        discarded = true;
        break;
      default:
        break;
    }
  }
  // Waiting for the router (a release while another route delivers): the
  // router decides what comes next, and actions wait for it.
  if (state.router_queue_key() != 0) return RECEIVED;
  if (retrying) return RETRYING;
  if (pending) return QUEUED;
  if (!state.parked().empty()) return PARKED;
  if (dead || !state.failed_routes().empty()) return DEAD;
  if (!state.destinations().empty()) return discarded ? DISCARDED : DELIVERED;
  // Routes matched and none had anything to deliver: a step took it.
  return state.routes().empty() ? state.status() : CONSUMED;
}

namespace {
constexpr std::pair<MessageStatus, std::string_view> kStatusNames[] = {
    {RECEIVED, "received"}, {ROUTED, "routed"},       {QUEUED, "queued"},
    {RETRYING, "retrying"}, {DELIVERED, "delivered"}, {DEAD, "dead"},
    {UNROUTED, "unrouted"}, {PARKED, "parked"},       {DISCARDED, "discarded"},
    {CONSUMED, "consumed"},
};
}  // namespace

std::string_view StatusName(MessageStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<MessageStatus> ParseStatusName(std::string_view name) {
  for (const auto& [value, status_name] : kStatusNames) {
    if (status_name == name) return value;
  }
  return std::nullopt;
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EVENT_RECEIVED:
      return "received";
    case EVENT_ROUTED:
      return "routed";
    case EVENT_UNROUTED:
      return "unrouted";
    case EVENT_ATTEMPT_FAILED:
      return "retry";
    case EVENT_DELIVERED:
      return "delivered";
    case EVENT_DEAD:
      return "dead";
    case EVENT_DISCARDED:
      return "discarded";
    case EVENT_REPLAYED:
      return "replayed";
    case EVENT_RETRANSMISSION:
      return "retransmission";
    case EVENT_PARKED:
      return "parked";
    case EVENT_RELEASED:
      return "released";
    case EVENT_IDENTITY:
      return "identity";
    default:
      return "unknown";
  }
}

}  // namespace navette::store
