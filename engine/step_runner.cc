#include "engine/step_runner.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/fmt_absl.h"
#include "routes/ins/attach_ins_step.h"
#include "routes/ins/identity_feed.h"
#include "routes/ins/identity_feed_step.h"

namespace navette::engine {
namespace {

using navette::config::AttachInsStep;
using navette::config::IdentitySettings;
using navette::config::Step;

routes::ins::Reliability ReliabilityOf(navette::config::Reliability word) {
  routes::ins::Reliability reliability;
  switch (word) {
    case navette::config::RECOVERED:
      reliability.status = identity::RECOVERED;
      break;
    case navette::config::VALIDATED:
      reliability.status = identity::VALIDATED;
      break;
    case navette::config::QUALIFIED:
      reliability.status = identity::QUALIFIED;
      break;
    case navette::config::DOUBTFUL:
      reliability.doubtful = true;
      break;
    case navette::config::FICTITIOUS:
      reliability.fictitious = true;
      break;
    default:
      break;  // provisional
  }
  return reliability;
}

// What one route contributes, built while its steps run.
struct RouteResult {
  std::string dead_reason;  // a step failed for good
  std::optional<store::RouteHold> parked;
  std::optional<store::RouteOutput> output;
  std::vector<std::string> notes;  // what the steps did, for the history
};

}  // namespace

StepSettings StepSettingsFrom(const navette::config::Config& config) {
  StepSettings settings;
  if (config.identity().environment() == IdentitySettings::TEST) {
    settings.environment = routes::ins::Environment::kTest;
  }
  for (const auto& [code, word] : config.identity().reliability_codes()) {
    settings.reliability.Set(code, ReliabilityOf(word));
  }
  return settings;
}

StepRunner::StepRunner(const store::Store& store, StepSettings settings)
    : reader_(store), settings_(std::move(settings)) {}

absl::Status StepRunner::RunRoute(const store::StoredMessage& message,
                                  const routes::RouteMatch& match, const std::string& patient,
                                  store::RoutingDecision& decision) const {
  const navette::Envelope& envelope = message.envelope();
  RouteResult result;
  for (const Step& step : *match.steps) {
    if (step.has_identity_feed()) {
      if (decision.identity_update) continue;  // another route applied it already
      routes::ins::IdentityFeedOptions options;
      options.default_charset = envelope.charset();
      options.environment = settings_.environment;
      options.table = &settings_.reliability;
      auto event = routes::ins::ReadIdentityFeed(envelope.raw(), options);
      if (!event.ok()) {
        result.dead_reason = fmt::format("identity_feed: {}", event.status().message());
        break;
      }
      auto plan = routes::ins::PlanIdentityUpdate(*event, reader_, message.id(), NowMicros());
      if (absl::IsInvalidArgument(plan.status())) {
        result.dead_reason = fmt::format("identity_feed: {}", plan.status().message());
        break;
      }
      if (!plan.ok()) return plan.status();
      if (plan->update) {
        decision.identity_update = std::move(plan->update);  // its history tells the change
      } else {
        decision.notes.emplace_back(match.route, std::move(plan->detail));
      }
      continue;
    }
    if (step.has_attach_ins()) {
      auto outcome = routes::ins::AttachIns(envelope, reader_, settings_.environment);
      if (absl::IsInvalidArgument(outcome.status())) {
        result.dead_reason = fmt::format("attach_ins: {}", outcome.status().message());
        break;
      }
      if (!outcome.ok()) return outcome.status();
      using Kind = routes::ins::AttachInsOutcome::Kind;
      if (outcome->kind == Kind::kAttached) {
        result.output.emplace();
        result.output->set_payload(std::move(outcome->payload));
        *result.output->mutable_identity() = std::move(outcome->identity);
        result.notes.push_back("attach_ins: " + routes::ins::DescribeAttached(*outcome));
        continue;
      }
      const std::string reason = fmt::format("attach_ins: {}", outcome->reason);
      if (outcome->kind == Kind::kMismatch) {
        result.dead_reason = reason;
        break;
      }
      const AttachInsStep::OnMissing on_missing = step.attach_ins().on_missing();
      if (on_missing == AttachInsStep::CONTINUE_WITHOUT_INS) {
        if (!outcome->payload_without_ins.empty()) {
          result.output.emplace();
          result.output->set_payload(std::move(outcome->payload_without_ins));
          result.notes.push_back(reason + ": the INS the document carried removed from PID-3");
        } else {
          result.notes.push_back(reason + ": sent without the INS");
        }
        continue;
      }
      if (on_missing == AttachInsStep::DEAD) {
        result.dead_reason = reason;
        break;
      }
      if (outcome->patient.empty()) {
        result.dead_reason = reason + " (a document naming no patient cannot be parked)";
        break;
      }
      store::RouteHold hold;
      hold.set_route(match.route);
      hold.set_reason(reason);
      hold.set_patient(outcome->patient);
      hold.set_at_us(NowMicros());
      result.parked = std::move(hold);
      break;
    }
  }

  decision.routes.push_back(match.route);
  if (result.parked) {
    decision.parked.push_back(std::move(*result.parked));
    return absl::OkStatus();
  }
  if (!result.dead_reason.empty() && match.destinations.empty()) {
    store::RouteHold hold;
    hold.set_route(match.route);
    hold.set_reason(result.dead_reason);
    hold.set_at_us(NowMicros());
    decision.failed_routes.push_back(std::move(hold));
    return absl::OkStatus();
  }
  const bool has_output = result.dead_reason.empty() && result.output.has_value();
  if (result.dead_reason.empty()) {
    for (std::string& note : result.notes)
      decision.notes.emplace_back(match.route, std::move(note));
  }
  for (const std::string& destination : match.destinations) {
    decision.deliveries.push_back(
        {match.route, destination, patient, has_output, result.dead_reason});
  }
  if (has_output) decision.outputs.emplace_back(match.route, std::move(*result.output));
  return absl::OkStatus();
}

}  // namespace navette::engine
