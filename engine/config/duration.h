// The duration syntax of configuration files: a number followed by a unit,
// "500ms", "30s", "5m", "1h", "0s", or several of them from the largest unit
// down, "1h30m", "2m30s", "1s500ms". Units are ms, s, m and h; numbers are
// whole and not negative. A bare "0" is accepted as well, since it is
// unambiguous.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/duration.pb.h>

#include "absl/status/statusor.h"

namespace navette::engine::config {

// Parses the syntax above. The error says what is wrong with the text.
absl::StatusOr<google::protobuf::Duration> ParseDuration(std::string_view text);

// Writes a duration back in the syntax above, largest units first ("1h30m",
// "0s"). Sub-millisecond parts, which the syntax cannot express, are dropped.
std::string FormatDuration(const google::protobuf::Duration& duration);

}  // namespace navette::engine::config
