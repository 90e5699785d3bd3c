// The time bounds an operator types for --since and --until.
#pragma once

#include <chrono>
#include <string_view>

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"

namespace navette::engine::cli {

// Accepts, relative to `now`:
//   an RFC 3339 time        2026-11-22T08:30:00Z, 2026-11-22T09:30:00+01:00
//   a date                  2026-11-22 (midnight, local time)
//   a duration back in time 45m, 6h, 2d (seconds s, minutes m, hours h, days d)
// and names what is wrong otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseTimeBound(
    std::string_view text, std::chrono::system_clock::time_point now);

}  // namespace navette::engine::cli
