// Helpers for the duration settings kinds share (timeouts): their defaults,
// the rule that a timeout of zero is refused, and their value in
// milliseconds. Header-only; a kind's apply_defaults, check and create call
// them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/util/time_util.h>

#include "kinds/registry.h"

namespace navette::kinds {

// A duration setting in whole milliseconds (truncated).
inline std::chrono::milliseconds Milliseconds(const google::protobuf::Duration& duration) {
  return std::chrono::milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(duration));
}

// Sets a duration setting to `seconds` unless it is present: "0s" written
// in the file keeps its meaning. It takes the has_ and mutable_ members
// rather than their results: as two arguments of one call, mutable_ could
// run first and make has_ true.
template <typename Message, typename Has, typename Mutable>
void SetDurationIfAbsent(Message& message, Has has, Mutable mutable_field, int64_t seconds) {
  if ((message.*has)()) return;
  google::protobuf::Duration* duration = (message.*mutable_field)();
  duration->set_seconds(seconds);
  duration->set_nanos(0);
}

// A timeout given as 0s: every attempt would fail at once. `field` is the
// setting's path below the kind, `option` how the message names it
// ("http.timeout").
inline void CheckAtLeastOneMs(bool present, const google::protobuf::Duration& value,
                              std::string_view field, std::string_view option,
                              CheckReporter& reporter) {
  if (present && Milliseconds(value).count() <= 0) {
    reporter.Error(field, fmt::format("{} must be at least 1ms", option));
  }
}

}  // namespace navette::kinds
