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
};

struct DeliveryPolicy {
  uint32_t max_in_flight = 1;
  size_t batch_size = 1;  // tasks per attempt
  size_t max_batch_bytes = 8 << 20;
  double rate_limit = 0;  // attempts per second; 0: none
  bool per_patient = false;
  std::chrono::microseconds initial_delay{1000000};
  double factor = 2;
  std::chrono::microseconds max_delay{300000000};
  uint32_t max_attempts = 0;             // 0: no limit
  std::chrono::microseconds max_age{0};  // 0: no limit
  double jitter = 0.2;
  uint32_t failure_threshold = 5;  // 0: no circuit breaker
  std::chrono::microseconds open_duration{5000000};

  // From a destination's `delivery` settings (defaults applied) and its
  // kind's traits.
  static DeliveryPolicy From(const navette::config::Delivery& delivery,
                             const DestinationTraits& traits);
};

}  // namespace navette::kinds
