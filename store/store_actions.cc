// Store: an operator's actions on one message (replay, reroute, discard), each one synced batch
// with its history event.
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "common/clock.h"
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

}  // namespace navette::store
