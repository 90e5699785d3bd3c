// Engine::Reload: a new configuration swapped in while the engine runs
// (docs/reload.md).
//
//   checked first      the file is loaded and dry-built as `navette check`
//                      does; any error leaves everything as it was
//   destinations       added: queue made, scheduler started. Changed (its
//                      settings, or the hospital and identity settings it
//                      reads): the new one is built before the old one
//                      stops; the old scheduler stops once its attempts in
//                      flight are over, and the new one takes the queue up
//                      where it was. Removed: kept running until the next
//                      restart, so that what its queue holds is delivered.
//   routes and steps   the router routes every batch begun after the swap
//                      with the new plan; each message records the version
//                      that routed it.
//   sources            unchanged ones are not touched (their connections
//                      stay open). Added: started. Removed: stopped.
//                      Changed: the old one stops, the new one starts; if it
//                      cannot (its port taken), the old settings are started
//                      again and the reload reports the error.
//   admin tokens and   swapped for the requests checked from then on
//   payload_role
//   the rest of        (listen addresses and TLS of the admin API, ingress,
//   `engine`, and      business acknowledgements) kept until the next
//   business_acks      restart, with a warning saying so
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "adapters/destination.h"
#include "adapters/source.h"
#include "common/fmt_absl.h"
#include "engine/admin_server.h"
#include "engine/audit_trail.h"
#include "engine/auth.h"
#include "engine/business_acks.h"
#include "engine/config/validate.h"
#include "engine/delivery_scheduler.h"
#include "engine/engine.h"
#include "engine/metrics.h"
#include "engine/router.h"
#include "store/store.h"

namespace navette::engine {
namespace {

// The parts of `engine` a reload cannot apply, by name, when they differ.
std::vector<std::string> RestartOnlyChanges(const navette::config::Config& running,
                                            const navette::config::Config& next) {
  std::vector<std::string> changed;
  auto differ = [](const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return a.SerializeAsString() != b.SerializeAsString();
  };
  navette::config::Admin running_admin = running.engine().admin();
  navette::config::Admin next_admin = next.engine().admin();
  // Applied by the reload itself.
  running_admin.clear_tokens();
  next_admin.clear_tokens();
  running_admin.clear_payload_role();
  next_admin.clear_payload_role();
  if (differ(running_admin, next_admin)) changed.push_back("engine.admin");
  if (differ(running.engine().ingress(), next.engine().ingress())) {
    changed.push_back("engine.ingress");
  }
  if (differ(running.engine().log(), next.engine().log())) changed.push_back("engine.log");
  if (differ(running.engine().disk(), next.engine().disk())) changed.push_back("engine.disk");
  if (differ(running.engine().retention(), next.engine().retention())) {
    changed.push_back("engine.retention");
  }
  if (running.engine().data_group_readable() != next.engine().data_group_readable() ||
      running.engine().unsafe_data_dir_open_to_others() !=
          next.engine().unsafe_data_dir_open_to_others()) {
    changed.push_back("engine (data directory settings)");
  }
  std::map<std::string, std::string> running_acks, next_acks;
  for (const auto& source : running.sources()) running_acks[source.name()] = source.business_acks();
  for (const auto& source : next.sources()) next_acks[source.name()] = source.business_acks();
  for (const auto& [name, acks] : next_acks) {
    auto found = running_acks.find(name);
    if (found != running_acks.end() && found->second != acks) {
      changed.push_back(fmt::format("source '{}' business_acks", name));
    }
  }
  return changed;
}

std::string JoinDiagnostics(const std::vector<config::ConfigError>& errors) {
  std::string text;
  for (const config::ConfigError& error : errors) {
    text += (text.empty() ? "" : "\n") + error.Diagnostic();
  }
  return text;
}

}  // namespace

absl::StatusOr<ReloadOutcome> Engine::Reload(const Principal& who, std::string_view peer) {
  std::unique_lock lock(reload_mu_, std::try_to_lock);
  if (!lock.owns_lock() || stopped_) {
    return absl::UnavailableError("another reload is under way, or the engine is stopping");
  }
  AuditTrail audit(*store_, Clock::System());
  auto refuse = [&](absl::Status status) {
    spdlog::error("configuration reload refused, the running configuration {} stays: {}",
                  current().version, status.message());
    (void)audit.Record(who, peer, "reload", {},
                       fmt::format("refused; running configuration {} kept", current().version));
    return status;
  };
  if (config_path_.empty()) {
    return refuse(absl::FailedPreconditionError(
        "the engine runs on the embedded default configuration: there is no file to read again "
        "(start it with --config FILE)"));
  }
  // The same checks as `navette check`, the same words.
  config::LoadResult loaded = config::LoadConfigFile(config_path_, *kinds_);
  if (!loaded.ok()) return refuse(absl::InvalidArgumentError(JoinDiagnostics(loaded.errors)));
  if (std::vector<config::ConfigError> errors =
          config::DryBuildComponents(*loaded.config, *kinds_, data_dir_);
      !errors.empty()) {
    return refuse(absl::InvalidArgumentError(JoinDiagnostics(errors)));
  }
  for (const config::ConfigError& warning : loaded.warnings) {
    spdlog::warn("{}", warning.Diagnostic());
  }

  ReloadOutcome outcome;
  outcome.previous_version = current().version;
  outcome.version = loaded.config->version;
  if (outcome.version == outcome.previous_version) {
    outcome.changes.push_back("nothing: the file is the running configuration");
    (void)audit.Record(who, peer, "reload", {}, fmt::format("unchanged {}", outcome.version));
    return outcome;
  }
  {
    std::lock_guard appending(configs_mu_);
    configs_.emplace_back(std::make_unique<config::LoadedConfig>(std::move(*loaded.config)));
  }
  const config::LoadedConfig& next = *configs_.back();
  const config::LoadedConfig& previous = *configs_[configs_.size() - 2];

  // Destinations before the plan, so that the new routes find theirs; the
  // plan before the sources, so that new sources' messages meet new routes.
  absl::Status failed;
  ReloadDestinations(next, outcome, failed);
  auto plan = BuildPlan(next);
  if (!plan.ok()) {
    failed.Update(plan.status());
  } else {
    router_->SwapPlan(std::move(*plan));
    outcome.changes.push_back("routes and steps: the next messages routed use them");
  }
  ReloadSources(next, outcome, failed);
  auto tokens = TokenAuthority::Create(next.config.engine().admin(), data_dir_);
  if (tokens.ok()) {
    admin_->SwapTokens(std::move(*tokens));
  } else {
    failed.Update(tokens.status());
  }
  admin_->SetPayloadRole(static_cast<Role>(next.config.engine().admin().payload_role()));
  for (const std::string& part : RestartOnlyChanges(previous.config, next.config)) {
    outcome.warnings.push_back(fmt::format("{} changed: applies at the next restart", part));
  }
  if (absl::Status saved = store_->SaveConfigVersion(next.version, next.text); !saved.ok()) {
    failed.Update(saved);
  }
  metrics_->SetConfigVersion(next.version);
  for (const std::string& warning : outcome.warnings) spdlog::warn("reload: {}", warning);
  if (!failed.ok()) {
    // What could be swapped was; the rest runs as it did. Said as it is.
    spdlog::error("configuration {} reloaded in part: {}", next.version, failed.message());
    (void)audit.Record(who, peer, "reload", {},
                       fmt::format("{} -> {} in part: {}", outcome.previous_version,
                                   outcome.version, failed.message()));
    return absl::Status(failed.code(), fmt::format("configuration {} applied in part: {}",
                                                   next.version, failed.message()));
  }
  spdlog::info("configuration reloaded: version {} (was {}); {}", outcome.version,
               outcome.previous_version, fmt::join(outcome.changes, "; "));
  (void)audit.Record(who, peer, "reload", {},
                     fmt::format("{} -> {}", outcome.previous_version, outcome.version));
  return outcome;
}

void Engine::ReloadDestinations(const config::LoadedConfig& next, ReloadOutcome& outcome,
                                absl::Status& failed) {
  std::vector<std::string> names;
  for (const auto& destination : next.config.destinations()) names.push_back(destination.name());
  if (absl::Status queues = store_->EnsureQueues(names); !queues.ok()) {
    failed.Update(queues);
    return;
  }
  for (int i = 0; i < next.config.destinations_size(); ++i) {
    const std::string& name = next.config.destinations(i).name();
    DestinationSlot* running = nullptr;
    {
      std::shared_lock lock(destinations_mu_);
      auto found = destinations_.find(name);
      if (found != destinations_.end()) running = &found->second;
    }
    // Unchanged: not built again (a build may read files, open clients).
    if (running != nullptr && running->settings == DestinationSettings(next.config, i)) continue;
    auto built = BuildDestination(next, i);
    if (!built.ok()) {
      failed.Update(built.status());
      continue;
    }
    if (running != nullptr) {
      // Its attempts in flight end first; the new scheduler then reads the
      // queue where the old one left it.
      running->scheduler->Stop();
    }
    if (absl::Status started = StartScheduler(*built->scheduler); !started.ok()) {
      failed.Update(started);
      if (running != nullptr) (void)StartScheduler(*running->scheduler);
      continue;
    }
    std::unique_lock lock(destinations_mu_);
    if (running != nullptr) {
      retired_destinations_.push_back(std::move(*running));
      outcome.changes.push_back(
          fmt::format("destination '{}' continues with its new settings", name));
    } else {
      outcome.changes.push_back(fmt::format("destination '{}' added", name));
    }
    destinations_[name] = std::move(*built);
  }
  std::shared_lock lock(destinations_mu_);
  for (const auto& [name, slot] : destinations_) {
    bool kept = false;
    for (const std::string& next_name : names) kept = kept || next_name == name;
    if (!kept) {
      outcome.warnings.push_back(fmt::format(
          "destination '{}' removed: it delivers what its queue holds until the next restart",
          name));
    }
  }
}

void Engine::ReloadSources(const config::LoadedConfig& next, ReloadOutcome& outcome,
                           absl::Status& failed) {
  std::set<std::string> wanted;
  for (int i = 0; i < next.config.sources_size(); ++i) {
    const std::string& name = next.config.sources(i).name();
    wanted.insert(name);
    auto found = sources_.find(name);
    if (found != sources_.end() &&
        found->second.settings == next.config.sources(i).SerializeAsString()) {
      continue;  // untouched: its connections stay open
    }
    auto built = BuildSource(next, i);
    if (!built.ok()) {
      failed.Update(built.status());
      continue;
    }
    // The old listener first: the new one may listen on the same address.
    std::optional<SourceSlot> old;
    if (found != sources_.end()) {
      found->second.source->Stop();
      old = std::move(found->second);
      sources_.erase(found);
    }
    if (absl::Status started = built->source->Start(); !started.ok()) {
      failed.Update(absl::Status(
          started.code(),
          config::SourceError(next, *kinds_, i, absl::UnavailableError(started.message()))
              .ToString()));
      if (old) {
        // The running settings again: a source starts only once, so one is
        // built anew from the configuration it came from.
        auto again = BuildSource(*old->loaded, old->index);
        if (again.ok() && again->source->Start().ok()) {
          sources_[name] = std::move(*again);
        } else {
          spdlog::error(
              "reload: source '{}' could not be started again with its previous "
              "settings either; it is stopped",
              name);
        }
      }
      continue;
    }
    outcome.changes.push_back(
        fmt::format("source '{}' {}", name, old ? "restarted with its new settings" : "added"));
    sources_[name] = std::move(*built);
  }
  for (auto it = sources_.begin(); it != sources_.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    it->second.source->Stop();
    outcome.changes.push_back(fmt::format("source '{}' removed", it->first));
    it = sources_.erase(it);
  }
}

}  // namespace navette::engine
