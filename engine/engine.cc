#include "engine/engine.h"

#include <map>

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"

#include "adapters/bus/io_dealer_publisher.h"
#include "adapters/file/file_destination.h"
#include "adapters/mllp/server.h"
#include "engine/admin_server.h"
#include "engine/config/listen_address.h"
#include "engine/delivery_worker.h"
#include "engine/ingress.h"
#include "engine/router.h"
#include "routes/route_table.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

std::chrono::microseconds ToMicros(const google::protobuf::Duration& duration) {
  return std::chrono::seconds(duration.seconds()) +
         std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::nanoseconds(duration.nanos()));
}

// The table of destination kinds: one line per adapter.
absl::StatusOr<std::unique_ptr<adapters::Destination>> MakeDestination(
    const navette::config::Destination& config, const std::filesystem::path& data_dir) {
  switch (config.kind_case()) {
    case navette::config::Destination::kFile: {
      auto destination = adapters::file::FileDestination::Create(config.file(), data_dir);
      if (!destination.ok()) return destination.status();
      return std::unique_ptr<adapters::Destination>(std::move(*destination));
    }
    default:
      return absl::InvalidArgumentError(fmt::format("destination '{}' has no kind", config.name()));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Start(const config::LoadedConfig& config,
                                                      const std::filesystem::path& data_dir) {
  std::unique_ptr<Engine> engine(new Engine());
  absl::Status started = engine->StartAll(config, data_dir);
  if (!started.ok()) {
    engine->Stop();
    return started;
  }
  return engine;
}

absl::Status Engine::StartAll(const config::LoadedConfig& loaded,
                              const std::filesystem::path& data_dir) {
  const navette::config::Config& config = loaded.config;
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        fmt::format("cannot create data directory {}: {}", data_dir.string(), error.message()));
  }

  auto store = store::Store::Open((data_dir / "store").string());
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  std::vector<std::string> destination_names;
  for (const auto& destination : config.destinations())
    destination_names.push_back(destination.name());
  if (absl::Status queues = store_->EnsureQueues(destination_names); !queues.ok()) return queues;
  if (absl::Status saved = store_->SaveConfigVersion(loaded.version, loaded.text); !saved.ok()) {
    return saved;
  }
  ids_ = std::make_unique<store::MessageIdGenerator>();
  ids_->Observe(store_->LastMessageId());

  auto routes = routes::RouteTable::Build(config);
  if (!routes.ok()) return routes.status();
  routes_ = std::move(*routes);

  std::map<std::string, DeliveryWorker*> workers_by_name;
  for (const auto& destination_config : config.destinations()) {
    auto destination = MakeDestination(destination_config, data_dir);
    if (!destination.ok()) return destination.status();
    auto worker =
        std::make_unique<DeliveryWorker>(destination_config.name(), **destination, *store_);
    workers_by_name[destination_config.name()] = worker.get();
    destinations_.push_back(std::move(*destination));
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) worker->Start();

  router_ = std::make_unique<Router>(*store_, *routes_, loaded.version,
                                     [workers_by_name](const std::string& destination) {
                                       auto it = workers_by_name.find(destination);
                                       if (it != workers_by_name.end()) it->second->Notify();
                                     });
  router_->Start();

  IngressOptions ingress_options;
  const navette::config::Ingress& ingress_config = config.engine().ingress();
  ingress_options.max_batch = ingress_config.max_batch();
  ingress_options.retransmission_window = ToMicros(ingress_config.retransmission_window());
  ingress_options.extra_binds.assign(ingress_config.bind().begin(), ingress_config.bind().end());
  ingress_ = std::make_unique<Ingress>(context_, *store_, *ids_, ingress_options,
                                       [router = router_.get()] { router->Notify(); });
  if (absl::Status started = ingress_->Start(); !started.ok()) return started;

  auto admin_address = config::ParseListenAddress(config.engine().admin().listen());
  if (!admin_address.ok()) return admin_address.status();
  admin_ = std::make_unique<AdminServer>(*store_);
  if (absl::Status started = admin_->Start(admin_address->host, admin_address->port);
      !started.ok()) {
    return started;
  }

  for (const auto& source : config.sources()) {
    if (source.kind_case() != navette::config::Source::kMllp) continue;
    auto address = config::ParseListenAddress(source.mllp().listen());
    if (!address.ok()) return address.status();
    adapters::mllp::MllpServerOptions options;
    options.source_name = source.name();
    options.listen_host = address->host;
    options.listen_port = address->port;
    options.max_message_bytes = source.mllp().max_message_bytes();
    options.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        ToMicros(source.mllp().idle_timeout()));
    options.max_connections = source.mllp().max_connections();
    options.default_charset = source.default_charset();
    // The source's io thread owns its bus socket: no thread hop per message.
    auto server = std::make_unique<adapters::mllp::MllpServer>(
        options,
        [this](asio::io_context& io) -> absl::StatusOr<std::unique_ptr<adapters::bus::Publisher>> {
          auto publisher =
              adapters::bus::IoDealerPublisher::Connect(context_, kIngressInprocEndpoint, io);
          if (!publisher.ok()) return publisher.status();
          return std::unique_ptr<adapters::bus::Publisher>(std::move(*publisher));
        });
    if (absl::Status started = server->Start(); !started.ok()) {
      return absl::UnavailableError(
          fmt::format("source '{}': {}", source.name(), started.message()));
    }
    sources_.push_back(std::move(server));
  }
  admin_->SetReady(true);
  spdlog::info("engine ready: config version {}, admin API on {}", loaded.version,
               config.engine().admin().listen());
  return absl::OkStatus();
}

uint16_t Engine::admin_port() const { return admin_ ? admin_->port() : 0; }

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (admin_) admin_->SetReady(false);
  for (auto& source : sources_) source->Stop();
  if (ingress_) ingress_->Stop();
  if (router_) router_->Stop();
  for (auto& worker : workers_) worker->Stop();
  if (admin_) admin_->Stop();
  sources_.clear();
  ingress_.reset();
  router_.reset();
  workers_.clear();
  destinations_.clear();
  admin_.reset();
  store_.reset();
  context_.close();
}

}  // namespace navette::engine
