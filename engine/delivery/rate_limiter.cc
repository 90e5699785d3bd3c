#include "engine/delivery/rate_limiter.h"

#include <algorithm>

namespace navette::engine::delivery {

RateLimiter::RateLimiter(double rate_per_second, int64_t now_us)
    : rate_(rate_per_second),
      burst_(std::max(1.0, rate_per_second)),
      tokens_(burst_),
      tokens_at_us_(now_us) {}

double RateLimiter::TokensAt(int64_t now_us) const {
  const int64_t elapsed_us = std::max<int64_t>(0, now_us - tokens_at_us_);
  return std::min(burst_, tokens_ + static_cast<double>(elapsed_us) / 1e6 * rate_);
}

bool RateLimiter::TryAcquire(int64_t now_us) {
  if (unlimited()) return true;
  tokens_ = TokensAt(now_us);
  tokens_at_us_ = std::max(tokens_at_us_, now_us);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

int64_t RateLimiter::NextAvailableUs(int64_t now_us) const {
  if (unlimited()) return now_us;
  const double tokens = TokensAt(now_us);
  if (tokens >= 1) return now_us;
  // One microsecond more than the exact time, which the conversion rounds
  // down: at the time returned the token is there.
  return now_us + static_cast<int64_t>((1 - tokens) / rate_ * 1e6) + 1;
}

}  // namespace navette::engine::delivery
