// The admin API's limits on its clients (engine.admin in
// proto/config.proto documents each one; engine/admin_listener.h enforces
// them). Apart from the listener so that the engine sets them without
// seeing cpp-httplib.
#pragma once

#include <chrono>
#include <cstddef>

#include <google/protobuf/util/time_util.h>

#include "proto/config.pb.h"

namespace navette::engine {

struct AdminLimits {
  size_t max_connections = 256;
  size_t max_connections_per_peer = 16;
  std::chrono::milliseconds request_timeout{10'000};
  size_t max_body_bytes = 64 * 1024;
};

// From a configuration whose defaults are applied (engine/config/defaults.h).
inline AdminLimits AdminLimitsFrom(const navette::config::Admin& admin) {
  AdminLimits limits;
  limits.max_connections = admin.max_connections();
  limits.max_connections_per_peer = admin.max_connections_per_peer();
  limits.request_timeout = std::chrono::milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(admin.request_timeout()));
  limits.max_body_bytes = admin.max_body_bytes();
  return limits;
}

}  // namespace navette::engine
