// A destination's rate limit: a token bucket of `rate` attempts per second
// holding at most max(1, rate) tokens, so that after a quiet spell up to
// `rate` attempts (at least one) may start at once. A rate of 0 (or less)
// means no limit. It starts full.
//
// Driven by the times passed in; no threads. The caller (the delivery
// scheduler's dispatcher) serialises the calls, takes a token per attempt,
// and sleeps until NextAvailableUs when none is left.
#pragma once

#include <cstdint>

namespace navette::engine::delivery {

class RateLimiter {
 public:
  RateLimiter(double rate_per_second, int64_t now_us);

  bool unlimited() const { return rate_ <= 0; }
  // Takes a token if there is one at `now_us`; always true when unlimited.
  bool TryAcquire(int64_t now_us);
  // The first time at or after `now_us` when a token is there.
  int64_t NextAvailableUs(int64_t now_us) const;

 private:
  double TokensAt(int64_t now_us) const;

  const double rate_;   // tokens per second
  const double burst_;  // most tokens held
  double tokens_;
  int64_t tokens_at_us_;
};

}  // namespace navette::engine::delivery
