// What a delivery scheduler tells of itself: its status for the admin API
// (GET /v1/status) and its gauges for the metrics. Apart from the scheduling
// in delivery_scheduler.cc; whether it holds intake back (intake_gate.h); and
// what it says when its circuit opens and closes.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/printable.h"
#include "engine/delivery_scheduler.h"
#include "engine/metrics.h"

namespace navette::engine {

DeliveryScheduler::Status DeliveryScheduler::status() const {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMicros();
  Status status{
      .queue_depth = static_cast<uint64_t>(std::max<int64_t>(0, depth_)),
      .oldest_age_seconds = OldestAgeSeconds(now),
      .dead_letters = static_cast<uint64_t>(std::max<int64_t>(0, dead_letters_)),
      .circuit_open = breaker_.state(now) != delivery::CircuitBreaker::State::kClosed,
      .last_error = last_error_,
      .last_error_at_us = last_error_at_us_,
  };
  return status;
}

double DeliveryScheduler::OldestAgeSeconds(int64_t now) const {
  if (window_.empty()) return 0;
  return std::max<int64_t>(0, now - window_.begin()->second.queued.task.enqueued_at_us()) / 1e6;
}

void DeliveryScheduler::PublishGauges(int64_t now) {
  if (metrics_ == nullptr) return;
  metrics_->SetQueue(name_, static_cast<uint64_t>(std::max<int64_t>(0, depth_)),
                     OldestAgeSeconds(now));
  metrics_->SetDeadLetters(name_, static_cast<uint64_t>(std::max<int64_t>(0, dead_letters_)));
}

bool DeliveryScheduler::OverBacklog(int64_t now) const {
  return policy_.max_backlog > 0 && depth_ > static_cast<int64_t>(policy_.max_backlog) &&
         last_attempt_delivered_ && breaker_.state(now) == delivery::CircuitBreaker::State::kClosed;
}

void DeliveryScheduler::CircuitOpened(const Completion& completion) {
  spdlog::warn(
      "delivery: destination={}: {} consecutive failures (last: {}); circuit open, "
      "pausing deliveries for {} ms",
      name_, breaker_.consecutive_failures(), Printable(completion.detail),
      breaker_.pause().count() / 1000);
  if (metrics_ != nullptr) metrics_->CircuitOpened(name_);
}

void DeliveryScheduler::CircuitClosed(int64_t now) {
  spdlog::info("delivery: destination={} answers again; circuit closed", name_);
  if (metrics_ != nullptr) metrics_->CircuitClosed(name_);
  probe_key_.clear();  // a probe still out no longer is one
  // Tasks waiting on their own backoff need not wait any longer.
  for (auto& [key, other] : window_) {
    if (!other.in_flight) other.queued.task.set_not_before_us(now);
  }
}

}  // namespace navette::engine
