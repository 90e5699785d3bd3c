// The engine's Prometheus metrics (prometheus-cpp), rendered in the text
// exposition format on the admin listener's /metrics.
//
// Label values are configured names only (source, route, destination) and
// fixed words (reason, result): never anything from a message, so no patient
// data can reach a label. Series for every configured source, route and
// destination exist from the start, at zero, so that rates and alerts work
// before the first message.
//
// Thread safety: every method may be called from any thread. The hot-path
// methods look their series up without allocating.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace navette::config {
class Config;
}
namespace navette::kinds {
class KindRegistry;
}

namespace navette::engine {

class Metrics {
 public:
  // Series for `config`'s sources, routes and destinations exist from the
  // start; a source's reject reasons are its kind's (`kinds`' row).
  Metrics(const navette::config::Config& config, const kinds::KindRegistry& kinds);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The whole registry in Prometheus text format.
  std::string Render() const;

  // navette_messages_received_total{source}
  void Received(std::string_view source, uint64_t count = 1);
  // navette_messages_rejected_total{source,reason}; reason is one of the
  // fixed words the source's kind declares (kinds::SourceKind::
  // reject_reasons; for mllp "too_large", "not_hl7", "truncated",
  // "peer_connection_limit", ...).
  void Rejected(std::string_view source, std::string_view reason);
  // navette_ingest_commit_seconds: one synced ingress batch.
  void IngestCommitted(double seconds);
  // navette_messages_unrouted_total
  void Unrouted(uint64_t count = 1);
  // navette_routed_total{route}
  void Routed(std::string_view route, uint64_t count = 1);
  // navette_unmapped_codes_total{route}: local lab codes map_codes found no
  // LOINC for; the series exists from the start for each route with a
  // map_codes step.
  void UnmappedCodes(std::string_view route, uint64_t count);
  // navette_delivery_attempts_total{destination,result} with result one of
  // "delivered", "retry", "dead"; navette_delivery_seconds{destination}.
  // "delivered" also counts navette_delivered_total{destination}, "dead"
  // navette_dead_letters_total{destination}.
  void Attempted(std::string_view destination, std::string_view result, double seconds);
  // navette_end_to_end_seconds{route,destination}: received -> delivered.
  void EndToEnd(std::string_view route, std::string_view destination, double seconds);
  // Gauges: navette_queue_depth{destination},
  // navette_queue_oldest_age_seconds{destination}, navette_dead_letters{destination}.
  void SetQueue(std::string_view destination, uint64_t depth, double oldest_age_seconds);
  void SetDeadLetters(std::string_view destination, uint64_t count);
  // A destination's circuit breaker opened (navette_circuit_open{destination}
  // set to 1, navette_circuit_opened_total{destination} counted) or closed
  // (the gauge back to 0). A failed probe leaves it open: no call.
  void CircuitOpened(std::string_view destination);
  void CircuitClosed(std::string_view destination);

  // navette_bus_handshakes_refused_total{reason}: connections to the
  // ingress's tcp endpoints refused at their handshake; reason is one of
  // kBusRefusalReasons (engine/bus_handshakes.h), every one present from the
  // start.
  void BusHandshakeRefused(std::string_view reason);

  // Gauges navette_parked_messages and navette_parked_oldest_age_seconds,
  // read from `read` at each Render: parking, release, re-park, merge,
  // discard and restarts all change them, and only the store sees every one,
  // so they are counted there rather than kept up to date here. `read`
  // returns nullopt when it cannot count (the gauges keep their last value).
  // Called from the rendering thread; may be set once, before Render.
  struct Parked {
    uint64_t messages = 0;
    double oldest_age_seconds = 0;  // since the oldest one was received
  };
  void SetParkedReader(std::function<std::optional<Parked>()> read);
  // navette_config_info{version}: 1 for the configuration running now (a
  // reload replaces the series). Any thread.
  void SetConfigVersion(std::string_view version);

  // The disk watermark (engine/disk_watch.h): the gauges
  // navette_disk_free_bytes{volume} and navette_disk_min_free_bytes{volume}
  // (the threshold), volume being "store" (the data volume); and
  // navette_intake_paused{reason}, 1 while new messages are refused for
  // `reason` ("disk_low", present at 0 from the start). A message refused so
  // is counted by Rejected(source, reason). Any thread.
  void SetDiskSpace(std::string_view volume, uint64_t free_bytes, uint64_t min_free_bytes);
  void SetIntakePaused(std::string_view reason, bool paused);
  // navette_intake_held_seconds_total: time ingress held new messages back
  // while a destination was past its delivery.max_backlog
  // (engine/intake_gate.h). Any thread.
  void IntakeHeld(double seconds);

  // One run of retention (engine/retention_task.h):
  // navette_retention_removed_total{status} counts the messages it removed
  // per final status (delivered, dead, discarded, unrouted, consumed, each
  // present from the start); navette_retention_last_run_timestamp_seconds
  // is when the run ended (Unix seconds). Any thread.
  void RetentionRan(const std::map<std::string, uint64_t>& removed_by_status,
                    double finished_unix_seconds);
  // navette_retention_interval_seconds: the time between two runs, so that
  // an alert can tell a late run from a long interval.
  void SetRetentionInterval(double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace navette::engine
