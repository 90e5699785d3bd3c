#include "engine/step_runner.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "engine/step_metrics.h"

namespace navette::engine {
namespace {

// What one route contributes, built while its steps run.
struct RouteResult {
  bool dead = false;  // a step failed for good
  std::string dead_reason;
  int64_t dead_at_us = 0;
  std::optional<store::RouteHold> parked;
  // The document as the last step that changed it left it, and the identity
  // it carries.
  std::optional<std::string> output;
  std::optional<identity::Identity> identity;
  // Set only when a step changed them: the output's content type (a CDA's
  // "text/xml") and the document record (build_cda's `cda`).
  std::optional<std::string> content_type;
  std::optional<navette::document::Document> record;
  std::vector<store::DocumentVersion> document_versions;  // emitted by the steps
  std::vector<std::string> notes;                         // what the steps did, for the history
};

// What the next step of the route sees, as the previous ones left it.
routes::StepInput InputOf(const store::StoredMessage& message, const RouteResult& result,
                          std::string_view route, bool identity_update_planned) {
  const navette::Envelope& envelope = message.envelope();
  routes::StepInput input;
  input.message_id = message.id();
  input.envelope = &envelope;
  input.document = result.output ? std::string_view(*result.output) : envelope.raw();
  input.route = route;
  input.identity_update_planned = identity_update_planned;
  input.content_type =
      result.content_type ? std::string_view(*result.content_type) : envelope.content_type();
  if (result.record) {
    input.record = &*result.record;
  } else if (envelope.has_document()) {
    input.record = &envelope.document();
  }
  if (result.identity) input.identity = &*result.identity;
  return input;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StepRunner>> StepRunner::Create(
    const store::Store& store, const navette::config::Config& config,
    const kinds::KindRegistry& kinds, const Clock& clock, const std::filesystem::path& data_dir,
    Metrics* metrics) {
  std::unique_ptr<StepRunner> runner(new StepRunner(store, clock, config.hospital()));
  for (const navette::config::Route& route : config.routes()) {
    kinds::StepMetrics* route_metrics = nullptr;
    if (metrics != nullptr) {
      route_metrics =
          runner->step_metrics_.emplace_back(std::make_unique<StepMetrics>(*metrics, route.name()))
              .get();
    }
    std::vector<std::unique_ptr<routes::Step>>& steps = runner->steps_[route.name()];
    for (int i = 0; i < route.steps_size(); ++i) {
      const navette::config::Step& step_config = route.steps(i);
      const kinds::StepKind* kind = kinds.KindOf(step_config);
      if (kind == nullptr) {
        return absl::InvalidArgumentError(
            fmt::format("route '{}': step {} is of no known kind", route.name(), i + 1));
      }
      auto settings = kinds::KindSettings::Of(step_config, kind->config_type);
      if (!settings.ok()) {
        return absl::InvalidArgumentError(fmt::format("route '{}': {}: {}", route.name(),
                                                      kind->name, settings.status().message()));
      }
      kinds::StepContext context;
      context.clock = &clock;
      context.identity = &config.identity();
      context.identities = &runner->reader_;
      context.route = route.name();
      context.data_dir = data_dir;
      context.hospital = &runner->hospital_;
      context.documents = &runner->documents_;
      context.metrics = route_metrics;
      auto step = kind->create(**settings, context);
      if (!step.ok()) {
        return absl::Status(step.status().code(), fmt::format("route '{}': {}: {}", route.name(),
                                                              kind->name, step.status().message()));
      }
      if (*step == nullptr) {
        return absl::InternalError(
            fmt::format("route '{}': {}: its kind built nothing", route.name(), kind->name));
      }
      steps.push_back(std::move(*step));
    }
  }
  return runner;
}

absl::Status StepRunner::RunRoute(const store::StoredMessage& message,
                                  const routes::RouteMatch& match, const std::string& patient,
                                  store::RoutingDecision& decision) const {
  auto built = steps_.find(match.route);
  if (built == steps_.end()) {
    return absl::InternalError(fmt::format("route '{}' has no steps built", match.route));
  }
  RouteResult result;
  for (const std::unique_ptr<routes::Step>& step : built->second) {
    auto outcome =
        step->Run(InputOf(message, result, match.route, decision.identity_update.has_value()));
    if (!outcome.ok()) return outcome.status();
    const int64_t at_us = outcome->at_us != 0 ? outcome->at_us : clock_.NowMicros();
    if (outcome->kind == routes::StepOutcome::Kind::kPark) {
      store::RouteHold hold;
      hold.set_route(match.route);
      hold.set_reason(std::move(outcome->reason));
      hold.set_patient(std::move(outcome->park_key));
      hold.set_at_us(at_us);
      result.parked = std::move(hold);
      break;
    }
    if (outcome->kind == routes::StepOutcome::Kind::kDead) {
      result.dead = true;
      result.dead_reason = std::move(outcome->reason);
      result.dead_at_us = at_us;
      break;
    }
    // The first update planned for the message is its update.
    if (outcome->identity_update && !decision.identity_update) {
      decision.identity_update = std::move(outcome->identity_update);
    }
    if (outcome->output) result.output = std::move(outcome->output);
    if (outcome->identity) result.identity = std::move(outcome->identity);
    if (outcome->content_type) result.content_type = std::move(outcome->content_type);
    if (outcome->record) result.record = std::move(outcome->record);
    if (outcome->document_version) {
      result.document_versions.push_back(std::move(*outcome->document_version));
    }
    for (std::string& note : outcome->notes) result.notes.push_back(std::move(note));
  }

  decision.routes.push_back(match.route);
  if (result.parked) {
    decision.parked.push_back(std::move(*result.parked));
    return absl::OkStatus();
  }
  if (result.dead && match.destinations.empty()) {
    store::RouteHold hold;
    hold.set_route(match.route);
    hold.set_reason(result.dead_reason);
    hold.set_at_us(result.dead_at_us);
    decision.failed_routes.push_back(std::move(hold));
    return absl::OkStatus();
  }
  const bool has_output = !result.dead && result.output.has_value();
  if (!result.dead) {
    for (std::string& note : result.notes)
      decision.notes.emplace_back(match.route, std::move(note));
  }
  for (const std::string& destination : match.destinations) {
    decision.deliveries.push_back(
        {match.route, destination, patient, has_output, result.dead_reason});
  }
  if (has_output) {
    store::RouteOutput output;
    output.set_payload(std::move(*result.output));
    if (result.identity) *output.mutable_identity() = std::move(*result.identity);
    if (result.content_type) output.set_content_type(std::move(*result.content_type));
    if (result.record) *output.mutable_document() = std::move(*result.record);
    decision.outputs.emplace_back(match.route, std::move(output));
  }
  // A version is emitted only by a route that goes on to deliver it.
  if (!result.dead) {
    for (store::DocumentVersion& version : result.document_versions) {
      decision.document_versions.push_back(std::move(version));
    }
  }
  return absl::OkStatus();
}

}  // namespace navette::engine
