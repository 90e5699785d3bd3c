// The admin API's limits on its clients, and its TLS (engine.admin in
// proto/config.proto documents each one; engine/admin_listener.h enforces
// them). Apart from the listener so that the engine sets them without
// seeing cpp-httplib.
#pragma once

#include <chrono>
#include <cstddef>

#include <openssl/ssl.h>

#include <memory>

#include <google/protobuf/util/time_util.h>

#include "proto/config.pb.h"

namespace navette::engine {

struct AdminLimits {
  size_t max_connections = 256;
  size_t max_connections_per_peer = 16;
  std::chrono::milliseconds request_timeout{10'000};
  size_t max_body_bytes = 64 * 1024;
  // HTTPS only: the listener's context (adapters/tls/tls_context.h), which
  // the engine makes from engine.admin.tls. Null: plain HTTP.
  std::shared_ptr<SSL_CTX> tls = {};
  // Time a client has from its connection to finish the TLS handshake
  // (also bounded by request_timeout).
  std::chrono::milliseconds tls_handshake_timeout{10'000};
};

// From a configuration whose defaults are applied (engine/config/defaults.h).
inline AdminLimits AdminLimitsFrom(const navette::config::Admin& admin) {
  AdminLimits limits;
  limits.max_connections = admin.max_connections();
  limits.max_connections_per_peer = admin.max_connections_per_peer();
  limits.request_timeout = std::chrono::milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(admin.request_timeout()));
  limits.max_body_bytes = admin.max_body_bytes();
  if (admin.has_tls()) {
    limits.tls_handshake_timeout = std::chrono::milliseconds(
        google::protobuf::util::TimeUtil::DurationToMilliseconds(admin.tls().handshake_timeout()));
  }
  return limits;
}

}  // namespace navette::engine
