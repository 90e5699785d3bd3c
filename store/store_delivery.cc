// Store: the delivery queues, read by the dispatchers, and the outcomes of attempts.
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

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
                                           std::span<const DeliveryOutcome> outcomes,
                                           std::vector<ActionEffect>* queued_follow_ups) {
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
  std::vector<ActionEffect> effects;  // of the follow-ups
  rocksdb::WriteBatch batch;
  Event event;
  const int64_t now = clock_->NowMicros();
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
    const AttemptTransition transition = AttemptTransitionOf(result);
    ApplyAttempt(*entry, result, outcome.detail, now);
    state.set_updated_at_us(now);

    event.Clear();
    event.set_at_us(now);
    event.set_type(transition.event);
    event.set_route(queued.task.route());
    event.set_destination(std::string(destination));
    event.set_attempt(queued.task.attempt() + 1);
    event.set_duration_us(outcome.duration_us);
    event.set_detail(outcome.detail);
    if (result == AttemptResult::kRetry) event.set_next_attempt_us(outcome.next_attempt_us);
    batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
    if (transition.leaves_queue) {
      batch.Delete(queue->handle, queued.key);
    } else {
      DeliveryTask rewritten = queued.task;
      rewritten.set_attempt(queued.task.attempt() + 1);
      rewritten.set_not_before_us(outcome.next_attempt_us);
      batch.Put(queue->handle, queued.key, Serialize(rewritten));
    }
    if (transition.dead_letter) batch.Put(dead_letters_, DeadLetterKey(destination, id), "");
    // A failed attempt keeps its receipt only when it records progress (the
    // recipients a partial submission reached), for the next attempt.
    if (outcome.receipt.has_value() &&
        (result == AttemptResult::kDelivered || outcome.receipt_on_failure)) {
      DeliveryReceipt receipt;
      receipt.set_destination(std::string(destination));
      receipt.set_route(queued.task.route());
      receipt.set_at_us(now);
      *receipt.mutable_body() = *outcome.receipt;
      const std::string serialized = Serialize(receipt);
      batch.Put(receipts_, ReceiptKey(id, destination, queued.task.route()), serialized);
      if (!outcome.receipt_document_key.empty()) {
        batch.Put(documents_, DocumentReceiptKey(outcome.receipt_document_key, destination, id),
                  serialized);
      }
    }
    for (const FollowUpDelivery& follow_up : outcome.follow_ups) {
      absl::StatusOr<ActionEffect> effect = QueueFollowUp(batch, state, id, follow_up, now);
      if (!effect.ok()) return effect.status();
      effects.push_back(std::move(*effect));
    }
  }
  for (auto& [id, pending] : states) {
    pending.state.set_status(AggregateStatus(pending.state));
    PutState(batch, state_, status_index_, id, pending.previous, pending.state);
  }
  absl::Status written =
      FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "committing delivery outcomes");
  if (written.ok() && queued_follow_ups != nullptr) *queued_follow_ups = std::move(effects);
  return written;
}

absl::StatusOr<ActionEffect> Store::QueueFollowUp(rocksdb::WriteBatch& batch, MessageState& state,
                                                  uint64_t id, const FollowUpDelivery& follow_up,
                                                  int64_t now) {
  QueueCf* queue = Queue(follow_up.destination);
  if (queue == nullptr) {
    return absl::FailedPreconditionError(
        fmt::format("store: no queue for destination '{}'", follow_up.destination));
  }
  ActionEffect effect{follow_up.destination, false, false};
  DestinationState* entry = nullptr;
  for (DestinationState& existing : *state.mutable_destinations()) {
    if (existing.destination() == follow_up.destination && existing.route() == follow_up.route) {
      entry = &existing;
    }
  }
  if (entry == nullptr) {
    entry = state.add_destinations();
    entry->set_destination(follow_up.destination);
    entry->set_route(follow_up.route);
  } else if (IsPendingStatus(entry->status())) {
    // Superseded: the newer output goes instead; an attempt of the old task
    // in flight is ignored when it ends (its queue key is no longer this).
    batch.Delete(queue->handle, entry->queue_key());
    effect.was_pending = true;
  } else if (entry->status() == DELIVERY_DEAD) {
    batch.Delete(dead_letters_, DeadLetterKey(follow_up.destination, id));
    effect.was_dead = true;
  }
  batch.Put(outputs_, OutputKey(id, follow_up.route), Serialize(follow_up.output));
  DeliveryTask task;
  task.set_message_id(id);
  task.set_route(follow_up.route);
  task.set_enqueued_at_us(now);
  task.set_has_output(true);
  const std::string task_key = QueueKey(queue->next_seq.fetch_add(1), id);
  batch.Put(queue->handle, task_key, Serialize(task));
  entry->set_status(DELIVERY_QUEUED);
  entry->set_queue_key(task_key);
  entry->set_attempts(0);
  entry->clear_last_error();
  entry->set_has_output(true);
  entry->set_updated_at_us(now);

  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_ROUTED);
  event.set_route(follow_up.route);
  event.set_destination(follow_up.destination);
  event.set_detail("business acknowledgement queued");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  return effect;
}

absl::StatusOr<std::vector<DeliveryReceipt>> Store::GetReceipts(uint64_t id) const {
  return ReadMessageRecords<DeliveryReceipt>(*db_, receipts_, id, "delivery receipt");
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

}  // namespace navette::store
