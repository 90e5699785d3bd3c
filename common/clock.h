// Time as navette reads it: wall-clock microseconds since the Unix epoch
// (history events, receive times, retry times), from an injected Clock so
// that retry, backoff and breaker logic can be tested by advancing a fake
// clock (tests/support/fake_clock.h) rather than by sleeping (LevelDB's
// Env::NowMicros, Envoy's TimeSource).
//
// A component that decides something by the time takes a `const Clock&`;
// Clock::System() is the real one.
#pragma once

#include <chrono>
#include <cstdint>

namespace navette {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;

  // The system's clock; lives for the whole process.
  static const Clock& System();
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

inline const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

// The system clock's time, for code that has no decision to test by time
// (log lines, the parked gauge's age). Code whose behaviour depends on time
// takes a Clock instead.
inline int64_t NowMicros() { return Clock::System().NowMicros(); }

}  // namespace navette
