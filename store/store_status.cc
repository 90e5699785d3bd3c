// Store: the names of statuses and events (the status itself: store/message_state.h).
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include <utility>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

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
    case EVENT_RECEIPT:
      return "receipt";
    case EVENT_EDITED:
      return "edited";
    case EVENT_RESENT:
      return "resent";
    default:
      return "unknown";
  }
}

}  // namespace navette::store
