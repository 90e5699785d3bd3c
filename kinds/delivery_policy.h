// How a destination's queue is worked, from its `delivery` settings with the
// defaults applied (engine/config/defaults.cc) and its kind's traits. The
// delivery scheduler and the policy units (engine/delivery/) read it; a
// destination's factory reads it too (a network kind keeps one connection
// per attempt in flight).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "proto/config.pb.h"

namespace navette::kinds {

// The defaults of every destination's `delivery` settings, as
// proto/config.proto documents them: engine/config/defaults.cc writes them
// into the configuration, and a DeliveryPolicy built in code starts from
// them.
inline constexpr int64_t kDefaultRetryInitialDelayMs = 1000;
inline constexpr double kDefaultRetryFactor = 2.0;
inline constexpr int64_t kDefaultRetryMaxDelaySeconds = 300;
inline constexpr int64_t kDefaultRetryMaxAgeSeconds = 72 * 3600;
inline constexpr double kDefaultRetryJitter = 0.2;
inline constexpr uint32_t kDefaultCircuitFailureThreshold = 5;
inline constexpr int64_t kDefaultCircuitOpenSeconds = 5;

// What a destination kind says of itself, for its queue.
struct DestinationTraits {
  // Tasks per attempt: more than one for a kind that shares the cost of
  // durability across messages (one flush for many files).
  size_t batch_size = 1;
  // A batch stops taking messages once those it holds reach this many
  // bytes, so that a batch of large documents is not all held in memory.
  size_t max_batch_bytes = 8 << 20;
  // delivery.max_in_flight when the configuration leaves it unset.
  uint32_t default_max_in_flight = 4;
  // delivery.max_backlog when the configuration leaves it unset; 0: none.
  uint32_t default_max_backlog = 0;
};

struct DeliveryPolicy {
  uint32_t max_in_flight = 1;
  size_t batch_size = 1;  // tasks per attempt
  size_t max_batch_bytes = 8 << 20;
  double rate_limit = 0;  // attempts per second; 0: none
  bool per_patient = false;
  std::chrono::microseconds initial_delay = std::chrono::milliseconds(kDefaultRetryInitialDelayMs);
  double factor = kDefaultRetryFactor;
  std::chrono::microseconds max_delay = std::chrono::seconds(kDefaultRetryMaxDelaySeconds);
  uint32_t max_attempts = 0;  // 0: no limit
  // No limit in a policy built in code: an age limit needs the message's
  // receive time on the same clock, which a test's messages may not have.
  // The configuration's default, kDefaultRetryMaxAgeSeconds, is written in
  // by engine/config/defaults.cc like every other.
  std::chrono::microseconds max_age{0};  // 0: no limit
  double jitter = kDefaultRetryJitter;
  uint32_t failure_threshold = kDefaultCircuitFailureThreshold;  // 0: no circuit breaker
  std::chrono::microseconds open_duration = std::chrono::seconds(kDefaultCircuitOpenSeconds);
  // Queued messages past which intake waits for this destination while it
  // is delivering (engine/intake_gate.h); 0: no limit.
  uint64_t max_backlog = 0;

  // From a destination's `delivery` settings (defaults applied) and its
  // kind's traits.
  static DeliveryPolicy From(const navette::config::Delivery& delivery,
                             const DestinationTraits& traits);
};

}  // namespace navette::kinds
