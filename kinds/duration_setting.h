// Helpers for the duration settings kinds share (timeouts): their defaults
// and the rule that a timeout of zero is refused. Header-only; a kind's
// apply_defaults and check call them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <google/protobuf/duration.pb.h>

#include "kinds/registry.h"

namespace navette::kinds {

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
  if (present && value.seconds() * 1000 + value.nanos() / 1000000 <= 0) {
    reporter.Error(field, fmt::format("{} must be at least 1ms", option));
  }
}

}  // namespace navette::kinds
