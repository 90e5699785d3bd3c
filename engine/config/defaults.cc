#include "engine/config/defaults.h"

#include <algorithm>
#include <string>

namespace navette::engine::config {
namespace {

void ApplyMllpDefaults(navette::config::MllpSource& mllp) {
  if (mllp.max_message_bytes() == 0) mllp.set_max_message_bytes(kDefaultMllpMaxMessageBytes);
  if (!mllp.has_idle_timeout()) {
    mllp.mutable_idle_timeout()->set_seconds(kDefaultMllpIdleTimeoutSeconds);
  }
  if (mllp.max_connections() == 0) mllp.set_max_connections(kDefaultMllpMaxConnections);
  if (mllp.max_connections_per_peer() == 0) {
    // A source configured for fewer connections than the per-peer default
    // lets one peer use them all, as it did before the option existed.
    mllp.set_max_connections_per_peer(
        std::min(kDefaultMllpMaxConnectionsPerPeer, mllp.max_connections()));
  }
}

// Sets a duration field to its default unless present. It takes the has_ and
// mutable_ members rather than their results: as two arguments of one call,
// mutable_ could run first and make has_ true.
template <typename Message, typename Has, typename Mutable>
void SetDurationIfAbsent(Message& message, Has has, Mutable mutable_field, int64_t seconds,
                         int32_t nanos = 0) {
  if ((message.*has)()) return;
  google::protobuf::Duration* duration = (message.*mutable_field)();
  duration->set_seconds(seconds);
  duration->set_nanos(nanos);
}

void ApplyDeliveryDefaults(navette::config::Destination& destination) {
  navette::config::Delivery& delivery = *destination.mutable_delivery();
  if (delivery.max_in_flight() == 0) {
    delivery.set_max_in_flight(destination.has_file() ? kDefaultFileMaxInFlight
                                                      : kDefaultNetworkMaxInFlight);
  }
  navette::config::Retry& retry = *delivery.mutable_retry();
  SetDurationIfAbsent(retry, &navette::config::Retry::has_initial_delay,
                      &navette::config::Retry::mutable_initial_delay,
                      kDefaultRetryInitialDelayMs / 1000,
                      static_cast<int32_t>(kDefaultRetryInitialDelayMs % 1000 * 1000000));
  if (retry.factor() == 0) retry.set_factor(kDefaultRetryFactor);
  SetDurationIfAbsent(retry, &navette::config::Retry::has_max_delay,
                      &navette::config::Retry::mutable_max_delay, kDefaultRetryMaxDelaySeconds);
  SetDurationIfAbsent(retry, &navette::config::Retry::has_max_age,
                      &navette::config::Retry::mutable_max_age, kDefaultRetryMaxAgeSeconds);
  if (!retry.has_jitter()) retry.set_jitter(kDefaultRetryJitter);
  navette::config::CircuitBreaker& breaker = *delivery.mutable_circuit_breaker();
  if (!breaker.has_failure_threshold()) {
    breaker.set_failure_threshold(kDefaultCircuitFailureThreshold);
  }
  SetDurationIfAbsent(breaker, &navette::config::CircuitBreaker::has_open_duration,
                      &navette::config::CircuitBreaker::mutable_open_duration,
                      kDefaultCircuitOpenSeconds);
}

void ApplyAdminLimitDefaults(navette::config::Admin& admin) {
  if (admin.max_connections() == 0) admin.set_max_connections(kDefaultAdminMaxConnections);
  if (admin.max_connections_per_peer() == 0) {
    admin.set_max_connections_per_peer(kDefaultAdminMaxConnectionsPerPeer);
  }
  SetDurationIfAbsent(admin, &navette::config::Admin::has_request_timeout,
                      &navette::config::Admin::mutable_request_timeout,
                      kDefaultAdminRequestTimeoutSeconds);
  if (admin.max_body_bytes() == 0) admin.set_max_body_bytes(kDefaultAdminMaxBodyBytes);
}

}  // namespace

void ApplyDefaults(navette::config::Config& config, const kinds::KindRegistry& /*kinds*/) {
  navette::config::Engine& engine = *config.mutable_engine();
  if (engine.admin().listen().empty()) {
    engine.mutable_admin()->set_listen(std::string(kDefaultAdminListen));
  }
  ApplyAdminLimitDefaults(*engine.mutable_admin());
  navette::config::Ingress& ingress = *engine.mutable_ingress();
  if (ingress.max_batch() == 0) ingress.set_max_batch(kDefaultIngressMaxBatch);
  if (!ingress.has_retransmission_window()) {
    ingress.mutable_retransmission_window()->set_seconds(kDefaultRetransmissionWindowSeconds);
  }

  navette::config::IdentitySettings& identity = *config.mutable_identity();
  if (identity.environment() == navette::config::IdentitySettings::ENVIRONMENT_UNSPECIFIED) {
    identity.set_environment(navette::config::IdentitySettings::PRODUCTION);
  }
  for (navette::config::Route& route : *config.mutable_routes()) {
    for (navette::config::Step& step : *route.mutable_steps()) {
      if (!step.has_attach_ins()) continue;
      navette::config::AttachInsStep& attach = *step.mutable_attach_ins();
      if (attach.require() == navette::config::AttachInsStep::REQUIRE_UNSPECIFIED) {
        attach.set_require(navette::config::AttachInsStep::QUALIFIED);
      }
      if (attach.on_missing() == navette::config::AttachInsStep::ON_MISSING_UNSPECIFIED) {
        attach.set_on_missing(navette::config::AttachInsStep::PARK);
      }
    }
  }

  for (navette::config::Source& source : *config.mutable_sources()) {
    if (source.default_charset().empty()) {
      source.set_default_charset(std::string(kDefaultCharset));
    }
    if (source.has_mllp()) ApplyMllpDefaults(*source.mutable_mllp());
  }

  for (navette::config::Destination& destination : *config.mutable_destinations()) {
    if (destination.has_file() && destination.file().suffix().empty()) {
      destination.mutable_file()->set_suffix(std::string(kDefaultFileSuffix));
    }
    if (destination.has_http()) {
      navette::config::HttpDestination& http = *destination.mutable_http();
      SetDurationIfAbsent(http, &navette::config::HttpDestination::has_connect_timeout,
                          &navette::config::HttpDestination::mutable_connect_timeout,
                          kDefaultConnectTimeoutSeconds);
      SetDurationIfAbsent(http, &navette::config::HttpDestination::has_timeout,
                          &navette::config::HttpDestination::mutable_timeout,
                          kDefaultHttpTimeoutSeconds);
    }
    if (destination.has_mllp()) {
      navette::config::MllpDestination& mllp = *destination.mutable_mllp();
      SetDurationIfAbsent(mllp, &navette::config::MllpDestination::has_connect_timeout,
                          &navette::config::MllpDestination::mutable_connect_timeout,
                          kDefaultConnectTimeoutSeconds);
      SetDurationIfAbsent(mllp, &navette::config::MllpDestination::has_ack_timeout,
                          &navette::config::MllpDestination::mutable_ack_timeout,
                          kDefaultMllpAckTimeoutSeconds);
      if (mllp.on_ae() == navette::config::MllpDestination::FAILURE_UNSPECIFIED) {
        mllp.set_on_ae(navette::config::MllpDestination::TRANSIENT);
      }
      if (mllp.on_ar() == navette::config::MllpDestination::FAILURE_UNSPECIFIED) {
        mllp.set_on_ar(navette::config::MllpDestination::PERMANENT);
      }
    }
    ApplyDeliveryDefaults(destination);
  }
}

}  // namespace navette::engine::config
