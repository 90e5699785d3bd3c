// The running engine: store, ingress, router, delivery workers, admin API and
// sources, wired from one loaded configuration.
//
// Start order is inside-out (store → delivery → router → ingress → admin →
// sources) so that nothing is accepted before what follows it is ready; stop
// order is the reverse, so that sources stop accepting first and nothing is
// acknowledged that was not committed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "adapters/document_history.h"
#include "adapters/late_receipts.h"
#include "engine/config/loader.h"
#include "kinds/registry.h"

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
}  // namespace navette::store

namespace navette::engine {

class AdminActions;
class AdminServer;
class BusinessAcks;
class TokenAuthority;
class DeliveryScheduler;
class Ingress;
class Metrics;
class Router;
class StepRunner;

class Engine {
 public:
  // `kinds` (engine::BuiltinKinds(), or a test's copy with more) builds
  // the configured sources, steps and destinations; it must be the registry
  // `config` was loaded with, and outlive the engine.
  static absl::StatusOr<std::unique_ptr<Engine>> Start(const config::LoadedConfig& config,
                                                       const std::filesystem::path& data_dir,
                                                       const kinds::KindRegistry& kinds);
  ~Engine();
  void Stop();

  uint16_t admin_port() const;

 private:
  Engine() = default;
  absl::Status StartAll(const config::LoadedConfig& config, const std::filesystem::path& data_dir,
                        const kinds::KindRegistry& kinds);
  DeliveryScheduler* Scheduler(const std::string& destination) const;

  zmq::context_t context_;
  // Declared early so that it outlives every component that counts into it.
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MessageIdGenerator> ids_;
  std::unique_ptr<routes::RouteTable> routes_;
  // Read by the schedulers' attempt threads: declared before them.
  std::unique_ptr<BusinessAcks> business_acks_;
  // Where receipts sources record the DSNs and MDNs they read.
  std::unique_ptr<adapters::LateReceiptSink> late_receipts_;
  std::unique_ptr<adapters::DocumentHistory> document_history_;  // read by destinations
  std::vector<std::unique_ptr<adapters::Destination>> destinations_;
  std::vector<std::unique_ptr<DeliveryScheduler>> schedulers_;
  std::map<std::string, DeliveryScheduler*> schedulers_by_name_;
  std::unique_ptr<StepRunner> steps_;  // declared before router_, which refers to it
  std::unique_ptr<Router> router_;
  std::unique_ptr<Ingress> ingress_;
  std::unique_ptr<TokenAuthority> tokens_;  // declared before admin_, which refers to it
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<AdminActions> actions_;
  // Declared before sources_, which count into them.
  std::vector<std::unique_ptr<kinds::MetricsScope>> source_metrics_;
  std::vector<std::unique_ptr<adapters::Source>> sources_;
  bool stopped_ = false;
};

}  // namespace navette::engine
