#include "engine/admin_search.h"

#include <charconv>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

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

absl::StatusOr<store::SearchFilter> SearchFilterOf(const httplib::Request& request) {
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
  if (request.has_param("before")) {
    auto before = store::ParseMessageId(request.get_param_value("before"));
    if (!before) return absl::InvalidArgumentError("before must be a message id (a cursor)");
    filter.before_id = *before;
  }
  return filter;
}

}  // namespace navette::engine
