#include "engine/cli/time_bound.h"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kAccepted[] =
    "expected an RFC 3339 time (2026-11-22T08:30:00Z), a date (2026-11-22) or a duration back "
    "from now (45m, 6h, 2d)";

std::optional<int64_t> SecondsPerUnit(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    default:
      return std::nullopt;
  }
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<google::protobuf::Timestamp> ParseTimeBound(
    std::string_view text, std::chrono::system_clock::time_point now) {
  const std::string value(text);
  // A duration: digits then one unit letter.
  if (value.size() >= 2 && AllDigits(text.substr(0, text.size() - 1))) {
    auto unit = SecondsPerUnit(value.back());
    if (!unit) {
      return absl::InvalidArgumentError(
          fmt::format("'{}': unknown unit '{}'; {}", value, value.back(), kAccepted));
    }
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // Nine digits of days would overflow; nothing before 1970 was received.
    const int64_t back = value.size() > 10 ? INT64_MAX / 86400
                                           : std::stoll(value.substr(0, value.size() - 1)) * *unit;
    if (back > now_s) {
      return absl::InvalidArgumentError(fmt::format("'{}': goes back before 1970", value));
    }
    return TimeUtil::SecondsToTimestamp(now_s - back);
  }
  // A date: YYYY-MM-DD, midnight where the operator is.
  if (value.size() == 10 && value[4] == '-' && value[7] == '-' && AllDigits(text.substr(0, 4)) &&
      AllDigits(text.substr(5, 2)) && AllDigits(text.substr(8, 2))) {
    std::tm day{};
    day.tm_year = std::stoi(value.substr(0, 4)) - 1900;
    day.tm_mon = std::stoi(value.substr(5, 2)) - 1;
    day.tm_mday = std::stoi(value.substr(8, 2));
    day.tm_isdst = -1;
    const int month = day.tm_mon, mday = day.tm_mday;
    const std::time_t at = std::mktime(&day);
    // mktime normalises 2026-02-30 into March: refuse what it had to move.
    if (at == -1 || day.tm_mon != month || day.tm_mday != mday) {
      return absl::InvalidArgumentError(fmt::format("'{}': no such date", value));
    }
    return TimeUtil::SecondsToTimestamp(at);
  }
  google::protobuf::Timestamp at;
  if (TimeUtil::FromString(value, &at)) return at;
  return absl::InvalidArgumentError(fmt::format("'{}': {}", value, kAccepted));
}

}  // namespace navette::engine::cli
