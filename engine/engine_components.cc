// What Engine::StartAll and Engine::Reload build alike: a destination with
// its scheduler, a source, the routing plan. Each is built without being
// started, so that a reload can build everything new before it stops
// anything old.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/bus/io_dealer_publisher.h"
#include "adapters/destination.h"
#include "adapters/source.h"
#include "common/clock.h"
#include "engine/business_acks.h"
#include "engine/config/validate.h"
#include "engine/delivery_scheduler.h"
#include "engine/engine.h"
#include "engine/ingress.h"
#include "engine/metrics.h"
#include "engine/router.h"
#include "engine/source_metrics.h"
#include "engine/step_runner.h"
#include "routes/route_table.h"
#include "store/message_state.h"
#include "store/store.h"

namespace navette::engine {
namespace {

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

}  // namespace

std::string DestinationSettings(const navette::config::Config& config, int index) {
  return config.destinations(index).SerializeAsString() + config.hospital().SerializeAsString() +
         config.identity().SerializeAsString();
}

std::function<void(const store::ActionEffect&)> Engine::FollowUpQueued() {
  return [this](const store::ActionEffect& effect) {
    DeliveryScheduler* target = Scheduler(effect.destination);
    if (target == nullptr) return;
    target->Notify(1);
    if (effect.was_pending) target->TasksRemoved(1);
    if (effect.was_dead) target->DeadLettersChanged(-1);
  };
}

absl::StatusOr<Engine::DestinationSlot> Engine::BuildDestination(const config::LoadedConfig& loaded,
                                                                 int index) {
  const navette::config::Config& config = loaded.config;
  const navette::config::Destination& destination_config = config.destinations(index);
  const kinds::DestinationKind* kind = kinds_->KindOf(destination_config);
  kinds::DestinationContext context;
  context.name = destination_config.name();
  context.data_dir = data_dir_;
  context.clock = &Clock::System();
  // Pointers into `loaded`, which the engine keeps while the destination
  // lives (configs_).
  context.hospital = &config.hospital();
  context.identity = &config.identity();
  context.documents = document_history_.get();
  // The policy comes with the kind's traits (batch size, byte budget);
  // MakeDestination refuses a destination with no kind.
  const DeliveryPolicy policy = kinds::DeliveryPolicy::From(
      destination_config.delivery(), kind != nullptr ? kind->traits : kinds::DestinationTraits{});
  context.policy = policy;
  auto destination = MakeDestination(destination_config, *kinds_, std::move(context));
  if (!destination.ok()) {
    // "FILE:LINE:COL: destination 'x': ...", as `navette check` says it.
    return absl::Status(
        destination.status().code(),
        config::DestinationError(loaded, *kinds_, index, destination.status()).ToString());
  }
  DestinationSlot slot;
  slot.settings = DestinationSettings(config, index);
  slot.scheduler = std::make_unique<DeliveryScheduler>(
      destination_config.name(), **destination, *store_, policy, metrics_.get(), Clock::System());
  slot.scheduler->set_intake_gate(intake_gate_.get());
  slot.destination = std::move(*destination);
  if (!business_acks_->empty()) {
    slot.scheduler->set_follow_ups(
        [acks = business_acks_.get()](const store::StoredMessage& message, const std::string& to,
                                      const google::protobuf::Any& receipt) {
          return acks->FollowUps(message, to, receipt, std::chrono::system_clock::now());
        },
        FollowUpQueued());
  }
  return slot;
}

absl::Status Engine::StartScheduler(DeliveryScheduler& scheduler) {
  // One scan of the dead letters for the destination's gauge.
  auto dead_letters = store_->CountDeadLetters();
  if (!dead_letters.ok()) return dead_letters.status();
  auto found = dead_letters->find(scheduler.name());
  return scheduler.Start(found == dead_letters->end() ? 0 : found->second);
}

absl::StatusOr<Engine::SourceSlot> Engine::BuildSource(const config::LoadedConfig& loaded,
                                                       int index) {
  const navette::config::Source& source_config = loaded.config.sources(index);
  // "FILE:LINE:COL: source 'x': ...", as `navette check` places it.
  auto source_error = [&](const absl::Status& status) {
    return absl::Status(status.code(),
                        config::SourceError(loaded, *kinds_, index, status).ToString());
  };
  const std::string& name = source_config.name();
  const kinds::SourceKind* kind = kinds_->KindOf(source_config);
  if (kind == nullptr) return source_error(absl::InvalidArgumentError("no known kind"));
  auto settings = kinds::KindSettings::Of(source_config, kind->config_type);
  if (!settings.ok()) return source_error(settings.status());
  SourceSlot slot;
  slot.settings = source_config.SerializeAsString();
  slot.loaded = &loaded;
  slot.index = index;
  slot.metrics = std::make_unique<SourceMetrics>(*metrics_, name);
  kinds::SourceContext context;
  context.name = name;
  context.data_dir = data_dir_;
  context.clock = &Clock::System();
  context.metrics = slot.metrics.get();
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
  if (!source.ok()) return source_error(source.status());
  if (*source == nullptr) return source_error(absl::InternalError("its kind built nothing"));
  slot.source = std::move(*source);
  return slot;
}

absl::StatusOr<std::shared_ptr<const RoutingPlan>> Engine::BuildPlan(
    const config::LoadedConfig& loaded) {
  const navette::config::Config& config = loaded.config;
  auto routes = routes::RouteTable::Build(config);
  if (!routes.ok()) return routes.status();
  auto steps =
      StepRunner::Create(*store_, config, *kinds_, Clock::System(), data_dir_, metrics_.get());
  if (!steps.ok()) return steps.status();
  auto plan = std::make_shared<RoutingPlan>();
  plan->routes = std::move(*routes);
  plan->steps = std::move(*steps);
  plan->version = loaded.version;
  for (const auto& destination : config.destinations()) {
    plan->patient_keys = plan->patient_keys || destination.delivery().ordering() ==
                                                   navette::config::Delivery::PER_PATIENT;
  }
  return plan;
}

}  // namespace navette::engine
