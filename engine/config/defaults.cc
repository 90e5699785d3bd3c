#include "engine/config/defaults.h"

#include <algorithm>
#include <string>

namespace navette::engine::config {
namespace {

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

// `traits` are the destination's kind's (default ones for a component
// whose kind is unknown: the checks refuse it anyway).
void ApplyDeliveryDefaults(navette::config::Destination& destination,
                           const kinds::DestinationTraits& traits) {
  navette::config::Delivery& delivery = *destination.mutable_delivery();
  if (delivery.max_in_flight() == 0) delivery.set_max_in_flight(traits.default_max_in_flight);
  if (!delivery.has_max_backlog()) delivery.set_max_backlog(traits.default_max_backlog);
  navette::config::Retry& retry = *delivery.mutable_retry();
  SetDurationIfAbsent(retry, &navette::config::Retry::has_initial_delay,
                      &navette::config::Retry::mutable_initial_delay,
                      kinds::kDefaultRetryInitialDelayMs / 1000,
                      static_cast<int32_t>(kinds::kDefaultRetryInitialDelayMs % 1000 * 1000000));
  if (retry.factor() == 0) retry.set_factor(kinds::kDefaultRetryFactor);
  SetDurationIfAbsent(retry, &navette::config::Retry::has_max_delay,
                      &navette::config::Retry::mutable_max_delay,
                      kinds::kDefaultRetryMaxDelaySeconds);
  SetDurationIfAbsent(retry, &navette::config::Retry::has_max_age,
                      &navette::config::Retry::mutable_max_age, kinds::kDefaultRetryMaxAgeSeconds);
  if (!retry.has_jitter()) retry.set_jitter(kinds::kDefaultRetryJitter);
  navette::config::CircuitBreaker& breaker = *delivery.mutable_circuit_breaker();
  if (!breaker.has_failure_threshold()) {
    breaker.set_failure_threshold(kinds::kDefaultCircuitFailureThreshold);
  }
  SetDurationIfAbsent(breaker, &navette::config::CircuitBreaker::has_open_duration,
                      &navette::config::CircuitBreaker::mutable_open_duration,
                      kinds::kDefaultCircuitOpenSeconds);
}

// The defaults of a source's, step's or destination's own settings, from
// its kind's row; nothing when its kind is not set or not registered.
template <typename Kind>
void ApplyKindDefaults(google::protobuf::Message& component, const Kind* kind) {
  if (kind == nullptr || !kind->apply_defaults) return;
  // Fails only for an extension that does not hold the kind's message,
  // which the loader never makes; CheckConfig reports it when reading the
  // settings.
  (void)kinds::EditKindSettings(component, kind->config_type, kind->apply_defaults);
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
  if (admin.payload_role() == navette::config::AdminToken::ROLE_UNSPECIFIED) {
    admin.set_payload_role(navette::config::AdminToken::OPERATOR);
  }
  if (admin.has_tls() && !admin.tls().has_handshake_timeout()) {
    admin.mutable_tls()->mutable_handshake_timeout()->set_seconds(
        kDefaultAdminTlsHandshakeTimeoutSeconds);
  }
}

void ApplyRetentionDefaults(navette::config::Retention& retention) {
  using navette::config::Retention;
  SetDurationIfAbsent(retention, &Retention::has_delivered, &Retention::mutable_delivered,
                      kDefaultRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_dead, &Retention::mutable_dead,
                      kDefaultDeadRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_discarded, &Retention::mutable_discarded,
                      kDefaultRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_unrouted, &Retention::mutable_unrouted,
                      kDefaultRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_consumed, &Retention::mutable_consumed,
                      kDefaultRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_history, &Retention::mutable_history, 0);
  SetDurationIfAbsent(retention, &Retention::has_audit, &Retention::mutable_audit,
                      kDefaultAuditRetentionDays * kDaySeconds);
  SetDurationIfAbsent(retention, &Retention::has_interval, &Retention::mutable_interval,
                      kDefaultRetentionIntervalSeconds);
}

}  // namespace

void ApplyDefaults(navette::config::Config& config, const kinds::KindRegistry& kinds) {
  navette::config::Engine& engine = *config.mutable_engine();
  navette::config::Log& log = *engine.mutable_log();
  if (log.format() == navette::config::Log::FORMAT_UNSPECIFIED) {
    log.set_format(navette::config::Log::TEXT);
  }
  SetDurationIfAbsent(log, &navette::config::Log::has_repeat_window,
                      &navette::config::Log::mutable_repeat_window, kDefaultLogRepeatWindowSeconds);
  if (log.repeat_limit() == 0) log.set_repeat_limit(kDefaultLogRepeatLimit);
  if (engine.admin().listen().empty()) {
    engine.mutable_admin()->set_listen(std::string(kDefaultAdminListen));
  }
  ApplyAdminLimitDefaults(*engine.mutable_admin());
  navette::config::Disk& disk = *engine.mutable_disk();
  if (!disk.has_min_free_mib()) disk.set_min_free_mib(kDefaultDiskMinFreeMib);
  SetDurationIfAbsent(disk, &navette::config::Disk::has_check_interval,
                      &navette::config::Disk::mutable_check_interval,
                      kDefaultDiskCheckIntervalSeconds);
  ApplyRetentionDefaults(*engine.mutable_retention());
  navette::config::Ingress& ingress = *engine.mutable_ingress();
  if (ingress.max_batch() == 0) ingress.set_max_batch(kDefaultIngressMaxBatch);
  if (!ingress.has_retransmission_window()) {
    ingress.mutable_retransmission_window()->set_seconds(kDefaultRetransmissionWindowSeconds);
  }

  navette::config::IdentitySettings& identity = *config.mutable_identity();
  if (identity.environment() == navette::config::IdentitySettings::ENVIRONMENT_UNSPECIFIED) {
    identity.set_environment(navette::config::IdentitySettings::PRODUCTION);
  }
  navette::config::Hospital& hospital = *config.mutable_hospital();
  if (hospital.practice_setting_code().empty()) {
    hospital.set_practice_setting_code(std::string(kDefaultPracticeSettingCode));
    if (hospital.practice_setting_display().empty()) {
      hospital.set_practice_setting_display(std::string(kDefaultPracticeSettingDisplay));
    }
  }
  for (navette::config::Route& route : *config.mutable_routes()) {
    for (navette::config::Step& step : *route.mutable_steps()) {
      ApplyKindDefaults(step, kinds.KindOf(step));
    }
  }

  for (navette::config::Source& source : *config.mutable_sources()) {
    if (source.default_charset().empty()) {
      source.set_default_charset(std::string(kDefaultCharset));
    }
    ApplyKindDefaults(source, kinds.KindOf(source));
  }

  for (navette::config::Destination& destination : *config.mutable_destinations()) {
    const kinds::DestinationKind* kind = kinds.KindOf(destination);
    ApplyKindDefaults(destination, kind);
    ApplyDeliveryDefaults(destination, kind != nullptr ? kind->traits : kinds::DestinationTraits{});
  }
}

}  // namespace navette::engine::config
