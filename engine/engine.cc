#include "engine/engine.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include "common/clock.h"
#include "common/fmt_absl.h"
#include "common/listen_address.h"

#include "adapters/bus/io_dealer_publisher.h"
#include "adapters/source.h"
#include "engine/admin_actions.h"
#include "engine/admin_server.h"
#include "engine/auth.h"
#include "engine/builtin_kinds.h"
#include "engine/business_acks.h"
#include "engine/config/ingress_security.h"
#include "engine/config/validate.h"
#include "engine/delivery_scheduler.h"
#include "engine/ingress.h"
#include "engine/late_receipts.h"
#include "engine/metrics.h"
#include "engine/router.h"
#include "engine/source_metrics.h"
#include "engine/step_runner.h"
#include "engine/store_document_history.h"
#include "routes/route_table.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

// The parked gauges, from the store (see Metrics::SetParkedReader).
std::optional<Metrics::Parked> ReadParked(const store::Store& store) {
  auto parked = store.CountParked();
  if (!parked.ok()) {
    spdlog::warn("metrics: {}", parked.status().message());
    return std::nullopt;
  }
  Metrics::Parked now{parked->messages, 0};
  if (parked->oldest_id != 0) {
    now.oldest_age_seconds =
        std::max<int64_t>(0, NowMicros() - store::MessageIdTimeUs(parked->oldest_id)) / 1e6;
  }
  return now;
}

std::chrono::microseconds ToMicros(const google::protobuf::Duration& duration) {
  return std::chrono::seconds(duration.seconds()) +
         std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::nanoseconds(duration.nanos()));
}

// Builds a destination through its kind's row. Its errors do not name the
// destination: the caller places them (config::DestinationError).
absl::StatusOr<std::unique_ptr<adapters::Destination>> MakeDestination(
    const navette::config::Destination& config, const kinds::KindRegistry& kinds,
    kinds::DestinationContext context) {
  const kinds::DestinationKind* kind = kinds.KindOf(config);
  if (kind == nullptr) return absl::InvalidArgumentError("no kind this build knows");
  auto settings = kinds::KindSettings::Of(config, kind->config_type);
  if (!settings.ok()) return settings.status();
  auto destination = kind->create(**settings, context);
  if (!destination.ok()) return destination.status();
  if (*destination == nullptr) {
    return absl::InternalError(fmt::format("its kind '{}' built nothing", kind->name));
  }
  return destination;
}

// The data directory holds whole messages: it is made for the engine's user
// (and group, if configured) only, and one that other users may read,
// write or search is refused unless the configuration accepts it.
absl::Status PrepareDataDir(const std::filesystem::path& data_dir,
                            const navette::config::Engine& engine) {
  const mode_t wanted = engine.data_group_readable() ? 0750 : 0700;
  std::error_code error;
  const bool created = std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        fmt::format("cannot create data directory {}: {}", data_dir.string(), error.message()));
  }
  if (created) {
    // create_directories leaves the mode to the umask; set it exactly.
    if (::chmod(data_dir.c_str(), wanted) != 0) {
      return absl::UnavailableError(fmt::format("cannot set the mode of data directory {}: {}",
                                                data_dir.string(), std::strerror(errno)));
    }
    return absl::OkStatus();
  }
  struct stat info {};
  if (::stat(data_dir.c_str(), &info) != 0) {
    return absl::UnavailableError(fmt::format("cannot read the mode of data directory {}: {}",
                                              data_dir.string(), std::strerror(errno)));
  }
  const mode_t mode = info.st_mode & 07777;
  if ((mode & 0007) == 0) return absl::OkStatus();
  if (engine.unsafe_data_dir_open_to_others()) {
    spdlog::warn(
        "data directory {} is open to other users (mode {:04o}); starting anyway, as "
        "engine.unsafe_data_dir_open_to_others asks",
        data_dir.string(), mode);
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(fmt::format(
      "data directory {} is open to other users (mode {:04o}), and so are the messages it "
      "holds: run `chmod {:o} {}`, or set engine.unsafe_data_dir_open_to_others: true to start "
      "anyway",
      data_dir.string(), mode, wanted, data_dir.string()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Start(const config::LoadedConfig& config,
                                                      const std::filesystem::path& data_dir,
                                                      const kinds::KindRegistry& kinds) {
  std::unique_ptr<Engine> engine(new Engine());
  absl::Status started = engine->StartAll(config, data_dir, kinds);
  if (!started.ok()) {
    engine->Stop();
    return started;
  }
  return engine;
}

absl::Status Engine::StartAll(const config::LoadedConfig& loaded,
                              const std::filesystem::path& data_dir,
                              const kinds::KindRegistry& kinds) {
  const navette::config::Config& config = loaded.config;
  if (absl::Status prepared = PrepareDataDir(data_dir, config.engine()); !prepared.ok()) {
    return prepared;
  }

  // First: every component below counts into it.
  metrics_ = std::make_unique<Metrics>(config, kinds);

  auto store = store::Store::Open((data_dir / "store").string());
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  metrics_->SetParkedReader([store = store_.get()] { return ReadParked(*store); });
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

  document_history_ = std::make_unique<StoreDocumentHistory>(*store_);
  bool any_per_patient = false;
  for (int i = 0; i < config.destinations_size(); ++i) {
    const navette::config::Destination& destination_config = config.destinations(i);
    const kinds::DestinationKind* kind = kinds.KindOf(destination_config);
    kinds::DestinationContext context;
    context.name = destination_config.name();
    context.data_dir = data_dir;
    context.clock = &Clock::System();
    context.hospital = &config.hospital();
    context.identity = &config.identity();
    context.documents = document_history_.get();
    // The policy comes with the kind's traits (batch size, byte budget);
    // MakeDestination refuses a destination with no kind.
    const DeliveryPolicy policy = kinds::DeliveryPolicy::From(
        destination_config.delivery(), kind != nullptr ? kind->traits : kinds::DestinationTraits{});
    context.policy = policy;
    auto destination = MakeDestination(destination_config, kinds, std::move(context));
    if (!destination.ok()) {
      // "FILE:LINE:COL: destination 'x': ...", as `navette check` says it.
      return absl::Status(
          destination.status().code(),
          config::DestinationError(loaded, kinds, i, destination.status()).ToString());
    }
    any_per_patient = any_per_patient || policy.per_patient;
    auto scheduler = std::make_unique<DeliveryScheduler>(
        destination_config.name(), **destination, *store_, policy, metrics_.get(), Clock::System());
    schedulers_by_name_[destination_config.name()] = scheduler.get();
    destinations_.push_back(std::move(*destination));
    schedulers_.push_back(std::move(scheduler));
  }
  // Business acknowledgements go from any destination's receipts to the
  // producers' mllp destinations (engine/business_acks.h).
  business_acks_ = std::make_unique<BusinessAcks>(config);
  auto follow_up_queued = [this](const store::ActionEffect& effect) {
    DeliveryScheduler* target = Scheduler(effect.destination);
    if (target == nullptr) return;
    target->Notify(1);
    if (effect.was_pending) target->TasksRemoved(1);
    if (effect.was_dead) target->DeadLettersChanged(-1);
  };
  if (!business_acks_->empty()) {
    for (auto& scheduler : schedulers_) {
      scheduler->set_follow_ups(
          [acks = business_acks_.get()](const store::StoredMessage& message,
                                        const std::string& destination,
                                        const google::protobuf::Any& receipt) {
            return acks->FollowUps(message, destination, receipt, std::chrono::system_clock::now());
          },
          follow_up_queued);
    }
  }
  late_receipts_ = std::make_unique<StoreLateReceipts>(*store_, *business_acks_, follow_up_queued);
  // One scan of the dead letters for every destination's gauge.
  auto dead_letters = store_->CountDeadLetters();
  if (!dead_letters.ok()) return dead_letters.status();
  for (auto& scheduler : schedulers_) {
    auto found = dead_letters->find(scheduler->name());
    absl::Status started = scheduler->Start(found == dead_letters->end() ? 0 : found->second);
    if (!started.ok()) return started;
  }

  auto steps =
      StepRunner::Create(*store_, config, kinds, Clock::System(), data_dir, metrics_.get());
  if (!steps.ok()) return steps.status();
  steps_ = std::move(*steps);
  router_ = std::make_unique<Router>(
      *store_, *routes_, *steps_, [ids = ids_.get()] { return ids->Next(); }, loaded.version,
      [this](const std::string& destination, uint64_t count) {
        if (DeliveryScheduler* scheduler = Scheduler(destination)) scheduler->Notify(count);
      },
      metrics_.get());
  router_->set_patient_keys(any_per_patient);
  router_->Start();

  IngressOptions ingress_options;
  const navette::config::Ingress& ingress_config = config.engine().ingress();
  ingress_options.max_batch = ingress_config.max_batch();
  ingress_options.retransmission_window = ToMicros(ingress_config.retransmission_window());
  // Which endpoints take CURVE: the rule `check` applied (ingress_security.h).
  std::vector<std::string> curve_binds;
  for (const std::string& endpoint : ingress_config.bind()) {
    if (config::SecurityOf(ingress_config, endpoint) == config::BusSecurity::kCurve) {
      curve_binds.push_back(endpoint);
    } else {
      ingress_options.extra_binds.push_back(endpoint);
    }
  }
  if (!curve_binds.empty()) {
    auto keys = config::ReadIngressCurveKeys(ingress_config.curve());
    if (!keys.ok()) return keys.status();
    ingress_options.curve = IngressOptions::Curve{.binds = std::move(curve_binds),
                                                  .secret_key = keys->server.secret_key,
                                                  .authorized_keys = std::move(keys->authorized)};
    spdlog::info("ingress: CURVE on {} endpoint(s), {} authorized adapter key(s); engine key {}",
                 ingress_options.curve.binds.size(), ingress_options.curve.authorized_keys.size(),
                 keys->server.public_key);
  }
  ingress_options.metrics = metrics_.get();
  ingress_ = std::make_unique<Ingress>(context_, *store_, *ids_, ingress_options,
                                       [router = router_.get()] { router->Notify(); });
  if (absl::Status started = ingress_->Start(); !started.ok()) return started;

  auto admin_address = ParseListenAddress(config.engine().admin().listen());
  if (!admin_address.ok()) return admin_address.status();
  // After the store: its lock keeps a second engine from racing on admin.token.
  auto tokens = TokenAuthority::Create(config.engine().admin(), data_dir);
  if (!tokens.ok()) return tokens.status();
  tokens_ = std::move(*tokens);
  admin_ =
      std::make_unique<AdminServer>(*store_, *tokens_, AdminLimitsFrom(config.engine().admin()));
  admin_->SetMetrics(metrics_.get());
  actions_ = std::make_unique<AdminActions>(
      *store_, *ids_, [this](const std::string& destination) { return Scheduler(destination); },
      [router = router_.get()] { router->Notify(); });
  actions_->Register(*admin_);
  if (absl::Status started = admin_->Start(admin_address->host, admin_address->port);
      !started.ok()) {
    return started;
  }

  // "FILE:LINE:COL: source 'x': ...", as `navette check` places it: a port
  // in use, say, names the source and its listen key.
  auto source_error = [&](int index, const absl::Status& status) {
    return absl::Status(status.code(),
                        config::SourceError(loaded, kinds, index, status).ToString());
  };
  for (int i = 0; i < config.sources_size(); ++i) {
    const navette::config::Source& source_config = config.sources(i);
    const std::string& name = source_config.name();
    const kinds::SourceKind* kind = kinds.KindOf(source_config);
    if (kind == nullptr) return source_error(i, absl::InvalidArgumentError("no known kind"));
    auto settings = kinds::KindSettings::Of(source_config, kind->config_type);
    if (!settings.ok()) return source_error(i, settings.status());
    source_metrics_.push_back(std::make_unique<SourceMetrics>(*metrics_, name));
    kinds::SourceContext context;
    context.name = name;
    context.data_dir = data_dir;
    context.clock = &Clock::System();
    context.metrics = source_metrics_.back().get();
    context.default_charset = source_config.default_charset();
    context.profile = source_config.profile();
    context.late_receipts = late_receipts_.get();
    // The source's io thread owns its bus socket: no thread hop per message.
    context.connect_publisher =
        [this](asio::io_context& io) -> absl::StatusOr<std::unique_ptr<adapters::bus::Publisher>> {
      auto publisher =
          adapters::bus::IoDealerPublisher::Connect(context_, kIngressInprocEndpoint, io);
      if (!publisher.ok()) return publisher.status();
      return std::unique_ptr<adapters::bus::Publisher>(std::move(*publisher));
    };
    auto source = kind->create(**settings, context);
    if (!source.ok()) return source_error(i, source.status());
    if (*source == nullptr) {
      return source_error(i, absl::InternalError("its kind built nothing"));
    }
    if (absl::Status started = (*source)->Start(); !started.ok()) {
      return source_error(i, absl::UnavailableError(started.message()));
    }
    sources_.push_back(std::move(*source));
  }
  admin_->SetReady(true);
  spdlog::info("engine ready: config version {}, admin API on {}", loaded.version,
               config.engine().admin().listen());
  return absl::OkStatus();
}

DeliveryScheduler* Engine::Scheduler(const std::string& destination) const {
  auto it = schedulers_by_name_.find(destination);
  return it == schedulers_by_name_.end() ? nullptr : it->second;
}

uint16_t Engine::admin_port() const { return admin_ ? admin_->port() : 0; }

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (admin_) admin_->SetReady(false);
  for (auto& source : sources_) source->Stop();
  if (ingress_) ingress_->Stop();
  if (admin_) admin_->Stop();  // no new operator actions
  actions_.reset();            // waits for replay jobs
  if (router_) router_->Stop();
  for (auto& scheduler : schedulers_) scheduler->Stop();
  sources_.clear();
  ingress_.reset();
  router_.reset();
  schedulers_by_name_.clear();
  schedulers_.clear();
  destinations_.clear();
  admin_.reset();
  store_.reset();
  context_.close();
}

}  // namespace navette::engine
