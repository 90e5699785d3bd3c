#include "kinds/delivery_policy.h"

#include <algorithm>

namespace navette::kinds {
namespace {

std::chrono::microseconds ToMicros(const google::protobuf::Duration& duration) {
  return std::chrono::seconds(duration.seconds()) +
         std::chrono::microseconds(duration.nanos() / 1000);
}

}  // namespace

DeliveryPolicy DeliveryPolicy::From(const navette::config::Delivery& delivery,
                                    const DestinationTraits& traits) {
  DeliveryPolicy policy;
  policy.max_in_flight = std::max<uint32_t>(1, delivery.max_in_flight());
  policy.batch_size = std::max<size_t>(1, traits.batch_size);
  policy.max_batch_bytes = traits.max_batch_bytes;
  policy.rate_limit = delivery.rate_limit();
  policy.per_patient = delivery.ordering() == navette::config::Delivery::PER_PATIENT;
  const navette::config::Retry& retry = delivery.retry();
  policy.initial_delay = ToMicros(retry.initial_delay());
  policy.factor = retry.factor();
  policy.max_delay = ToMicros(retry.max_delay());
  policy.max_attempts = retry.max_attempts();
  policy.max_age = ToMicros(retry.max_age());
  policy.jitter = retry.jitter();
  policy.failure_threshold = delivery.circuit_breaker().failure_threshold();
  policy.open_duration = ToMicros(delivery.circuit_breaker().open_duration());
  policy.max_backlog = delivery.max_backlog();
  return policy;
}

}  // namespace navette::kinds
