#include "routes/ins/identity_feed_kind.h"

#include <memory>
#include <utility>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "routes/ins/identity_feed.h"
#include "routes/ins/identity_feed_step.h"

namespace navette::routes::ins {
namespace {

// A dry run has no identity store to read: it builds nothing.
absl::StatusOr<std::unique_ptr<Step>> CreateIdentityFeed(
    const navette::config::IdentityFeedStep& /*config*/, const kinds::StepContext& context) {
  if (context.identity == nullptr || context.clock == nullptr) {
    return absl::InvalidArgumentError("identity_feed needs the identity settings and a clock");
  }
  if (context.dry_run) return nullptr;
  if (context.identities == nullptr) {
    return absl::InvalidArgumentError("identity_feed needs the identity store");
  }
  return std::make_unique<IdentityFeedStep>(IdentityStepSettingsFrom(*context.identity),
                                            *context.identities, *context.clock);
}

}  // namespace

IdentityFeedStep::IdentityFeedStep(IdentityStepSettings settings, const IdentityReader& reader,
                                   const Clock& clock)
    : settings_(std::move(settings)), reader_(reader), clock_(clock) {}

absl::StatusOr<StepOutcome> IdentityFeedStep::Run(const StepInput& input) const {
  if (input.identity_update_planned) return StepOutcome::Continue();
  IdentityFeedOptions options;
  options.default_charset = input.envelope->charset();
  options.environment = settings_.environment;
  options.table = &settings_.reliability;
  const int64_t now = clock_.NowMicros();
  auto event = ReadIdentityFeed(input.document, options);
  if (!event.ok()) {
    return StepOutcome::Dead(fmt::format("identity_feed: {}", event.status().message()), now);
  }
  auto plan = PlanIdentityUpdate(*event, reader_, input.message_id, now);
  if (absl::IsInvalidArgument(plan.status())) {
    return StepOutcome::Dead(fmt::format("identity_feed: {}", plan.status().message()), now);
  }
  if (!plan.ok()) return plan.status();
  StepOutcome outcome;
  if (plan->update) {
    outcome.identity_update = std::move(plan->update);  // its history tells the change
  } else {
    outcome.notes.push_back(std::move(plan->detail));
  }
  return outcome;
}

kinds::StepKind IdentityFeedKind() {
  return kinds::Erase(kinds::TypedStepKind<navette::config::IdentityFeedStep>{
      .name = "identity_feed",
      .create = CreateIdentityFeed,
  });
}

}  // namespace navette::routes::ins
