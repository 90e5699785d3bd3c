// Store: an operator's actions on one message (replay, reroute, discard, resend, edit), each one
// synced batch with its history events; what each may do is decided in store/message_state.h.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::StatusOr<std::vector<ActionEffect>> Store::Replay(uint64_t id, std::string_view destination,
                                                        std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  const MessageStatus previous = state->status();
  auto replayed = PlanReplay(id, *state, destination, [this](std::string_view name) {
    QueueCf* queue = Queue(name);
    return queue != nullptr && queue->configured;
  });
  if (!replayed.ok()) return replayed.status();
  const int64_t now = clock_->NowMicros();
  rocksdb::WriteBatch batch;
  std::vector<ActionEffect> effects;
  for (int index : *replayed) {
    DestinationState& entry = *state->mutable_destinations(index);
    ActionEffect effect{entry.destination(), entry.status() == DELIVERY_DEAD, false};
    if (effect.was_dead) batch.Delete(dead_letters_, DeadLetterKey(entry.destination(), id));
    DeliveryTask task;
    task.set_message_id(id);
    task.set_route(entry.route());
    task.set_enqueued_at_us(now);
    task.set_patient(entry.patient());
    task.set_has_output(entry.has_output());
    QueueCf* queue = Queue(entry.destination());
    const std::string task_key = QueueKey(queue->next_seq.fetch_add(1), id);
    batch.Put(queue->handle, task_key, Serialize(task));
    MarkReplayed(entry, task_key, now);
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
  if (absl::Status allowed = CheckReroute(id, *state); !allowed.ok()) return allowed;
  const MessageStatus previous = state->status();
  const int64_t now = clock_->NowMicros();
  RerouteResult rerouted = ApplyReroute(*state, ticket_id, now);
  rocksdb::WriteBatch batch;
  for (const ActionEffect& effect : rerouted.effects) {
    batch.Delete(dead_letters_, DeadLetterKey(effect.destination, id));
  }
  std::string target;
  AppendBigEndian64(target, id);
  batch.Put(router_queue_, IdKey(ticket_id), target);
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_REPLAYED);
  event.set_actor(std::string(actor));
  event.set_detail("reroute requested");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  Unpark(batch, id, rerouted.unparked);
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a reroute");
  if (!written.ok()) return written;
  return std::move(rerouted.effects);
}

absl::StatusOr<std::vector<ActionEffect>> Store::Resend(uint64_t id, std::string_view destination,
                                                        std::string_view actor) {
  QueueCf* queue = Queue(destination);
  if (queue == nullptr || !queue->configured) {
    return absl::InvalidArgumentError(
        fmt::format("no destination '{}' in the configuration (configured: {})", destination,
                    ConfiguredDestinations()));
  }
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  if (absl::Status allowed = CheckResend(id, *state, destination); !allowed.ok()) return allowed;
  const MessageStatus previous = state->status();
  const int64_t now = clock_->NowMicros();
  rocksdb::WriteBatch batch;
  // The message as received: no route ran its steps for this destination.
  DeliveryTask task;
  task.set_message_id(id);
  task.set_route(kResendRoute);
  task.set_enqueued_at_us(now);
  const std::string task_key = QueueKey(queue->next_seq.fetch_add(1), id);
  batch.Put(queue->handle, task_key, Serialize(task));
  AddResend(*state, destination, task_key, now);
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_RESENT);
  event.set_route(kResendRoute);
  event.set_destination(std::string(destination));
  event.set_actor(std::string(actor));
  event.set_detail("resend to a destination no route gave it requested");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a resend");
  if (!written.ok()) return written;
  return std::vector<ActionEffect>{{std::string(destination), false, false}};
}

absl::Status Store::CommitEdit(const EditRecord& edit) {
  if (edit.envelope == nullptr || edit.id == 0 || edit.id == edit.original_id) {
    return absl::InvalidArgumentError("store: an edit needs a new message with its own id");
  }
  auto locks = LockStates({edit.original_id, edit.id});
  auto original = GetState(edit.original_id);
  if (!original.ok()) return original.status();
  if (absl::Status allowed = CheckEdit(edit.original_id, *original); !allowed.ok()) return allowed;
  const int64_t now = clock_->NowMicros();
  const std::string changes = edit.changes.empty() ? std::string("no field changed") : edit.changes;
  rocksdb::WriteBatch batch;

  MessageState corrected;
  corrected.set_edited_from(edit.original_id);
  PutReceived(batch, edit.id, *edit.envelope, std::move(corrected));
  // Found like any message received (its MSH-10 too, though the edit is
  // kept out of the retransmission index).
  PutSearchTerms(batch, IngressRecord{edit.id, edit.envelope, "", edit.patient});
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_EDITED);
  event.set_actor(edit.actor);
  event.set_detail(fmt::format("edit of {:016x} by {}: {}", edit.original_id, edit.actor, changes));
  batch.Put(history_, HistoryKey(edit.id, NextEventSeq()), Serialize(event));

  // The original keeps its journal entry, deliveries and status: only the
  // link to what replaces it.
  const MessageStatus previous = original->status();
  original->set_superseded_by(edit.id);
  original->set_updated_at_us(now);
  event.set_detail(fmt::format("edited by {} into {:016x}: {}", edit.actor, edit.id, changes));
  batch.Put(history_, HistoryKey(edit.original_id, NextEventSeq()), Serialize(event));
  PutState(batch, state_, status_index_, edit.original_id, previous, *original);
  return FromRocks(db_->Write(SyncedWrite(), &batch), "committing an edit");
}

absl::StatusOr<std::vector<ActionEffect>> Store::Discard(uint64_t id, std::string_view actor) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  if (absl::Status allowed = CheckDiscard(id, *state); !allowed.ok()) return allowed;
  const MessageStatus previous = state->status();
  const int64_t now = clock_->NowMicros();
  DiscardResult discarded = ApplyDiscard(*state, now);
  rocksdb::WriteBatch batch;
  for (const ActionEffect& effect : discarded.effects) {
    if (effect.was_dead) batch.Delete(dead_letters_, DeadLetterKey(effect.destination, id));
  }
  for (const auto& [destination, queue_key] : discarded.dequeued) {
    if (QueueCf* queue = Queue(destination)) batch.Delete(queue->handle, queue_key);
  }
  Unpark(batch, id, discarded.unparked);
  if (discarded.router_queue_key != 0) {
    batch.Delete(router_queue_, IdKey(discarded.router_queue_key));
  }
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_DISCARDED);
  event.set_actor(std::string(actor));
  event.set_detail("discard requested");
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a discard");
  if (!written.ok()) return written;
  return std::move(discarded.effects);
}

}  // namespace navette::store
