#include "engine/delivery/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>

#include <fmt/format.h>

namespace navette::engine::delivery {

Backoff::Random Backoff::SystemRandom() {
  struct Shared {
    std::mutex mu;
    std::mt19937_64 generator{std::random_device{}()};
  };
  auto shared = std::make_shared<Shared>();
  return [shared] {
    std::lock_guard lock(shared->mu);
    return std::uniform_real_distribution<double>(0, 1)(shared->generator);
  };
}

Backoff::Backoff(const kinds::DeliveryPolicy& policy, Random random)
    : initial_delay_(policy.initial_delay),
      factor_(policy.factor),
      max_delay_(policy.max_delay),
      max_attempts_(policy.max_attempts),
      max_age_(policy.max_age),
      jitter_(policy.jitter),
      random_(std::move(random)) {}

std::chrono::microseconds Backoff::BaseDelay(uint32_t attempts) const {
  const double exponent = static_cast<double>(std::max<uint32_t>(attempts, 1) - 1);
  // In double: factor^(n-1) overflows any integer long before the cap.
  const double delay =
      std::min(static_cast<double>(initial_delay_.count()) * std::pow(factor_, exponent),
               static_cast<double>(max_delay_.count()));
  return std::chrono::microseconds(static_cast<int64_t>(delay));
}

std::chrono::microseconds Backoff::Delay(uint32_t attempts,
                                         std::chrono::microseconds retry_after) const {
  const double fraction = 1 - jitter_ * std::clamp(random_(), 0.0, 1.0);
  const auto drawn = std::chrono::microseconds(
      static_cast<int64_t>(static_cast<double>(BaseDelay(attempts).count()) * fraction));
  return std::max(drawn, retry_after);
}

Backoff::Decision Backoff::AfterFailure(uint32_t attempts, bool permanent, int64_t received_at_us,
                                        int64_t now_us,
                                        std::chrono::microseconds retry_after) const {
  Decision decision;
  if (permanent) {
    decision.why_dead = "refused";
  } else if (max_attempts_ != 0 && attempts >= max_attempts_) {
    decision.why_dead =
        fmt::format("gave up after {} attempt{}", attempts, attempts == 1 ? "" : "s");
  } else if (max_age_.count() != 0 && now_us - received_at_us >= max_age_.count()) {
    decision.why_dead = "gave up: older than retry.max_age";
  }
  decision.dead = !decision.why_dead.empty();
  if (!decision.dead) decision.next_attempt_us = now_us + Delay(attempts, retry_after).count();
  return decision;
}

}  // namespace navette::engine::delivery
