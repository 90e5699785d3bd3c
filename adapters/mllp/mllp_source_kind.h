// The `mllp` source kind's row (kinds/registry.h): its defaults, its checks
// against the configuration alone, and its factory (mllp_source.h).
#pragma once

#include <cstdint>

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::adapters::mllp {

inline constexpr uint64_t kDefaultMaxMessageBytes = 16 * 1024 * 1024;
inline constexpr int64_t kDefaultIdleTimeoutSeconds = 300;
inline constexpr uint32_t kDefaultMaxConnections = 256;
// An eighth of the default total: a sender keeps one connection, or a few
// in parallel, so 32 is ample, and eight peers holding theirs idle still
// leave room for the others (docs/configuration.md).
inline constexpr uint32_t kDefaultMaxConnectionsPerPeer = 32;
// Ample for a handshake on a hospital LAN, short enough that clients which
// connect and never speak TLS do not hold their slots for long.
inline constexpr int64_t kDefaultTlsHandshakeTimeoutSeconds = 10;

// Idempotent; numbers left at 0 and an absent idle_timeout take their
// defaults ("0s" keeps its meaning: no idle timeout).
void ApplyMllpSourceDefaults(navette::config::MllpSource& config);

// After the defaults: listen is given and parses, and the per-peer limit is
// within the total.
void CheckMllpSource(const navette::config::MllpSource& config, kinds::CheckReporter& reporter);

// The row of engine/builtin_kinds.cc.
kinds::SourceKind MllpSourceKind();

}  // namespace navette::adapters::mllp
