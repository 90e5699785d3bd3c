#include "engine/admin_views.h"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "adapters/hl7v2/charset.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

google::protobuf::Timestamp FromMicros(int64_t us) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(us);
}

std::string_view DeliveryStatusName(store::DeliveryStatus status) {
  switch (status) {
    case store::DELIVERY_QUEUED:
      return "queued";
    case store::DELIVERY_RETRYING:
      return "retrying";
    case store::DELIVERY_DELIVERED:
      return "delivered";
    case store::DELIVERY_DEAD:
      return "dead";
    case store::DELIVERY_DISCARDED:
      return "discarded";
    default:
      return "unknown";
  }
}

bool IsValidUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xe  ? 3
                    : (c >> 3) == 0x1e ? 4
                                       : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

admin::MessageSummary ToSummary(uint64_t id, const store::MessageState& state) {
  admin::MessageSummary summary;
  summary.set_id(store::FormatMessageId(id));
  summary.set_state(std::string(store::StatusName(state.status())));
  summary.set_source(state.source());
  summary.set_control_id(DisplayText(state.control_id()));
  summary.set_message_type(DisplayText(state.message_type()));
  *summary.mutable_received_at() = FromMicros(state.received_at_us());
  *summary.mutable_updated_at() = FromMicros(state.updated_at_us());
  for (const std::string& route : state.routes()) summary.add_routes(route);
  summary.set_config_version(state.config_version());
  if (state.superseded_by() != 0) {
    summary.set_superseded_by(store::FormatMessageId(state.superseded_by()));
  }
  if (state.edited_from() != 0)
    summary.set_edited_from(store::FormatMessageId(state.edited_from()));
  for (const store::DestinationState& destination : state.destinations()) {
    admin::DestinationSummary* out = summary.add_destinations();
    out->set_destination(destination.destination());
    out->set_route(destination.route());
    out->set_state(std::string(DeliveryStatusName(destination.status())));
    out->set_attempts(destination.attempts());
    out->set_last_error(destination.last_error());
    out->set_dead_at_step(destination.dead_at_step());
    out->set_rewritten(destination.has_output());
  }
  for (const auto* holds : {&state.parked(), &state.failed_routes()}) {
    for (const store::RouteHold& hold : *holds) {
      admin::RouteHoldSummary* out = summary.add_holds();
      out->set_route(hold.route());
      out->set_state(holds == &state.parked() ? "parked" : "failed");
      out->set_reason(DisplayText(hold.reason()));
      *out->mutable_since() = FromMicros(hold.at_us());
    }
  }
  return summary;
}

admin::MessageDetail ToDetail(uint64_t id, const store::StoredMessage& message,
                              const store::MessageState& state,
                              const std::vector<store::Event>& history) {
  admin::MessageDetail detail;
  *detail.mutable_summary() = ToSummary(id, state);
  const navette::Envelope& envelope = message.envelope();
  detail.set_peer(envelope.peer());
  detail.set_charset(envelope.charset());
  detail.set_sending_application(DisplayText(envelope.hl7().sending_application()));
  detail.set_sending_facility(DisplayText(envelope.hl7().sending_facility()));
  detail.set_receiving_application(DisplayText(envelope.hl7().receiving_application()));
  detail.set_receiving_facility(DisplayText(envelope.hl7().receiving_facility()));
  detail.set_version(DisplayText(envelope.hl7().version()));
  // Shown as the sender meant it: decoded from its charset (MSH-18 or the
  // source's default), so that accented names read right.
  auto decoded = adapters::hl7v2::DecodeMessage(envelope.raw(), envelope.charset());
  detail.set_raw(decoded.ok() ? std::move(decoded->text) : DisplayText(envelope.raw()));
  for (const store::Event& event : history) {
    admin::HistoryEvent* out = detail.add_history();
    *out->mutable_at() = FromMicros(event.at_us());
    out->set_type(std::string(store::EventTypeName(event.type())));
    out->set_route(event.route());
    out->set_destination(event.destination());
    out->set_attempt(event.attempt());
    out->set_duration_seconds(static_cast<double>(event.duration_us()) / 1e6);
    out->set_detail(DisplayText(event.detail()));
    out->set_actor(event.actor());
    if (event.next_attempt_us() != 0) {
      *out->mutable_next_attempt_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(event.next_attempt_us());
    }
  }
  return detail;
}

void AddNextAttempts(const store::Store& store, const store::MessageState& state,
                     admin::MessageSummary& summary) {
  for (int i = 0; i < state.destinations_size() && i < summary.destinations_size(); ++i) {
    const store::DestinationState& destination = state.destinations(i);
    if (destination.status() != store::DELIVERY_RETRYING || destination.queue_key().empty()) {
      continue;
    }
    // The task sits at its queue key until its next attempt.
    auto tasks = store.PeekQueue(destination.destination(), destination.queue_key(), 1);
    if (!tasks.ok() || tasks->empty() || tasks->front().key != destination.queue_key()) continue;
    *summary.mutable_destinations(i)->mutable_next_attempt_at() =
        FromMicros(tasks->front().task.not_before_us());
  }
}

absl::StatusOr<admin::DeliveredMessage> ToDelivered(const store::Store& store, uint64_t id,
                                                    std::string_view destination,
                                                    std::string_view route) {
  const std::string id_text = store::FormatMessageId(id);
  auto state = store.GetState(id);
  if (!state.ok()) return state.status();
  std::vector<const store::DestinationState*> matches;
  std::string went_to;
  for (const store::DestinationState& entry : state->destinations()) {
    went_to += fmt::format("{}{} (route {})", went_to.empty() ? "" : ", ", entry.destination(),
                           entry.route());
    if (entry.destination() == destination && (route.empty() || entry.route() == route)) {
      matches.push_back(&entry);
    }
  }
  const std::string by_route = route.empty() ? "" : fmt::format(" by route '{}'", route);
  if (matches.empty()) {
    return absl::NotFoundError(fmt::format(
        "message {} never went to destination '{}'{}; {}", id_text, destination, by_route,
        went_to.empty() ? "it went to no destination" : "it went to " + went_to));
  }
  if (matches.size() > 1) {
    return absl::InvalidArgumentError(fmt::format(
        "message {} went to destination '{}' by several routes ({}): name one with route=", id_text,
        destination, went_to));
  }
  const store::DestinationState& entry = *matches.front();
  if (entry.dead_at_step()) {
    return absl::NotFoundError(fmt::format(
        "message {} never went to destination '{}': route '{}' failed at a step before sending "
        "it ({})",
        id_text, destination, entry.route(), DisplayText(entry.last_error())));
  }
  auto message = store.GetMessage(id);
  if (!message.ok()) return message.status();
  const navette::Envelope& envelope = message->envelope();
  std::string bytes = envelope.raw();
  if (entry.has_output()) {
    auto output = store.GetOutput(id, entry.route());
    if (!output.ok()) return output.status();
    bytes = std::move(*output->mutable_payload());
  }
  admin::DeliveredMessage delivered;
  delivered.set_id(id_text);
  delivered.set_destination(entry.destination());
  delivered.set_route(entry.route());
  delivered.set_state(std::string(DeliveryStatusName(entry.status())));
  delivered.set_rewritten(entry.has_output());
  delivered.set_charset(envelope.charset());
  delivered.set_bytes(bytes.size());
  // The output is in the message's own charset: decoded as the received text is.
  auto decoded = adapters::hl7v2::DecodeMessage(bytes, envelope.charset());
  delivered.set_text(decoded.ok() ? std::move(decoded->text) : DisplayText(bytes));
  return delivered;
}

std::string StateNames() {
  std::string names;
  const google::protobuf::EnumDescriptor& statuses = *store::MessageStatus_descriptor();
  for (int i = 0; i < statuses.value_count(); ++i) {
    const auto status = static_cast<store::MessageStatus>(statuses.value(i)->number());
    if (status == store::MESSAGE_STATUS_UNSPECIFIED) continue;
    names += fmt::format("{}{}", names.empty() ? "" : ", ", store::StatusName(status));
  }
  return names;
}

std::string DisplayText(const std::string& bytes) {
  if (IsValidUtf8(bytes)) return bytes;
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xc0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace navette::engine
