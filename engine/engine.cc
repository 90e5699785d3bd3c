#include "engine/engine.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <spdlog/spdlog.h>
#include "common/clock.h"
#include "common/fmt_absl.h"
#include "common/listen_address.h"

#include "adapters/bus/io_dealer_publisher.h"
#include "adapters/source.h"
#include "adapters/tls/tls_context.h"
#include "engine/admin_actions.h"
#include "engine/admin_server.h"
#include "engine/auth.h"
#include "engine/builtin_kinds.h"
#include "engine/business_acks.h"
#include "engine/config/ingress_security.h"
#include "engine/config/validate.h"
#include "engine/delivery_scheduler.h"
#include "engine/disk_watch.h"
#include "engine/event_feed.h"
#include "engine/ingress.h"
#include "engine/late_receipts.h"
#include "engine/metrics.h"
#include "engine/retention_task.h"
#include "engine/router.h"
#include "engine/source_metrics.h"
#include "engine/step_runner.h"
#include "engine/store_document_history.h"
#include "proto/admin.pb.h"
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
                                                      const kinds::KindRegistry& kinds,
                                                      std::string config_path) {
  std::unique_ptr<Engine> engine(new Engine());
  engine->kinds_ = &kinds;
  engine->data_dir_ = data_dir;
  engine->config_path_ = std::move(config_path);
  engine->configs_.push_back(std::make_unique<config::LoadedConfig>(config));
  absl::Status started = engine->StartAll(engine->current());
  if (!started.ok()) {
    engine->Stop();
    return started;
  }
  return engine;
}

absl::Status Engine::StartAll(const config::LoadedConfig& loaded) {
  const navette::config::Config& config = loaded.config;
  if (absl::Status prepared = PrepareDataDir(data_dir_, config.engine()); !prepared.ok()) {
    return prepared;
  }

  // First: every component below counts into it.
  metrics_ = std::make_unique<Metrics>(config, *kinds_);
  metrics_->SetConfigVersion(loaded.version);

  auto store = store::Store::Open((data_dir_ / "store").string());
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  // Before anything commits, so that a tap sees every batch; a quarter of
  // the admin connections at most may be taps (engine/admin_tap.cc).
  event_feed_ = std::make_unique<EventFeed>(EventFeed::Options{
      .max_subscribers = std::max<size_t>(1, config.engine().admin().max_connections() / 4)});
  store_->SetCommitObserver(event_feed_.get());
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

  document_history_ = std::make_unique<StoreDocumentHistory>(*store_);
  // Business acknowledgements go from any destination's receipts to the
  // producers' mllp destinations (engine/business_acks.h); the schedulers
  // built below read them.
  business_acks_ = std::make_unique<BusinessAcks>(config);
  for (int i = 0; i < config.destinations_size(); ++i) {
    auto slot = BuildDestination(loaded, i);
    if (!slot.ok()) return slot.status();
    destinations_.emplace(config.destinations(i).name(), std::move(*slot));
  }
  late_receipts_ = std::make_unique<StoreLateReceipts>(*store_, *business_acks_, FollowUpQueued());
  for (auto& [name, slot] : destinations_) {
    if (absl::Status started = StartScheduler(*slot.scheduler); !started.ok()) return started;
  }

  auto plan = BuildPlan(loaded);
  if (!plan.ok()) return plan.status();
  router_ = std::make_unique<Router>(
      *store_, std::move(*plan), [ids = ids_.get()] { return ids->Next(); },
      [this](const std::string& destination, uint64_t count) {
        if (DeliveryScheduler* scheduler = Scheduler(destination)) scheduler->Notify(count);
      },
      metrics_.get());
  router_->set_recent_messages(recent_messages_.get());
  router_->Start();

  RetentionTaskOptions retention;
  retention.policy = RetentionPolicyFrom(config.engine().retention());
  retention.interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      ToMicros(config.engine().retention().interval()));
  retention.metrics = metrics_.get();
  retention.removed = [this](const store::RetentionReport& report) {
    for (const auto& [destination, count] : report.dead_letters) {
      if (DeliveryScheduler* scheduler = Scheduler(destination)) {
        scheduler->DeadLettersChanged(-static_cast<int64_t>(count));
      }
    }
  };
  retention_ = std::make_unique<RetentionTask>(*store_, std::move(retention));
  retention_->Start();

  // Before ingress, which reads it: the first message is decided on a
  // reading of the volume the store writes to.
  DiskWatchOptions disk_options;
  disk_options.path = data_dir_ / "store";
  disk_options.watermark = WatermarkFrom(config.engine().disk());
  if (config.engine().disk().has_check_interval()) {
    disk_options.check_interval = std::chrono::duration_cast<std::chrono::milliseconds>(
        ToMicros(config.engine().disk().check_interval()));
  }
  disk_options.metrics = metrics_.get();
  disk_watch_ = std::make_unique<DiskWatch>(std::move(disk_options));
  if (absl::Status watching = disk_watch_->Start(); !watching.ok()) return watching;

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
  ingress_options.disk_watch = disk_watch_.get();
  ingress_options.intake_gate = intake_gate_.get();
  ingress_options.recent = recent_messages_.get();
  ingress_ = std::make_unique<Ingress>(context_, *store_, *ids_, ingress_options,
                                       [router = router_.get()] { router->Notify(); });
  if (absl::Status started = ingress_->Start(); !started.ok()) return started;

  auto admin_address = ParseListenAddress(config.engine().admin().listen());
  if (!admin_address.ok()) return admin_address.status();
  // After the store: its lock keeps a second engine from racing on admin.token.
  auto tokens = TokenAuthority::Create(config.engine().admin(), data_dir_);
  if (!tokens.ok()) return tokens.status();
  tokens_ = std::move(*tokens);
  AdminLimits admin_limits = AdminLimitsFrom(config.engine().admin());
  if (config.engine().admin().has_tls()) {
    // `check` read the same files (engine/config/validate.cc).
    auto context =
        adapters::tls::MakeServerContext(config.engine().admin().tls(), "engine.admin.tls");
    if (!context.ok()) return context.status();
    admin_limits.tls = std::shared_ptr<SSL_CTX>(context->release(), SSL_CTX_free);
  }
  admin_ = std::make_unique<AdminServer>(*store_, tokens_, std::move(admin_limits));
  admin_->SetPayloadRole(static_cast<Role>(config.engine().admin().payload_role()));
  admin_->SetMetrics(metrics_.get());
  admin_->SetEventFeed(event_feed_.get());
  admin_->SetStatusReader([this] { return Status(); });
  admin_->SetReloader(
      [this](const Principal& who, std::string_view peer) -> absl::StatusOr<admin::ReloadResponse> {
        auto reloaded = Reload(who, peer);
        if (!reloaded.ok()) return reloaded.status();
        admin::ReloadResponse response;
        response.set_version(reloaded->version);
        response.set_previous_version(reloaded->previous_version);
        for (const std::string& change : reloaded->changes) response.add_changes(change);
        for (const std::string& warning : reloaded->warnings) response.add_warnings(warning);
        return response;
      });
  actions_ = std::make_unique<AdminActions>(
      *store_, *ids_, [this](const std::string& destination) { return Scheduler(destination); },
      [router = router_.get()] { router->Notify(); },
      [this](const std::string& source) -> std::optional<adapters::documents::Profile> {
        std::lock_guard reading(configs_mu_);
        for (const auto& configured : current().config.sources()) {
          if (configured.name() == source)
            return adapters::documents::ProfileOf(configured.profile());
        }
        return std::nullopt;
      });
  actions_->Register(*admin_);
  if (absl::Status started = admin_->Start(admin_address->host, admin_address->port);
      !started.ok()) {
    return started;
  }

  for (int i = 0; i < config.sources_size(); ++i) {
    auto slot = BuildSource(loaded, i);
    if (!slot.ok()) return slot.status();
    if (absl::Status started = slot->source->Start(); !started.ok()) {
      return absl::Status(
          started.code(),
          config::SourceError(loaded, *kinds_, i, absl::UnavailableError(started.message()))
              .ToString());
    }
    sources_.emplace(config.sources(i).name(), std::move(*slot));
  }
  admin_->SetReady(true);
  spdlog::info("engine ready: config version {}, admin API on {}{}", loaded.version,
               config.engine().admin().listen(),
               config.engine().admin().has_tls() ? " (HTTPS)" : "");
  return absl::OkStatus();
}

DeliveryScheduler* Engine::Scheduler(const std::string& destination) const {
  std::shared_lock lock(destinations_mu_);
  auto it = destinations_.find(destination);
  return it == destinations_.end() ? nullptr : it->second.scheduler.get();
}

admin::StatusResponse Engine::Status() const {
  admin::StatusResponse status;
  {
    std::lock_guard reading(configs_mu_);
    status.set_config_version(current().version);
    for (const navette::config::Destination& configured : current().config.destinations()) {
      const kinds::DestinationKind* kind = kinds_->KindOf(configured);
      admin::DestinationStatus* destination = status.add_destinations();
      destination->set_name(configured.name());
      destination->set_kind(kind != nullptr ? kind->name : "");
    }
  }
  for (admin::DestinationStatus& destination : *status.mutable_destinations()) {
    // A destination a reload has just added may not run yet: its counts stay 0.
    const DeliveryScheduler* scheduler = Scheduler(destination.name());
    if (scheduler == nullptr) continue;
    const DeliveryScheduler::Status now = scheduler->status();
    destination.set_queue_depth(now.queue_depth);
    destination.set_oldest_age_seconds(now.oldest_age_seconds);
    destination.set_dead_letters(now.dead_letters);
    destination.set_circuit_open(now.circuit_open);
    destination.set_last_error(now.last_error);
    if (now.last_error_at_us != 0) {
      *destination.mutable_last_error_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(now.last_error_at_us);
    }
  }
  status.set_intake_paused(disk_watch_ != nullptr && disk_watch_->intake_paused());
  return status;
}

uint16_t Engine::admin_port() const { return admin_ ? admin_->port() : 0; }

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // A reload under way finishes first; none starts after (Reload only tries
  // the lock, so one waiting in an admin connection cannot hold up the
  // admin API's stop below).
  std::lock_guard reloading(reload_mu_);
  if (admin_) admin_->SetReady(false);
  for (auto& [name, slot] : sources_) slot.source->Stop();
  if (ingress_) ingress_->Stop();
  if (disk_watch_) disk_watch_->Stop();
  if (retention_) retention_->Stop();     // before the store closes
  if (event_feed_) event_feed_->Close();  // taps end their responses cleanly
  if (admin_) admin_->Stop();             // no new operator actions
  actions_.reset();                       // waits for replay jobs
  if (router_) router_->Stop();
  for (auto& [name, slot] : destinations_) slot.scheduler->Stop();
  sources_.clear();
  ingress_.reset();
  router_.reset();
  {
    std::unique_lock lock(destinations_mu_);
    destinations_.clear();
  }
  retired_destinations_.clear();
  admin_.reset();
  store_.reset();
  context_.close();
}

}  // namespace navette::engine
