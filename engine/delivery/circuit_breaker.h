// A destination's circuit breaker: pauses the whole destination while its
// peer is down, instead of every message failing on its own schedule.
//
//   closed    --failure_threshold consecutive transient failures-->  open
//   open      --open_duration passed------------------------------>  half-open
//   half-open --one attempt (the probe) at a time------------------>
//   any       --a delivery---------------------------------------->  closed
//   open or half-open --a transient failure--> open again, the pause doubled
//                                              up to max(max_delay, open_duration)
//
// A delivery resets the count of failures; a permanent failure neither counts
// nor resets it (the peer answered: it is up). The failure that reopens the
// circuit may be the probe's or that of an attempt already in progress when
// the circuit opened. failure_threshold 0 turns the breaker off: it stays
// closed. open_duration 0 makes "open" mean one attempt at a time.
//
// Driven by the times passed in; no threads. The caller (the delivery
// scheduler) serialises the calls, and logs and counts the transitions each
// call returns, so that they are reported once.
#pragma once

#include <chrono>
#include <cstdint>

#include "kinds/delivery_policy.h"

namespace navette::engine::delivery {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  enum class Transition {
    kNone,
    kOpened,    // closed -> open
    kReopened,  // a failure while open or half-open: the pause doubled
    kClosed,    // open or half-open -> closed
  };
  // What may start now.
  struct Admission {
    bool any = false;        // closed: as many attempts as the caller likes
    bool probe = false;      // half-open: one attempt, the probe
    int64_t wake_at_us = 0;  // neither: when that changes (0: when the probe ends)
  };

  explicit CircuitBreaker(const kinds::DeliveryPolicy& policy);

  State state(int64_t now_us) const;
  Admission Admit(int64_t now_us) const;
  // The caller started the probe Admit allowed, and later saw it end (in
  // whatever way: a success or a failure is also reported below).
  void ProbeStarted() { probe_in_flight_ = true; }
  void ProbeEnded() { probe_in_flight_ = false; }

  // A delivery: closes the circuit; the caller may then let go at once the
  // messages that wait for their own retry delay (kClosed).
  Transition OnDelivered();
  Transition OnTransientFailure(int64_t now_us);

  uint32_t consecutive_failures() const { return consecutive_failures_; }
  // The current (or last) pause.
  std::chrono::microseconds pause() const { return pause_; }
  // Meaningful while not closed.
  int64_t open_until_us() const { return open_until_us_; }

 private:
  const uint32_t failure_threshold_;
  const std::chrono::microseconds open_duration_;
  const std::chrono::microseconds longest_pause_;
  uint32_t consecutive_failures_ = 0;
  bool open_ = false;
  int64_t open_until_us_ = 0;
  std::chrono::microseconds pause_{0};
  bool probe_in_flight_ = false;
};

const char* StateName(CircuitBreaker::State state);

}  // namespace navette::engine::delivery
