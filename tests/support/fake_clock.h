// A Clock that moves only when a test says so: backoff, breaker and rate
// limiter edges are tested at exact times, with no sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace navette {

class FakeClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z: a plausible epoch, far from 0 so that "0 means
  // unset" fields are never confused with a time.
  explicit FakeClock(int64_t start_us = 1767225600000000) : now_us_(start_us) {}

  int64_t NowMicros() const override { return now_us_.load(); }

  void Advance(std::chrono::microseconds by) { now_us_ += by.count(); }
  void Set(int64_t now_us) { now_us_ = now_us; }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace navette
