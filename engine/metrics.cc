#include "engine/metrics.h"

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "engine/bus_handshakes.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"

#ifndef NAVETTE_VERSION
#error "NAVETTE_VERSION is defined by engine/CMakeLists.txt"
#endif

namespace navette::engine {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Series are indexed by the values of at most two labels; a one-label series
// leaves the second empty. The comparator is transparent so that a lookup by
// a pair of string_views allocates nothing.
using Key = std::pair<std::string, std::string>;
using KeyView = std::pair<std::string_view, std::string_view>;

struct KeyLess {
  using is_transparent = void;
  static KeyView View(const Key& key) { return {key.first, key.second}; }
  static KeyView View(const KeyView& key) { return key; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return View(a) < View(b);
  }
};

// The series of one family, by label values. Those known at construction
// (the configured names) are read without a lock; any other name (a caller
// naming something the configuration does not) is created on first use under
// a mutex, so it is counted rather than dropped.
template <typename T>
class Index {
 public:
  // `label_names` are the family's labels, in Key order (one or two).
  Index(Family<T>& family, std::vector<std::string> label_names,
        std::function<T&(Family<T>&, const prometheus::Labels&)> add)
      : family_(family), label_names_(std::move(label_names)), add_(std::move(add)) {}

  // Construction only: before any Get.
  void Preset(KeyView key) { preset_.emplace(Key(key.first, key.second), &Create(key)); }

  T& Get(KeyView key) {
    if (auto it = preset_.find(key); it != preset_.end()) return *it->second;
    std::lock_guard lock(mutex_);
    if (auto it = lazy_.find(key); it != lazy_.end()) return *it->second;
    T& series = Create(key);
    lazy_.emplace(Key(key.first, key.second), &series);
    return series;
  }

 private:
  T& Create(KeyView key) {
    prometheus::Labels labels;
    labels.emplace(label_names_[0], std::string(key.first));
    if (label_names_.size() > 1) labels.emplace(label_names_[1], std::string(key.second));
    return add_(family_, labels);
  }

  Family<T>& family_;
  const std::vector<std::string> label_names_;
  const std::function<T&(Family<T>&, const prometheus::Labels&)> add_;
  std::map<Key, T*, KeyLess> preset_;  // read-only after construction
  std::mutex mutex_;
  std::map<Key, T*, KeyLess> lazy_;
};

// Counters and gauges start at zero with no argument.
template <typename T>
T& AddPlain(Family<T>& family, const prometheus::Labels& labels) {
  return family.Add(labels);
}

std::function<Histogram&(Family<Histogram>&, const prometheus::Labels&)> AddHistogram(
    Histogram::BucketBoundaries buckets) {
  return [buckets = std::move(buckets)](Family<Histogram>& family,
                                        const prometheus::Labels& labels) -> Histogram& {
    return family.Add(labels, buckets);
  };
}

// A group commit is one fsync: tens of µs on NVMe, tens of ms on a busy disk.
const Histogram::BucketBoundaries kCommitBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
// One delivery attempt: a file write is ~1 ms; a remote peer may take up to
// its timeouts (5 s to connect, then 30 s for the answer by default).
const Histogram::BucketBoundaries kDeliveryBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
// Received -> delivered: milliseconds when all goes well, up to a day when a
// destination was down and the message waited in its queue.
const Histogram::BucketBoundaries kEndToEndBuckets = {0.01, 0.025, 0.05,  0.1,   0.25, 0.5, 1,
                                                      2.5,  5,     10,    30,    60,   300, 900,
                                                      1800, 3600,  14400, 43200, 86400};

constexpr std::array<std::string_view, 3> kResults = {"delivered", "retry", "dead"};
// The reason of navette_intake_paused and navette_messages_rejected_total
// while the data volume is low on space (engine/disk_watch.h).
constexpr std::string_view kDiskLowReason = "disk_low";

}  // namespace

struct Metrics::Impl {
  Impl(const navette::config::Config& config, const kinds::KindRegistry& kinds);

  prometheus::Registry registry;

  Family<Counter>& received_family = prometheus::BuildCounter()
                                         .Name("navette_messages_received_total")
                                         .Help(
                                             "Messages committed, by source (retransmissions "
                                             "excluded)")
                                         .Register(registry);
  Family<Counter>& rejected_family = prometheus::BuildCounter()
                                         .Name("navette_messages_rejected_total")
                                         .Help(
                                             "Messages a source answered AR or AE, frames cut "
                                             "short, and connections it closed (bad framing, "
                                             "over a limit), by reason")
                                         .Register(registry);
  Family<Counter>& unrouted_family = prometheus::BuildCounter()
                                         .Name("navette_messages_unrouted_total")
                                         .Help("Messages that matched no route (kept as unrouted)")
                                         .Register(registry);
  Family<Counter>& routed_family = prometheus::BuildCounter()
                                       .Name("navette_routed_total")
                                       .Help("Messages matched by each route")
                                       .Register(registry);
  Family<Counter>& unmapped_codes_family =
      prometheus::BuildCounter()
          .Name("navette_unmapped_codes_total")
          .Help("Local lab codes map_codes found no LOINC for, by route")
          .Register(registry);
  Family<Counter>& attempts_family = prometheus::BuildCounter()
                                         .Name("navette_delivery_attempts_total")
                                         .Help(
                                             "Delivery attempts by destination and result "
                                             "(delivered, retry, dead)")
                                         .Register(registry);
  Family<Counter>& delivered_family = prometheus::BuildCounter()
                                          .Name("navette_delivered_total")
                                          .Help("Messages delivered, by destination")
                                          .Register(registry);
  Family<Counter>& dead_total_family = prometheus::BuildCounter()
                                           .Name("navette_dead_letters_total")
                                           .Help(
                                               "Messages given up on (dead letters), by "
                                               "destination")
                                           .Register(registry);
  Family<Gauge>& queue_depth_family = prometheus::BuildGauge()
                                          .Name("navette_queue_depth")
                                          .Help("Messages waiting in a destination's queue")
                                          .Register(registry);
  Family<Gauge>& queue_age_family = prometheus::BuildGauge()
                                        .Name("navette_queue_oldest_age_seconds")
                                        .Help(
                                            "Age of the oldest message waiting in a "
                                            "destination's queue (0 when empty)")
                                        .Register(registry);
  Family<Gauge>& dead_letters_family = prometheus::BuildGauge()
                                           .Name("navette_dead_letters")
                                           .Help("Dead letters currently kept for a destination")
                                           .Register(registry);
  Family<Gauge>& circuit_open_family = prometheus::BuildGauge()
                                           .Name("navette_circuit_open")
                                           .Help(
                                               "1 while a destination's circuit breaker is open "
                                               "(deliveries paused, or one probe at a time)")
                                           .Register(registry);
  Family<Counter>& circuit_opened_family = prometheus::BuildCounter()
                                               .Name("navette_circuit_opened_total")
                                               .Help("Times a destination's circuit breaker opened")
                                               .Register(registry);
  Family<Counter>& bus_refused_family = prometheus::BuildCounter()
                                            .Name("navette_bus_handshakes_refused_total")
                                            .Help(
                                                "Connections to the bus's tcp endpoints refused "
                                                "at their handshake (CURVE), by reason")
                                            .Register(registry);
  Family<Histogram>& commit_family = prometheus::BuildHistogram()
                                         .Name("navette_ingest_commit_seconds")
                                         .Help("Duration of one synced ingress batch commit")
                                         .Register(registry);
  Family<Histogram>& delivery_seconds_family =
      prometheus::BuildHistogram()
          .Name("navette_delivery_seconds")
          .Help("Duration of one delivery attempt, by destination")
          .Register(registry);
  Family<Histogram>& end_to_end_family = prometheus::BuildHistogram()
                                             .Name("navette_end_to_end_seconds")
                                             .Help(
                                                 "Time from receipt to delivery, by route and "
                                                 "destination")
                                             .Register(registry);
  Family<Gauge>& parked_family = prometheus::BuildGauge()
                                     .Name("navette_parked_messages")
                                     .Help(
                                         "Messages with a route parked, waiting for the "
                                         "patient's identity")
                                     .Register(registry);
  Family<Gauge>& parked_age_family = prometheus::BuildGauge()
                                         .Name("navette_parked_oldest_age_seconds")
                                         .Help(
                                             "Time since the oldest parked message was received "
                                             "(0 when none is parked)")
                                         .Register(registry);
  Family<Gauge>& disk_free_family =
      prometheus::BuildGauge()
          .Name("navette_disk_free_bytes")
          .Help("Free space on a volume the engine writes to, by volume (store: the data volume)")
          .Register(registry);
  Family<Gauge>& disk_min_free_family =
      prometheus::BuildGauge()
          .Name("navette_disk_min_free_bytes")
          .Help("Free space below which intake pauses (engine.disk), by volume")
          .Register(registry);
  Family<Gauge>& intake_paused_family =
      prometheus::BuildGauge()
          .Name("navette_intake_paused")
          .Help("1 while the engine refuses new messages, by reason (disk_low)")
          .Register(registry);
  Counter& intake_held = prometheus::BuildCounter()
                             .Name("navette_intake_held_seconds_total")
                             .Help(
                                 "Time ingress held new messages back for a destination past "
                                 "its delivery.max_backlog (backpressure)")
                             .Register(registry)
                             .Add({});
  Family<Counter>& retention_removed_family =
      prometheus::BuildCounter()
          .Name("navette_retention_removed_total")
          .Help("Messages retention removed, by the final status they were in")
          .Register(registry);
  Gauge& retention_last_run =
      prometheus::BuildGauge()
          .Name("navette_retention_last_run_timestamp_seconds")
          .Help("When retention last finished a run (Unix time; 0: not yet)")
          .Register(registry)
          .Add({});
  Gauge& retention_interval =
      prometheus::BuildGauge()
          .Name("navette_retention_interval_seconds")
          .Help("Time between two runs of retention (engine.retention.interval)")
          .Register(registry)
          .Add({});
  Family<Gauge>& build_info_family = prometheus::BuildGauge()
                                         .Name("navette_build_info")
                                         .Help("Always 1; the version is in the label")
                                         .Register(registry);

  Family<Gauge>& config_info_family =
      prometheus::BuildGauge()
          .Name("navette_config_info")
          .Help("Always 1; the version of the running configuration is in the label")
          .Register(registry);
  std::mutex config_info_mutex;
  Gauge* config_info = nullptr;  // guarded by config_info_mutex

  Counter& unrouted = unrouted_family.Add({});
  Histogram& ingest_commit = commit_family.Add({}, kCommitBuckets);
  Gauge& parked = parked_family.Add({});
  Gauge& parked_age = parked_age_family.Add({});
  std::function<std::optional<Metrics::Parked>()> read_parked;  // set once, before Render

  Index<Counter> received{received_family, {"source"}, AddPlain<Counter>};
  Index<Counter> rejected{rejected_family, {"source", "reason"}, AddPlain<Counter>};
  Index<Counter> routed{routed_family, {"route"}, AddPlain<Counter>};
  Index<Counter> unmapped_codes{unmapped_codes_family, {"route"}, AddPlain<Counter>};
  Index<Counter> attempts{attempts_family, {"destination", "result"}, AddPlain<Counter>};
  Index<Counter> delivered{delivered_family, {"destination"}, AddPlain<Counter>};
  Index<Counter> dead_total{dead_total_family, {"destination"}, AddPlain<Counter>};
  Index<Gauge> queue_depth{queue_depth_family, {"destination"}, AddPlain<Gauge>};
  Index<Gauge> queue_age{queue_age_family, {"destination"}, AddPlain<Gauge>};
  Index<Gauge> dead_letters{dead_letters_family, {"destination"}, AddPlain<Gauge>};
  Index<Gauge> circuit_open{circuit_open_family, {"destination"}, AddPlain<Gauge>};
  Index<Counter> circuit_opened{circuit_opened_family, {"destination"}, AddPlain<Counter>};
  Index<Counter> bus_refused{bus_refused_family, {"reason"}, AddPlain<Counter>};
  Index<Gauge> disk_free{disk_free_family, {"volume"}, AddPlain<Gauge>};
  Index<Gauge> disk_min_free{disk_min_free_family, {"volume"}, AddPlain<Gauge>};
  Index<Gauge> intake_paused{intake_paused_family, {"reason"}, AddPlain<Gauge>};
  Index<Counter> retention_removed{retention_removed_family, {"status"}, AddPlain<Counter>};
  Index<Histogram> delivery_seconds{
      delivery_seconds_family, {"destination"}, AddHistogram(kDeliveryBuckets)};
  Index<Histogram> end_to_end{
      end_to_end_family, {"route", "destination"}, AddHistogram(kEndToEndBuckets)};
};

Metrics::Impl::Impl(const navette::config::Config& config, const kinds::KindRegistry& kinds) {
  build_info_family.Add({{"version", NAVETTE_VERSION}}).Set(1);
  for (std::string_view reason : kBusRefusalReasons) bus_refused.Preset({reason, ""});
  intake_paused.Preset({kDiskLowReason, ""});
  for (std::string_view status : {"delivered", "dead", "discarded", "unrouted", "consumed"}) {
    retention_removed.Preset({status, ""});
  }
  for (const auto& source : config.sources()) {
    received.Preset({source.name(), ""});
    if (const kinds::SourceKind* kind = kinds.KindOf(source)) {
      for (std::string_view reason : kind->reject_reasons) rejected.Preset({source.name(), reason});
      // Ingress refuses any source's messages while the disk is low.
      rejected.Preset({source.name(), kDiskLowReason});
    }
  }
  for (const auto& route : config.routes()) {
    routed.Preset({route.name(), ""});
    for (const auto& step : route.steps()) {
      if (step.has_map_codes()) unmapped_codes.Preset({route.name(), ""});
    }
    for (const std::string& destination : route.to())
      end_to_end.Preset({route.name(), destination});
  }
  for (const auto& destination : config.destinations()) {
    const std::string& name = destination.name();
    for (std::string_view result : kResults) attempts.Preset({name, result});
    delivered.Preset({name, ""});
    dead_total.Preset({name, ""});
    queue_depth.Preset({name, ""});
    queue_age.Preset({name, ""});
    dead_letters.Preset({name, ""});
    circuit_open.Preset({name, ""});
    circuit_opened.Preset({name, ""});
    delivery_seconds.Preset({name, ""});
  }
}

Metrics::Metrics(const navette::config::Config& config, const kinds::KindRegistry& kinds)
    : impl_(std::make_unique<Impl>(config, kinds)) {}

Metrics::~Metrics() = default;

void Metrics::SetConfigVersion(std::string_view version) {
  std::lock_guard lock(impl_->config_info_mutex);
  if (impl_->config_info != nullptr) impl_->config_info_family.Remove(impl_->config_info);
  impl_->config_info = &impl_->config_info_family.Add({{"version", std::string(version)}});
  impl_->config_info->Set(1);
}

std::string Metrics::Render() const {
  if (impl_->read_parked) {
    if (std::optional<Parked> parked = impl_->read_parked()) {
      impl_->parked.Set(static_cast<double>(parked->messages));
      impl_->parked_age.Set(parked->oldest_age_seconds);
    }
  }
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

void Metrics::Received(std::string_view source, uint64_t count) {
  impl_->received.Get({source, ""}).Increment(static_cast<double>(count));
}

void Metrics::Rejected(std::string_view source, std::string_view reason) {
  impl_->rejected.Get({source, reason}).Increment();
}

void Metrics::IngestCommitted(double seconds) { impl_->ingest_commit.Observe(seconds); }

void Metrics::Unrouted(uint64_t count) { impl_->unrouted.Increment(static_cast<double>(count)); }

void Metrics::Routed(std::string_view route, uint64_t count) {
  impl_->routed.Get({route, ""}).Increment(static_cast<double>(count));
}

void Metrics::UnmappedCodes(std::string_view route, uint64_t count) {
  impl_->unmapped_codes.Get({route, ""}).Increment(static_cast<double>(count));
}

void Metrics::Attempted(std::string_view destination, std::string_view result, double seconds) {
  impl_->attempts.Get({destination, result}).Increment();
  impl_->delivery_seconds.Get({destination, ""}).Observe(seconds);
  if (result == "delivered") impl_->delivered.Get({destination, ""}).Increment();
  if (result == "dead") impl_->dead_total.Get({destination, ""}).Increment();
}

void Metrics::EndToEnd(std::string_view route, std::string_view destination, double seconds) {
  impl_->end_to_end.Get({route, destination}).Observe(seconds);
}

void Metrics::SetQueue(std::string_view destination, uint64_t depth, double oldest_age_seconds) {
  impl_->queue_depth.Get({destination, ""}).Set(static_cast<double>(depth));
  impl_->queue_age.Get({destination, ""}).Set(oldest_age_seconds);
}

void Metrics::BusHandshakeRefused(std::string_view reason) {
  impl_->bus_refused.Get({reason, ""}).Increment();
}

void Metrics::SetDeadLetters(std::string_view destination, uint64_t count) {
  impl_->dead_letters.Get({destination, ""}).Set(static_cast<double>(count));
}

void Metrics::CircuitOpened(std::string_view destination) {
  impl_->circuit_open.Get({destination, ""}).Set(1);
  impl_->circuit_opened.Get({destination, ""}).Increment();
}

void Metrics::CircuitClosed(std::string_view destination) {
  impl_->circuit_open.Get({destination, ""}).Set(0);
}

void Metrics::SetDiskSpace(std::string_view volume, uint64_t free_bytes, uint64_t min_free_bytes) {
  impl_->disk_free.Get({volume, ""}).Set(static_cast<double>(free_bytes));
  impl_->disk_min_free.Get({volume, ""}).Set(static_cast<double>(min_free_bytes));
}

void Metrics::SetIntakePaused(std::string_view reason, bool paused) {
  impl_->intake_paused.Get({reason, ""}).Set(paused ? 1 : 0);
}

void Metrics::IntakeHeld(double seconds) { impl_->intake_held.Increment(seconds); }

void Metrics::RetentionRan(const std::map<std::string, uint64_t>& removed_by_status,
                           double finished_unix_seconds) {
  for (const auto& [status, count] : removed_by_status) {
    impl_->retention_removed.Get({status, ""}).Increment(static_cast<double>(count));
  }
  impl_->retention_last_run.Set(finished_unix_seconds);
}

void Metrics::SetRetentionInterval(double seconds) { impl_->retention_interval.Set(seconds); }

void Metrics::SetParkedReader(std::function<std::optional<Parked>()> read) {
  impl_->read_parked = std::move(read);
}

}  // namespace navette::engine
