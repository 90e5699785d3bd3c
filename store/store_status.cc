// Store: a message's overall status from its deliveries, and the names of statuses and events.
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include <utility>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

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
