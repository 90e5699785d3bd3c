#include "engine/config/retention_checks.h"

#include <fmt/format.h>

#include <utility>

#include "engine/config/duration.h"

namespace navette::engine::config {
namespace {

constexpr int64_t kMinIntervalMs = 1000;
constexpr int64_t kMaxIntervalMs = 86'400'000;
constexpr int64_t kShortAuditMs = 30 * 86'400'000LL;

int64_t Millis(const google::protobuf::Duration& duration) {
  return duration.seconds() * 1000 + duration.nanos() / 1000000;
}

}  // namespace

void CheckRetention(const navette::config::Engine& engine, const RetentionReport& report) {
  using Severity = ConfigError::Severity;
  const navette::config::Retention& retention = engine.retention();
  const int64_t window = Millis(engine.ingress().retransmission_window());
  const std::pair<const char*, const google::protobuf::Duration*> ages[] = {
      {"delivered", &retention.delivered()},
      {"dead", &retention.dead()},
      {"discarded", &retention.discarded()},
      {"unrouted", &retention.unrouted()},
      {"consumed", &retention.consumed()}};
  for (const auto& [name, age] : ages) {
    const int64_t millis = Millis(*age);
    if (millis != 0 && millis < window) {
      report(fmt::format("engine.retention.{}", name),
             fmt::format("engine.retention: {} ({}) is shorter than "
                         "engine.ingress.retransmission_window ({}): a retransmission of a "
                         "message already removed would be routed again; keep it at least as "
                         "long, or \"0s\" to keep for ever",
                         name, FormatDuration(*age),
                         FormatDuration(engine.ingress().retransmission_window())),
             Severity::kError);
    }
  }
  if (retention.has_interval()) {
    const int64_t interval = Millis(retention.interval());
    if (interval < kMinIntervalMs || interval > kMaxIntervalMs) {
      report("engine.retention.interval", "engine.retention: interval must be between 1s and 1d",
             Severity::kError);
    }
  }
  const int64_t audit = Millis(retention.audit());
  if (audit != 0 && audit < kShortAuditMs) {
    report("engine.retention.audit",
           fmt::format("engine.retention: audit entries are kept only {}: access traces of "
                       "health data are usually kept a year or more, and cannot come back",
                       FormatDuration(retention.audit())),
           Severity::kWarning);
  }
}

}  // namespace navette::engine::config
