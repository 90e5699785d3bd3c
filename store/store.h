// The engine's durable state: one RocksDB instance, one column family per
// purpose (layouts in store/keys.h). Every state change of a message is one
// atomic WriteBatch carrying the change, its index updates and its history
// event, so a crash leaves each message either before or after a change,
// never half-way.
//
// Durability: ingress batches are written with sync=true (the engine confirms
// a message only after this returns). Later changes (routing, delivery
// outcomes) are written without fsync: the WAL is appended in order, so a
// process crash loses nothing and a power loss can only lose a suffix of them,
// after which the message is routed or delivered again (at-least-once).
//
// Queue reading: callers keep their own position in a queue (the router and
// each delivery dispatcher read their queue in key order) and pass it to the
// Peek functions, which set it as the iterator's lower bound. Reading the next
// task therefore never walks over the tombstones of delivered ones.
//
// Thread safety: all methods may be called concurrently. Read-modify-write of
// a message's state is serialised per message by lock striping.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/any.pb.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "proto/identity.pb.h"
#include "proto/store.pb.h"
#include "store/commit_observer.h"
#include "store/message_state.h"
#include "store/retention.h"
#include "store/store_queries.h"

namespace rocksdb {
class Cache;
class DB;
class ColumnFamilyHandle;
class Statistics;
class WriteBatch;
}  // namespace rocksdb

namespace navette::store {

// The patient identifiers a message names (its PID-3), read by the engine,
// for the search index (index.search; never stored in clear there).
struct PatientIds {
  std::vector<std::string> ipps = {};
  std::vector<std::string> ins = {};
};

// One message to commit at ingress.
struct IngressRecord {
  uint64_t id = 0;
  // The message; null for a retransmission, whose `id` is then the original's.
  const navette::Envelope* envelope = nullptr;
  std::string content_hash;  // SHA-256 of envelope->raw
  PatientIds patient = {};
};

// An operator's correction of message `original_id` (messages edit): the
// corrected message, committed as a new one.
struct EditRecord {
  uint64_t original_id = 0;
  uint64_t id = 0;  // the new message's, from the message id generator
  const navette::Envelope* envelope = nullptr;
  std::string actor = {};
  std::string changes = {};  // which fields changed, never values (engine/hl7_field_diff.h)
  PatientIds patient = {};   // of the corrected text, for the search index
};

struct RoutedDelivery {
  std::string route;
  std::string destination;
  std::string patient;      // for per-patient ordering; empty: none
  bool has_output = false;  // deliver the route's output (outputs CF)
  // Set when a step of the route failed for good: the delivery is recorded
  // dead with this reason and never queued.
  std::string dead_reason;
};

// An entry of the router queue. Messages enter it under their own id; a
// reroute or a release enters it under a new, later id (a "ticket") so that
// the router, which reads its queue in key order from a position, sees it.
struct RouterQueueEntry {
  uint64_t key_id = 0;
  uint64_t message_id = 0;
  // A release names the routes to run again (the parked ones); empty: all.
  std::vector<std::string> routes;
};

// One ADT's change to the identity store, applied with its routing.
struct IdentityUpdate {
  std::string patient;  // the key written
  identity::Identity identity;
  identity::IdentityChange change;
  // A40 (merge) and A47 (identifier change): the key that now stands for
  // `patient`, its new record (a link: merged_into = patient) and change.
  // Its parked messages move to `patient`.
  std::string prior;
  identity::Identity prior_identity;
  identity::IdentityChange prior_change;
  // The identity can carry the INS now: the parked messages of `patient`
  // (moved ones included) go back to the router for their parked routes.
  bool release = false;
};

struct QueuedTask {
  std::string key;  // position in the destination's queue
  DeliveryTask task;
};

struct RoutingDecision {
  uint64_t id = 0;
  uint64_t queue_key_id = 0;               // its router queue key; 0: the message id
  std::vector<std::string> routes;         // routes that matched
  std::vector<RoutedDelivery> deliveries;  // empty: unrouted
  // Set when the message cannot be read (a missing or corrupt journal
  // record): it leaves the router queue as dead with this reason, rather
  // than stopping the routing of every message behind it.
  std::string unreadable;
  // Routing again only these routes (a release): the message's other routes
  // and deliveries are kept. Empty: a full routing, which replaces them.
  std::vector<std::string> only_routes;
  std::vector<RouteHold> parked;                             // routes waiting for an identity
  std::vector<RouteHold> failed_routes;                      // routes failed with no destination
  std::vector<std::pair<std::string, RouteOutput>> outputs;  // route -> output
  std::optional<IdentityUpdate> identity_update;
  // What a route's steps did, for the history (route, detail; fields and
  // rules, never values): an identity feed route whose ADT changed no
  // identity, the PID fields attach_ins wrote.
  std::vector<std::pair<std::string, std::string>> notes;
  // The document versions the routes' steps emitted (build_cda), written to
  // the documents CF in the decision's batch.
  std::vector<DocumentVersion> document_versions;
};

// A delivery an outcome makes necessary, queued in the outcome's batch: a
// business acknowledgement (ZAM) built from the receipt, for the producer
// (engine/business_acks.h). It becomes a delivery of the message like a
// routed one: a DestinationState and a task delivering `output`.
struct FollowUpDelivery {
  std::string destination;
  std::string route;  // its own name, e.g. "zam:dmp"
  RouteOutput output;
};

struct DeliveryOutcome {
  const QueuedTask* task = nullptr;
  AttemptResult result = AttemptResult::kDelivered;
  int64_t duration_us = 0;
  std::string detail;           // the peer's answer or the error, in short
  int64_t next_attempt_us = 0;  // for kRetry
  // For kDelivered: what the destination handed back, kept as the
  // delivery's DeliveryReceipt (receipts CF) in the outcome's batch.
  std::optional<google::protobuf::Any> receipt = std::nullopt;
  // With a receipt: the setId of the document it is about, under which it
  // is also kept (documents CF) for the later messages about that document
  // (GetDocumentReceipts). Empty: kept under the message only.
  std::string receipt_document_key = {};
  // Keep `receipt` even though the attempt is retried or dead: it records
  // what the attempt did achieve (DeliveryResult::partial_receipt).
  bool receipt_on_failure = false;
  // Queued with the outcome, or not at all (ignored with an outcome that
  // is no longer the pending delivery's). One with the (destination, route)
  // of an existing delivery of the message replaces it: its pending task
  // (superseded) or its delivered or dead state.
  std::vector<FollowUpDelivery> follow_ups = {};
};

// A receipt kept under a document's setId, with the message it answered.
struct DocumentReceipt {
  uint64_t message_id = 0;
  DeliveryReceipt receipt;
};

// How a store is opened besides its path; the defaults are the engine's.
struct StoreOptions {
  // When set, RocksDB counts into it (e.g. WAL_FILE_SYNCED): for the tests
  // that check which writes are synced.
  std::shared_ptr<rocksdb::Statistics> statistics;
  // Where every time the store writes (history events, state and task
  // times) comes from; a test passes a FakeClock. Outlives the store.
  const Clock* clock = &Clock::System();
};

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Opens, creating if missing, the queue of each destination of the
  // running configuration. Queues of destinations no longer configured stay
  // in the store untouched, and replays skip them.
  absl::Status EnsureQueues(const std::vector<std::string>& destinations);

  // Largest message id in the journal, 0 if empty.
  uint64_t LastMessageId() const;

  // ---- ingress
  absl::StatusOr<std::optional<ControlIdEntry>> LookupControlId(std::string_view source,
                                                                std::string_view control_id) const;
  // One synced batch for all records: journal, state, status index, router
  // queue, control-id index and a `received` event for new messages; a
  // `retransmission` event for retransmissions.
  absl::Status CommitIngress(std::span<const IngressRecord> records);

  // ---- router
  // Ids in the router queue at or after `from` (a key; empty = start), oldest
  // first.
  absl::StatusOr<std::vector<RouterQueueEntry>> PeekRouterQueue(const std::string& from,
                                                                size_t limit) const;
  absl::StatusOr<StoredMessage> GetMessage(uint64_t id) const;
  absl::StatusOr<MessageState> GetState(uint64_t id) const;
  // Records the routing of messages, in one batch: for each, its delivery
  // tasks (or `unrouted` when it has none), events, and its removal from the
  // router queue.
  // `next_ticket_id` gives the router-queue keys of messages an identity
  // update releases (required when a decision has one).
  absl::Status CommitRouting(std::span<const RoutingDecision> decisions,
                             std::string_view config_version,
                             const std::function<uint64_t()>& next_ticket_id = {});

  // ---- delivery
  absl::StatusOr<std::vector<QueuedTask>> PeekQueue(std::string_view destination,
                                                    const std::string& from, size_t limit) const;
  // Records the outcomes of attempts on one destination's tasks, in one
  // batch: a delivered or dead task leaves the queue (a dead one for the
  // dead letters); a retried one stays in place with its attempt count and
  // next attempt time updated. An outcome for a task that is no longer the
  // message's pending one (discarded meanwhile) is ignored. A delivered
  // outcome's receipt is written in the same batch (receipts CF), and so are
  // its follow-up deliveries (outputs CF, their queues).
  // `queued_follow_ups`, when given, receives one effect per follow-up
  // queued (its destination; whether it superseded a pending task or left
  // the dead letters), for the gauges of its destination.
  absl::Status CommitDeliveryOutcomes(std::string_view destination,
                                      std::span<const DeliveryOutcome> outcomes,
                                      std::vector<ActionEffect>* queued_follow_ups = nullptr);
  // Records a receipt a peer sent after the delivery (an MSSanté DSN or MDN
  // read over IMAP) against message `id`'s delivery to `destination`: an
  // `receipt` event in its history with `detail`, and `follow_ups` queued,
  // in one batch. NotFound when the message or that delivery does not
  // exist. The delivery's own DeliveryReceipt is left as it was.
  absl::StatusOr<std::vector<ActionEffect>> RecordLateReceipt(
      uint64_t id, std::string_view destination, std::string_view detail,
      std::span<const FollowUpDelivery> follow_ups);
  // The receipts kept for a message's deliveries, in (destination, route)
  // order; empty when none returned one.
  absl::StatusOr<std::vector<DeliveryReceipt>> GetReceipts(uint64_t id) const;
  // Whether `task` is still the pending delivery of its message.
  absl::StatusOr<bool> IsPending(std::string_view destination, const QueuedTask& task) const;
  // Tasks in a queue, counted by a full scan (at start).
  absl::StatusOr<uint64_t> CountQueue(std::string_view destination) const;

  // ---- operator actions; `actor` is who asked, kept in the history
  // Queues the message again for `destination` (empty: each configured
  // destination it was routed to that is not pending). FailedPrecondition
  // if nothing can be replayed (all pending, no longer configured, or the
  // message waits to be routed), NotFound if it never went to `destination`.
  absl::StatusOr<std::vector<ActionEffect>> Replay(uint64_t id, std::string_view destination,
                                                   std::string_view actor);
  // Puts the message back in the router queue under `ticket_id` (a new
  // message id), to be routed again with the current routes.
  // FailedPrecondition while a delivery is pending or the message already
  // waits to be routed.
  absl::StatusOr<std::vector<ActionEffect>> Reroute(uint64_t id, uint64_t ticket_id,
                                                    std::string_view actor);
  // Queues the message, as received, for `destination`: a configured
  // destination it has no delivery to (no route gave it). InvalidArgument
  // naming the configured destinations when `destination` is not one;
  // FailedPrecondition when the message already has a delivery there
  // (replay it), waits to be routed, or was superseded.
  absl::StatusOr<std::vector<ActionEffect>> Resend(uint64_t id, std::string_view destination,
                                                   std::string_view actor);
  // Commits an edit in one synced batch: the new message as an ingress
  // commit would (journal, state with edited_from, status index, router
  // queue, `received` event) plus an `edited` event on each message and
  // the original's superseded_by. The original's journal entry is left as
  // it is. The new message does not enter index.msh10: that index answers
  // "did this sender already send these bytes?", and the sender never sent
  // the correction; pointing it there would make a retransmission of the
  // original look new and route it again. NotFound when the original does
  // not exist; FailedPrecondition when CheckEdit refuses it.
  absl::Status CommitEdit(const EditRecord& edit);
  // Removes the message's pending tasks and dead letters; it is kept, as
  // discarded.
  absl::StatusOr<std::vector<ActionEffect>> Discard(uint64_t id, std::string_view actor);
  // Sends the message's parked routes back to the router under `ticket_id`
  // now, whatever the patient's identity (it parks again if still missing).
  // FailedPrecondition if nothing is parked.
  absl::StatusOr<std::vector<std::string>> Release(uint64_t id, uint64_t ticket_id,
                                                   std::string_view actor);
  // Dead letters in key order (destination, then id) after `after` (empty:
  // from the start), of `destination` only unless empty.
  absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(std::string_view destination,
                                                          const DeadLetter* after,
                                                          size_t limit) const;
  // Dead letters per destination, counted by a full scan (at start).
  absl::StatusOr<std::map<std::string, uint64_t>> CountDeadLetters() const;

  // Parked messages, counted by a full scan of the parked column family
  // (documents waiting for an identity: few, and read at each metrics
  // scrape).
  absl::StatusOr<ParkedCount> CountParked() const;
  // The parked messages in key order (patient by patient, each patient's
  // oldest first), at most `limit`; `truncated` says whether more wait.
  absl::StatusOr<std::vector<ParkedEntry>> ListAllParked(size_t limit, bool* truncated) const;

  // ---- identity store (routes/ins)
  // The record of a patient key; nullopt if the feed never named it.
  absl::StatusOr<std::optional<identity::Identity>> GetIdentity(std::string_view patient) const;
  // The records whose IPP (the key's CX-1, as on the wire) is `ipp`, under
  // any assigning authority, in key order.
  absl::StatusOr<std::vector<IdentityRecord>> FindIdentitiesByIpp(std::string_view ipp) const;
  // The changes made to a patient key's record, oldest first.
  absl::StatusOr<std::vector<identity::IdentityChange>> GetIdentityHistory(
      std::string_view patient) const;
  // Ids of the messages parked under a patient key (or an InsParkKey),
  // oldest first.
  absl::StatusOr<std::vector<uint64_t>> ListParked(std::string_view patient) const;
  // The patient keys whose identity records carry this INS (index.ins),
  // merged records included: the caller follows merged_into.
  absl::StatusOr<std::vector<std::string>> FindPatientsByIns(std::string_view oid,
                                                             std::string_view matricule) const;
  // The output a route's steps made of a message.
  absl::StatusOr<RouteOutput> GetOutput(uint64_t id, std::string_view route) const;

  // ---- documents navette emitted (routes/document_versions.h)
  // The version emitted under this document id; nullopt when none was.
  absl::StatusOr<std::optional<DocumentVersion>> GetDocumentVersion(std::string_view id) const;
  // Every version emitted under this setId, in version order (the store
  // keeps, per setId, the versions sent); empty when none was.
  absl::StatusOr<std::vector<DocumentVersion>> GetDocumentSet(std::string_view set_id) const;
  // The receipts `destination` returned about versions of `set_id`, oldest
  // message first (DeliveryOutcome::receipt_document_key).
  absl::StatusOr<std::vector<DocumentReceipt>> GetDocumentReceipts(
      std::string_view set_id, std::string_view destination) const;

  // ---- reading for people
  // Newest first, every filter combined, from the most selective index
  // (store_search.cc).
  absl::StatusOr<SearchPage> Search(const SearchFilter& filter) const;
  absl::StatusOr<std::vector<Event>> GetHistory(uint64_t id) const;
  absl::Status SaveConfigVersion(std::string_view version, std::string_view text);
  // Each committed batch's history events go to `observer` while it
  // listens (store/commit_observer.h; observed_db.cc). Null: none. The
  // observer must outlive the store or be unset first.
  void SetCommitObserver(CommitObserver* observer);

  // The audit trail (store_audit.cc): an entry is durable (synced) when
  // AppendAudit returns OK; listed newest first.
  absl::Status AppendAudit(const AuditEntry& entry);
  absl::StatusOr<AuditPage> ListAudit(const AuditFilter& filter) const;

  // ---- retention (store_retention.cc; store/retention.h says what goes)
  // Removes what `policy` no longer keeps, in batches, then compacts the
  // ranges it emptied so that the disk space comes back. When `*stop`
  // turns true the work ends after the current batch (or compaction), with
  // what was done so far reported.
  absl::StatusOr<RetentionReport> ApplyRetention(const RetentionPolicy& policy,
                                                 const PatientIdsReader& patient_ids,
                                                 std::atomic<bool>* stop = nullptr);

 private:
  friend class StoreInspector;  // tests/support/store_inspector.h
  Store() = default;

  struct QueueCf {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    // Next sequence number for this queue; starts after the last key found
    // at open, so a queue is in the order its tasks were added.
    std::atomic<uint64_t> next_seq{1};
    // Named by EnsureQueues: a destination of the running configuration.
    // Queues of removed destinations are still opened (their tasks stay
    // readable) but get no replays.
    bool configured = false;
  };
  QueueCf* Queue(std::string_view destination) const;
  absl::Status AddQueue(const std::string& destination, rocksdb::ColumnFamilyHandle* handle);
  // Locks the state stripes of `ids` in ascending stripe order, so that two
  // batches never wait on each other in a cycle.
  std::vector<std::unique_lock<std::mutex>> LockStates(const std::vector<uint64_t>& ids);
  // Adds to `batch` the identity records, their history, the move of the
  // prior key's parked messages and, if asked, their release. The caller
  // holds the state locks of every message parked under ParkKeysOf(update).
  absl::Status ApplyIdentityUpdate(rocksdb::WriteBatch& batch, const IdentityUpdate& update,
                                   const std::function<uint64_t()>& next_ticket_id, int64_t now);
  // The keys whose parked messages an identity update moves or releases:
  // its patient, its prior key, and the INS its identity carries
  // (InsParkKey), for the documents that name the patient by INS alone.
  static std::vector<std::string> ParkKeysOf(const IdentityUpdate& update);
  // Keeps index.ins in step with the identity record of `patient` being
  // rewritten to `after`, in `batch`.
  absl::Status IndexIns(rocksdb::WriteBatch& batch, const std::string& patient,
                        const identity::Identity& after) const;
  // Fills index.ins from the identity records, for a store written before it
  // existed.
  absl::Status BuildInsIndex();
  // Adds to `batch` and `state` the follow-up delivery of message `id`.
  absl::StatusOr<ActionEffect> QueueFollowUp(rocksdb::WriteBatch& batch, MessageState& state,
                                             uint64_t id, const FollowUpDelivery& follow_up,
                                             int64_t now);
  // Adds to `batch` a new message as ingress commits it: journal, `state`
  // (completed with what the envelope says), status index, router queue
  // and its `received` event. The control-id index is the caller's.
  void PutReceived(rocksdb::WriteBatch& batch, uint64_t id, const navette::Envelope& envelope,
                   MessageState state);
  // The names of the configured destinations, comma-separated, for errors.
  std::string ConfiguredDestinations() const;
  // Removes the parked CF entries of these parked routes of `id`, in `batch`.
  void Unpark(rocksdb::WriteBatch& batch, uint64_t id,
              const google::protobuf::RepeatedPtrField<RouteHold>& holds);
  // Retention (store_retention.cc): adds to `batch` the removal of message
  // `id` and of every index entry that points to it. The caller holds its
  // state lock.
  absl::Status RemoveMessage(rocksdb::WriteBatch& batch, uint64_t id, const MessageState& state,
                             const PatientIdsReader& patient_ids, RetentionReport& report);
  // Removes the version `document_id` that message `id` emitted, unless it
  // is the newest of its set.
  absl::Status RemoveDocumentVersion(rocksdb::WriteBatch& batch, uint64_t id,
                                     const std::string& document_id,
                                     const std::set<std::string>& destinations,
                                     RetentionReport& report);
  // Drops history events older than `cutoff_us` from the messages received
  // before it (each message's last event excepted), from where the last run
  // stopped.
  absl::Status TrimHistory(int64_t cutoff_us, size_t batch_size, RetentionReport& report,
                           std::atomic<bool>* stop);
  // Strictly increasing microsecond clock, so that history keys of one
  // message never collide and sort in event order.
  uint64_t NextEventSeq();
  const Clock* clock_ = &Clock::System();
  std::shared_ptr<rocksdb::Cache> block_cache_;  // shared by every column family
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  rocksdb::ColumnFamilyHandle* journal_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* router_queue_ = nullptr;
  rocksdb::ColumnFamilyHandle* history_ = nullptr;
  rocksdb::ColumnFamilyHandle* status_index_ = nullptr;
  rocksdb::ColumnFamilyHandle* control_id_index_ = nullptr;
  rocksdb::ColumnFamilyHandle* dead_letters_ = nullptr;
  rocksdb::ColumnFamilyHandle* identity_ = nullptr;
  rocksdb::ColumnFamilyHandle* ins_index_ = nullptr;
  rocksdb::ColumnFamilyHandle* identity_history_ = nullptr;
  rocksdb::ColumnFamilyHandle* parked_ = nullptr;
  rocksdb::ColumnFamilyHandle* outputs_ = nullptr;
  rocksdb::ColumnFamilyHandle* receipts_ = nullptr;
  rocksdb::ColumnFamilyHandle* documents_ = nullptr;
  rocksdb::ColumnFamilyHandle* audit_ = nullptr;
  rocksdb::ColumnFamilyHandle* search_index_ = nullptr;
  std::string search_key_;  // HMAC key of index.search, from the default CF
  // index.search's key of `value` of `kind` for message `id`; its prefix
  // without the id when `id` is 0.
  std::string SearchKey(char kind, std::string_view value, uint64_t id) const;
  // The keys of a message's index.search entries: one list, so that what
  // retention deletes is what ingress put.
  std::vector<std::string> SearchTermKeys(uint64_t id, const navette::Envelope& envelope,
                                          const PatientIds& patient) const;
  // The index entries of a message as received.
  void PutSearchTerms(rocksdb::WriteBatch& batch, const IngressRecord& record) const;
  // Removes, in `batch`, the entries PutSearchTerms made for message `id`.
  void DeleteSearchTerms(rocksdb::WriteBatch& batch, uint64_t id, const navette::Envelope& envelope,
                         const PatientIds& patient) const;
  absl::Status LoadSearchKey();
  std::atomic<uint64_t> audit_seq_{0};  // AuditKey's seq: distinct within the process

  mutable std::shared_mutex queues_mu_;  // guards queues_
  std::map<std::string, std::unique_ptr<QueueCf>, std::less<>> queues_;

  std::array<std::mutex, 64> state_locks_;
  std::atomic<uint64_t> last_event_seq_{0};
};

std::string_view StatusName(MessageStatus status);  // "delivered", ...
std::optional<MessageStatus> ParseStatusName(std::string_view name);
std::string_view EventTypeName(EventType type);  // "received", ...

}  // namespace navette::store
