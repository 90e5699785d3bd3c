// Store: the router's side — its queue, and each routing decision committed
// with its delivery tasks, holds and history in one batch.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

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
  const int64_t now = clock_->NowMicros();
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
        state->set_status(DEAD);  // unreadable: nothing can route it
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
      Unpark(batch, id, state->parked());
      state->clear_parked();
    }
    state->set_config_version(std::string(config_version));
    state->set_updated_at_us(now);
    state->set_router_queue_key(0);

    event.Clear();
    event.set_at_us(now);
    if (decision.routes.empty() && !partial) {
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
    for (const DocumentVersion& version : decision.document_versions) {
      if (version.id().empty()) {
        return absl::InvalidArgumentError(
            fmt::format("store: a document version of message {:016x} has no id", id));
      }
      batch.Put(documents_, version.id(), Serialize(version));
      if (!version.set_id().empty()) {
        batch.Put(documents_, DocumentSetKey(version.set_id(), version.version()), version.id());
      }
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
    state->set_status(RoutedStatus(*state));
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

}  // namespace navette::store
