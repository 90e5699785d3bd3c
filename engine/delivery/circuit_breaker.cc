#include "engine/delivery/circuit_breaker.h"

#include <algorithm>

namespace navette::engine::delivery {

CircuitBreaker::CircuitBreaker(const kinds::DeliveryPolicy& policy)
    : failure_threshold_(policy.failure_threshold),
      open_duration_(policy.open_duration),
      longest_pause_(std::max(policy.max_delay, policy.open_duration)) {}

CircuitBreaker::State CircuitBreaker::state(int64_t now_us) const {
  if (!open_) return State::kClosed;
  return now_us < open_until_us_ ? State::kOpen : State::kHalfOpen;
}

CircuitBreaker::Admission CircuitBreaker::Admit(int64_t now_us) const {
  Admission admission;
  switch (state(now_us)) {
    case State::kClosed:
      admission.any = true;
      break;
    case State::kOpen:
      admission.wake_at_us = open_until_us_;
      break;
    case State::kHalfOpen:
      admission.probe = !probe_in_flight_;
      break;
  }
  return admission;
}

CircuitBreaker::Transition CircuitBreaker::OnDelivered() {
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
  if (!open_) return Transition::kNone;
  open_ = false;
  return Transition::kClosed;
}

CircuitBreaker::Transition CircuitBreaker::OnTransientFailure(int64_t now_us) {
  ++consecutive_failures_;
  if (failure_threshold_ == 0 || consecutive_failures_ < failure_threshold_) {
    return Transition::kNone;
  }
  Transition transition = Transition::kReopened;
  if (open_) {
    pause_ = std::min(pause_ * 2, longest_pause_);
  } else {
    open_ = true;
    pause_ = open_duration_;
    transition = Transition::kOpened;
  }
  open_until_us_ = now_us + pause_.count();
  return transition;
}

const char* StateName(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

}  // namespace navette::engine::delivery
