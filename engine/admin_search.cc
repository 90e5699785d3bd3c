#include "engine/admin_search.h"

#include <charconv>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "adapters/hl7v2/field_path.h"
#include "adapters/hl7v2/message_view.h"
#include "common/printable.h"
#include "engine/admin_views.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

absl::StatusOr<int64_t> TimeParam(const httplib::Request& request, const char* name) {
  if (!request.has_param(name)) return 0;
  google::protobuf::Timestamp at;
  if (!google::protobuf::util::TimeUtil::FromString(request.get_param_value(name), &at)) {
    return absl::InvalidArgumentError(
        fmt::format("{} must be an RFC 3339 time (2026-12-05T08:00:00Z)", name));
  }
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(at);
}

}  // namespace

// The check of ?field=PATH=VALUE on one message: the field at PATH, as
// written in the message, equal to VALUE.
absl::StatusOr<std::function<absl::StatusOr<bool>(uint64_t)>> FieldCheck(
    const std::string& param, const store::Store& store) {
  const size_t equals = param.find('=');
  if (equals == std::string::npos) {
    return absl::InvalidArgumentError("field must be PATH=VALUE, e.g. PID-3.1=000123");
  }
  auto path = adapters::hl7v2::FieldPath::Parse(param.substr(0, equals));
  if (!path.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("field: {}", std::string(path.status().message())));
  }
  return [&store, path = *path,
          value = param.substr(equals + 1)](uint64_t id) -> absl::StatusOr<bool> {
    auto message = store.GetMessage(id);
    if (!message.ok()) return message.status();
    auto view = adapters::hl7v2::MessageView::Parse(message->envelope().raw());
    if (!view.ok()) return false;
    std::optional<std::string_view> found = view->Get(path);
    return found.has_value() && *found == value;
  };
}

absl::StatusOr<store::SearchFilter> SearchFilterOf(const httplib::Request& request,
                                                   const store::Store& store) {
  store::SearchFilter filter;
  if (request.has_param("state")) {
    const std::string state = request.get_param_value("state");
    auto status = store::ParseStatusName(state);
    if (!status) {
      return absl::InvalidArgumentError(fmt::format("unknown state '{}' (expected one of: {})",
                                                    Printable(state, 64), StateNames()));
    }
    filter.status = *status;
  }
  filter.source = request.get_param_value("source");
  filter.route = request.get_param_value("route");
  filter.destination = request.get_param_value("destination");
  filter.ipp = request.get_param_value("ipp");
  filter.ins = request.get_param_value("ins");
  filter.control_id = request.get_param_value("control_id");
  filter.document_id = request.get_param_value("document_id");
  filter.set_id = request.get_param_value("set_id");
  auto since = TimeParam(request, "since");
  if (!since.ok()) return since.status();
  filter.since_us = *since;
  auto until = TimeParam(request, "until");
  if (!until.ok()) return until.status();
  filter.until_us = *until;
  if (request.has_param("limit")) {
    const std::string text = request.get_param_value("limit");
    size_t limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit == 0 ||
        limit > kMaxListLimit) {
      return absl::InvalidArgumentError(
          fmt::format("limit must be a number from 1 to {}", kMaxListLimit));
    }
    filter.limit = limit;
  }
  if (request.has_param("field")) {
    if (filter.since_us == 0) {
      return absl::InvalidArgumentError(
          "field needs since: a field search reads each message, within a time window");
    }
    auto check = FieldCheck(request.get_param_value("field"), store);
    if (!check.ok()) return check.status();
    filter.also = std::move(*check);
  }
  if (request.has_param("before")) {
    auto before = store::ParseMessageId(request.get_param_value("before"));
    if (!before) return absl::InvalidArgumentError("before must be a message id (a cursor)");
    filter.before_id = *before;
  }
  return filter;
}

}  // namespace navette::engine
