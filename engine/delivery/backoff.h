// When a failed delivery is tried again, and when it is given up on.
//
// After a message's n-th failed attempt at a destination (n = 1, 2, ...):
//
//   permanent failure              -> dead, "refused"
//   max_attempts != 0, n >= it     -> dead, "gave up after n attempt(s)"
//   max_age != 0, age >= max_age   -> dead, "gave up: older than retry.max_age"
//   otherwise                      -> retry after
//       d = min(initial_delay × factor^(n-1), max_delay),
//       drawn in [d × (1 - jitter), d] so that messages failed together do
//       not all come back together,
//       and never sooner than the peer's Retry-After (a floor, even beyond
//       max_delay: the peer knows when it will take messages again).
//
// The age is counted from the message's receipt. The checks are made in
// that order, so a permanent failure is "refused" whatever the count. The
// texts are those the history shows (docs/configuration.md).
//
// Pure but for the jitter's draw, which comes from an injected source so
// that tests pin it; thread-safe (the delivery attempt threads share one).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "kinds/delivery_policy.h"

namespace navette::engine::delivery {

class Backoff {
 public:
  // A number in [0, 1]: the share of the jitter taken off a delay. Called
  // from any thread.
  using Random = std::function<double()>;
  // A uniform draw from a generator seeded by the system, behind a mutex.
  static Random SystemRandom();

  struct Decision {
    bool dead = false;
    std::string why_dead;         // when dead
    int64_t next_attempt_us = 0;  // when not dead
  };

  explicit Backoff(const kinds::DeliveryPolicy& policy, Random random = SystemRandom());

  // min(initial_delay × factor^(attempts-1), max_delay): the delay after
  // `attempts` (>= 1) failed attempts, before jitter.
  std::chrono::microseconds BaseDelay(uint32_t attempts) const;
  // The delay actually waited: jitter drawn, the peer's Retry-After as a
  // floor (zero when the peer named none).
  std::chrono::microseconds Delay(uint32_t attempts, std::chrono::microseconds retry_after) const;
  // The outcome of attempt number `attempts` having failed at `now_us`.
  Decision AfterFailure(uint32_t attempts, bool permanent, int64_t received_at_us, int64_t now_us,
                        std::chrono::microseconds retry_after) const;

 private:
  const std::chrono::microseconds initial_delay_;
  const double factor_;
  const std::chrono::microseconds max_delay_;
  const uint32_t max_attempts_;
  const std::chrono::microseconds max_age_;
  const double jitter_;
  const Random random_;
};

}  // namespace navette::engine::delivery
