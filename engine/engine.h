// The running engine: store, ingress, router, delivery workers, admin API and
// sources, wired from one loaded configuration.
//
// Start order is inside-out (store → delivery → router → ingress → admin →
// sources) so that nothing is accepted before what follows it is ready; stop
// order is the reverse, so that sources stop accepting first and nothing is
// acknowledged that was not committed.
//
// Reload (engine_reload.cc, docs/reload.md) swaps a new configuration in
// while the engine runs: routes and steps for the next messages routed,
// sources and destinations added, changed or removed one by one, the others
// untouched.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "adapters/document_history.h"
#include "adapters/late_receipts.h"
#include "engine/config/loader.h"
#include "engine/intake_gate.h"
#include "engine/recent_messages.h"
#include "kinds/registry.h"
#include "proto/admin.pb.h"

namespace navette::adapters {
class Destination;
class Source;
}  // namespace navette::adapters
namespace navette::kinds {
class MetricsScope;
}
namespace navette::routes {
class RouteTable;
}
namespace navette::store {
class Store;
class MessageIdGenerator;
struct ActionEffect;
}  // namespace navette::store

namespace navette::engine {

class AdminActions;
class AdminServer;
class BusinessAcks;
class TokenAuthority;
class DeliveryScheduler;
class EventFeed;
class DiskWatch;
class RetentionTask;
class Ingress;
class Metrics;
class Router;
class StepRunner;
struct Principal;
struct RoutingPlan;

// What a reload changed, for the log, `navette reload` and the audit trail.
struct ReloadOutcome {
  std::string previous_version;
  std::string version;
  // "route 'copy' added", "source 'sgl' restarted: its settings changed"...
  std::vector<std::string> changes;
  // What the running engine keeps until its next restart ("engine.ingress
  // changed: applies at the next restart").
  std::vector<std::string> warnings;
};

// What a destination is built from, as bytes: its settings and the
// hospital and identity settings it reads. A reload rebuilds a destination
// only when they differ.
std::string DestinationSettings(const navette::config::Config& config, int index);

class Engine {
 public:
  // `kinds` (engine::BuiltinKinds(), or a test's copy with more) builds
  // the configured sources, steps and destinations; it must be the registry
  // `config` was loaded with, and outlive the engine.
  // `config_path` is the file reloads read again; empty: the engine runs
  // on the embedded default and cannot reload.
  static absl::StatusOr<std::unique_ptr<Engine>> Start(const config::LoadedConfig& config,
                                                       const std::filesystem::path& data_dir,
                                                       const kinds::KindRegistry& kinds,
                                                       std::string config_path = "");
  ~Engine();
  void Stop();

  // Reads the configuration file again, checks it as `navette check` does,
  // and swaps it in; on any error the running configuration stays, and the
  // error says why (the check's "file:line:col: error: ..." lines). `who`
  // and `peer` go to the audit trail. One reload at a time; any thread.
  absl::StatusOr<ReloadOutcome> Reload(const Principal& who, std::string_view peer);

  uint16_t admin_port() const;
  // The destinations' queues and circuits and the intake's pause now (GET
  // /v1/status). Any thread.
  admin::StatusResponse Status() const;

 private:
  // A running destination: its adapter, the scheduler that works its queue,
  // and the settings they were built from (to tell a change on reload).
  struct DestinationSlot {
    std::unique_ptr<adapters::Destination> destination;
    std::unique_ptr<DeliveryScheduler> scheduler;
    std::string settings;
  };
  struct SourceSlot {
    std::unique_ptr<kinds::MetricsScope> metrics;  // the source counts into it
    std::unique_ptr<adapters::Source> source;
    std::string settings;
    // Where it was configured, to build it again (a reload that fails to
    // start its replacement).
    const config::LoadedConfig* loaded = nullptr;
    int index = 0;
  };

  Engine() = default;
  absl::Status StartAll(const config::LoadedConfig& config);
  DeliveryScheduler* Scheduler(const std::string& destination) const;
  // engine_components.cc: what StartAll and Reload build alike.
  absl::StatusOr<DestinationSlot> BuildDestination(const config::LoadedConfig& loaded, int index);
  absl::Status StartScheduler(DeliveryScheduler& scheduler);
  absl::StatusOr<SourceSlot> BuildSource(const config::LoadedConfig& loaded, int index);
  absl::StatusOr<std::shared_ptr<const RoutingPlan>> BuildPlan(const config::LoadedConfig& loaded);
  // What the schedulers call when an outcome queued a follow-up delivery
  // (a business acknowledgement) for another destination.
  std::function<void(const store::ActionEffect&)> FollowUpQueued();
  // engine_reload.cc.
  void ReloadDestinations(const config::LoadedConfig& next, ReloadOutcome& outcome,
                          absl::Status& failed);
  void ReloadSources(const config::LoadedConfig& next, ReloadOutcome& outcome,
                     absl::Status& failed);
  const config::LoadedConfig& current() const { return *configs_.back(); }

  const kinds::KindRegistry* kinds_ = nullptr;
  std::filesystem::path data_dir_;
  std::string config_path_;
  // Every configuration the engine has run, the current one last: the
  // components built from one may point into it (a destination's hospital
  // settings) for as long as they live.
  std::vector<std::unique_ptr<config::LoadedConfig>> configs_;
  // Guards configs_'s vector for readers outside a reload (an operator's
  // edit reads the current sources' profiles); a reload, its only writer,
  // takes it to append. Never held while waiting on anything else.
  mutable std::mutex configs_mu_;
  std::mutex reload_mu_;  // one reload at a time, and none while stopping

  zmq::context_t context_;
  // Declared early so that it outlives every component that counts into it.
  std::unique_ptr<Metrics> metrics_;
  // The live tap's feed (engine/event_feed.h): the store publishes into it,
  // so it outlives the store.
  std::unique_ptr<EventFeed> event_feed_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MessageIdGenerator> ids_;
  // Read by the schedulers' attempt threads: declared before them.
  std::unique_ptr<BusinessAcks> business_acks_;
  // Where receipts sources record the DSNs and MDNs they read.
  std::unique_ptr<adapters::LateReceiptSink> late_receipts_;
  std::unique_ptr<adapters::DocumentHistory> document_history_;  // read by destinations
  // Backpressure from the destinations to ingress (intake_gate.h): the
  // schedulers report into it, so it outlives them.
  std::unique_ptr<IntakeGate> intake_gate_ = std::make_unique<IntakeGate>();
  // Guards destinations_'s map (not the slots' insides): other threads look
  // schedulers up while a reload replaces them.
  mutable std::shared_mutex destinations_mu_;
  std::map<std::string, DestinationSlot> destinations_;
  // Destinations replaced by a reload, stopped: kept until the engine stops,
  // as a thread may still hold a scheduler it looked up just before.
  std::vector<DestinationSlot> retired_destinations_;
  // Ingress hands each new message to the router through it
  // (recent_messages.h): declared before both.
  std::unique_ptr<RecentMessages> recent_messages_ = std::make_unique<RecentMessages>();
  std::unique_ptr<Router> router_;
  // Read by ingress for each batch: declared before it.
  std::unique_ptr<DiskWatch> disk_watch_;
  // Applies engine.retention in the background (engine/retention_task.h).
  std::unique_ptr<RetentionTask> retention_;
  std::unique_ptr<Ingress> ingress_;
  std::shared_ptr<const TokenAuthority> tokens_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<AdminActions> actions_;
  std::map<std::string, SourceSlot> sources_;  // touched by Start, Reload and Stop only
  bool stopped_ = false;
};

}  // namespace navette::engine
