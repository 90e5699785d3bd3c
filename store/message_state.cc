#include "store/message_state.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/store.h"  // StatusName

namespace navette::store {
namespace {

// Refuses any action but discard on a message an edit replaced.
absl::Status CheckNotSuperseded(uint64_t id, const MessageState& state) {
  if (state.superseded_by() == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      fmt::format("message {:016x} was edited into {:016x}, which replaces it: act on {:016x}", id,
                  state.superseded_by(), state.superseded_by()));
}

}  // namespace

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

MessageStatus RoutedStatus(const MessageState& state) {
  return state.routes().empty() ? UNROUTED : AggregateStatus(state);
}

AttemptTransition AttemptTransitionOf(AttemptResult result) {
  switch (result) {
    case AttemptResult::kDelivered:
      return {DELIVERY_DELIVERED, EVENT_DELIVERED, true, false};
    case AttemptResult::kRetry:
      return {DELIVERY_RETRYING, EVENT_ATTEMPT_FAILED, false, false};
    case AttemptResult::kDead:
      return {DELIVERY_DEAD, EVENT_DEAD, true, true};
  }
  return {DELIVERY_DEAD, EVENT_DEAD, true, true};  // not reached: every case returns
}

void ApplyAttempt(DestinationState& entry, AttemptResult result, std::string_view detail,
                  int64_t now_us) {
  const AttemptTransition transition = AttemptTransitionOf(result);
  entry.set_status(transition.status);
  entry.set_attempts(entry.attempts() + 1);
  entry.set_updated_at_us(now_us);
  if (result == AttemptResult::kDelivered) {
    entry.clear_last_error();
  } else {
    entry.set_last_error(std::string(detail));
  }
  if (transition.leaves_queue) entry.clear_queue_key();
}

absl::StatusOr<std::vector<int>> PlanReplay(
    uint64_t id, const MessageState& state, std::string_view destination,
    const std::function<bool(std::string_view)>& configured) {
  if (state.router_queue_key() != 0) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x} waits to be routed: it is delivered once routed", id));
  }
  if (absl::Status open = CheckNotSuperseded(id, state); !open.ok()) return open;
  std::vector<int> replayed;
  bool found = false;
  std::string unconfigured;
  std::string at_step;
  for (int i = 0; i < state.destinations_size(); ++i) {
    const DestinationState& entry = state.destinations(i);
    if (!destination.empty() && entry.destination() != destination) continue;
    found = true;
    if (IsPendingStatus(entry.status())) continue;
    if (entry.status() == DELIVERY_DEAD && entry.dead_at_step()) {
      // Delivering it would skip the step that refused it.
      at_step = entry.route();
      continue;
    }
    if (!configured(entry.destination())) {
      unconfigured += (unconfigured.empty() ? "'" : ", '") + entry.destination() + "'";
      continue;
    }
    replayed.push_back(i);
  }
  if (!found) {
    return absl::NotFoundError(
        destination.empty()
            ? fmt::format("message {:016x} has no destination to replay (it was not routed)", id)
            : fmt::format("message {:016x} was never routed to '{}'", id, destination));
  }
  if (replayed.empty() && !at_step.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x}: a step of route '{}' refused it; a replay would skip the "
                    "step: reroute it (--reroute) once the cause is fixed",
                    id, at_step));
  }
  if (replayed.empty()) {
    return absl::FailedPreconditionError(
        unconfigured.empty()
            ? fmt::format("message {:016x}: its delivery is still pending", id)
            : fmt::format("message {:016x}: nothing to replay ({} no longer configured)", id,
                          unconfigured));
  }
  return replayed;
}

void MarkReplayed(DestinationState& entry, std::string_view queue_key, int64_t now_us) {
  entry.set_status(DELIVERY_QUEUED);
  entry.set_updated_at_us(now_us);
  entry.set_queue_key(std::string(queue_key));
}

absl::Status CheckResend(uint64_t id, const MessageState& state, std::string_view destination) {
  if (state.router_queue_key() != 0) {
    // The routing to come replaces the message's deliveries.
    return absl::FailedPreconditionError(fmt::format(
        "message {:016x} waits to be routed: resend it once routed, if still needed", id));
  }
  if (absl::Status open = CheckNotSuperseded(id, state); !open.ok()) return open;
  for (const DestinationState& entry : state.destinations()) {
    if (entry.destination() != destination) continue;
    return absl::FailedPreconditionError(fmt::format(
        "message {:016x} already went to '{}' (route '{}', {}): use messages replay", id,
        destination, entry.route(), IsPendingStatus(entry.status()) ? "pending" : "not pending"));
  }
  return absl::OkStatus();
}

void AddResend(MessageState& state, std::string_view destination, std::string_view queue_key,
               int64_t now_us) {
  DestinationState& entry = *state.add_destinations();
  entry.set_destination(std::string(destination));
  entry.set_route(kResendRoute);
  entry.set_status(DELIVERY_QUEUED);
  entry.set_queue_key(std::string(queue_key));
  entry.set_updated_at_us(now_us);
  state.set_status(AggregateStatus(state));
  state.set_updated_at_us(now_us);
}

absl::Status CheckEdit(uint64_t id, const MessageState& state) {
  if (absl::Status open = CheckNotSuperseded(id, state); !open.ok()) return open;
  // Both the original and its correction could go out: refused while it
  // waits for the router, a delivery or an identity.
  const bool pending = state.router_queue_key() != 0 || state.status() == RECEIVED ||
                       state.status() == QUEUED || state.status() == RETRYING ||
                       state.status() == PARKED;
  if (pending) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x} may still be delivered as it is ({}): wait for it, or "
                    "discard it first",
                    id, StatusName(state.status())));
  }
  return absl::OkStatus();
}

absl::Status CheckReroute(uint64_t id, const MessageState& state) {
  if (state.router_queue_key() != 0) {
    return absl::FailedPreconditionError(
        fmt::format("message {:016x} already waits to be routed", id));
  }
  if (absl::Status open = CheckNotSuperseded(id, state); !open.ok()) return open;
  for (const DestinationState& entry : state.destinations()) {
    if (IsPendingStatus(entry.status())) {
      return absl::FailedPreconditionError(fmt::format(
          "message {:016x}: its delivery to '{}' is still pending", id, entry.destination()));
    }
  }
  return absl::OkStatus();
}

RerouteResult ApplyReroute(MessageState& state, uint64_t ticket, int64_t now_us) {
  RerouteResult result;
  // Its earlier deliveries stay in the history; routing starts afresh.
  for (DestinationState& entry : *state.mutable_destinations()) {
    if (entry.status() != DELIVERY_DEAD) continue;
    result.effects.push_back({entry.destination(), true, false});
    entry.set_status(DELIVERY_DISCARDED);
  }
  result.unparked.Swap(state.mutable_parked());
  state.clear_failed_routes();
  SendBackToRouter(state, ticket);
  state.set_updated_at_us(now_us);
  return result;
}

absl::Status CheckDiscard(uint64_t id, const MessageState& state) {
  if (state.status() == DISCARDED) {
    return absl::FailedPreconditionError(fmt::format("message {:016x} is already discarded", id));
  }
  return absl::OkStatus();
}

DiscardResult ApplyDiscard(MessageState& state, int64_t now_us) {
  DiscardResult result;
  for (DestinationState& entry : *state.mutable_destinations()) {
    ActionEffect effect{entry.destination(), entry.status() == DELIVERY_DEAD,
                        IsPendingStatus(entry.status())};
    if (!effect.was_dead && !effect.was_pending) continue;
    if (effect.was_pending) result.dequeued.emplace_back(entry.destination(), entry.queue_key());
    entry.set_status(DELIVERY_DISCARDED);
    entry.clear_queue_key();
    entry.set_updated_at_us(now_us);
    result.effects.push_back(std::move(effect));
  }
  result.unparked.Swap(state.mutable_parked());
  state.clear_failed_routes();
  // Waiting to be routed (received, rerouted or released): it never will.
  result.router_queue_key = state.router_queue_key();
  state.set_router_queue_key(0);
  state.set_status(DISCARDED);
  state.set_updated_at_us(now_us);
  return result;
}

absl::Status CheckRelease(uint64_t id, const MessageState& state) {
  if (state.parked().empty()) {
    return absl::FailedPreconditionError(fmt::format("message {:016x} is not parked", id));
  }
  return CheckNotSuperseded(id, state);
}

ReleaseResult ApplyRelease(MessageState& state, uint64_t ticket, int64_t now_us) {
  ReleaseResult result;
  for (const RouteHold& hold : state.parked()) result.routes.push_back(hold.route());
  result.unparked.Swap(state.mutable_parked());
  SendBackToRouter(state, ticket);
  state.set_updated_at_us(now_us);
  return result;
}

std::vector<std::string> TakeParkedRoutes(MessageState& state, std::string_view patient) {
  std::vector<std::string> routes;
  for (const RouteHold& hold : state.parked()) {
    if (hold.patient() == patient) routes.push_back(hold.route());
  }
  auto& parked = *state.mutable_parked();
  parked.erase(std::remove_if(parked.begin(), parked.end(),
                              [&](const RouteHold& hold) { return hold.patient() == patient; }),
               parked.end());
  return routes;
}

void SendBackToRouter(MessageState& state, uint64_t ticket) {
  state.set_router_queue_key(ticket);
  state.set_status(RECEIVED);
}

}  // namespace navette::store
