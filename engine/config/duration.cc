#include "engine/config/duration.h"

#include <array>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

namespace navette::engine::config {
namespace {

struct Unit {
  std::string_view name;
  int64_t millis;
};

// Largest first: components must come in this order, each at most once, so
// that a slip such as "30s5m" is caught rather than silently summed.
// Days are 24 hours (no calendar: a retention of "30d" is 720h).
constexpr std::array<Unit, 5> kUnits = {
    {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

// google.protobuf.Duration's own bound: about 10,000 years.
constexpr int64_t kMaxSeconds = 315'576'000'000;
constexpr int64_t kMaxMillis = kMaxSeconds * 1000;

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(fmt::format(
      "invalid duration '{}': {} (write a number and a unit among ms, s, m, h, d, e.g. \"30s\", "
      "\"5m\", \"1h30m\", \"30d\")",
      text, why));
}

// The unit spelled at the start of `rest`, or kUnits.size().
size_t MatchUnit(std::string_view rest) {
  // "ms" before "m", or "500ms" would read as 500 minutes and a stray 's'.
  if (rest.starts_with("ms")) return 4;
  if (rest.starts_with("d")) return 0;
  if (rest.starts_with("h")) return 1;
  if (rest.starts_with("m")) return 2;
  if (rest.starts_with("s")) return 3;
  return kUnits.size();
}

}  // namespace

absl::StatusOr<google::protobuf::Duration> ParseDuration(std::string_view text) {
  google::protobuf::Duration duration;
  if (text == "0") return duration;
  if (text.empty()) return Invalid(text, "it is empty");
  int64_t total_millis = 0;
  size_t next_allowed_unit = 0;
  const char* pos = text.data();
  const char* end = text.data() + text.size();
  while (pos < end) {
    if (*pos == '-') return Invalid(text, "durations cannot be negative");
    uint64_t number = 0;
    auto [after_number, ec] = std::from_chars(pos, end, number);
    if (after_number == pos) {
      return Invalid(text, fmt::format("expected a number at character {}", pos - text.data() + 1));
    }
    if (ec == std::errc::result_out_of_range) return Invalid(text, "it is too long");
    if (after_number < end && *after_number == '.') {
      return Invalid(text, "fractions are not supported; use a smaller unit (\"1500ms\")");
    }
    pos = after_number;
    size_t unit = MatchUnit(std::string_view(pos, end - pos));
    if (unit == kUnits.size()) {
      if (pos == end) return Invalid(text, "the unit is missing");
      return Invalid(text, fmt::format("unknown unit at character {}", pos - text.data() + 1));
    }
    if (unit < next_allowed_unit) {
      return Invalid(text, "units must go from the largest to the smallest, each at most once");
    }
    next_allowed_unit = unit + 1;
    pos += kUnits[unit].name.size();
    if (number > static_cast<uint64_t>(kMaxMillis / kUnits[unit].millis)) {
      return Invalid(text, "it is too long");
    }
    total_millis += static_cast<int64_t>(number) * kUnits[unit].millis;
    if (total_millis > kMaxMillis) return Invalid(text, "it is too long");
  }
  duration.set_seconds(total_millis / 1000);
  duration.set_nanos(static_cast<int32_t>((total_millis % 1000) * 1'000'000));
  return duration;
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  int64_t millis = duration.seconds() * 1000 + duration.nanos() / 1'000'000;
  if (millis <= 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    int64_t count = millis / unit.millis;
    if (count == 0) continue;
    out += fmt::format("{}{}", count, unit.name);
    millis -= count * unit.millis;
  }
  return out;
}

}  // namespace navette::engine::config
