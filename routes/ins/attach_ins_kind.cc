#include "routes/ins/attach_ins_kind.h"

#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/fmt_absl.h"
#include "routes/ins/attach_ins_step.h"
#include "routes/ins/identity_settings.h"

namespace navette::routes::ins {
namespace {

using AttachInsConfig = navette::config::AttachInsStep;

// A dry run has no identity store to read: it builds nothing.
absl::StatusOr<std::unique_ptr<Step>> CreateAttachIns(const AttachInsConfig& config,
                                                      const kinds::StepContext& context) {
  if (context.identity == nullptr || context.clock == nullptr) {
    return absl::InvalidArgumentError("attach_ins needs the identity settings and a clock");
  }
  if (context.dry_run) return nullptr;
  if (context.identities == nullptr) {
    return absl::InvalidArgumentError("attach_ins needs the identity store");
  }
  return std::make_unique<AttachInsStep>(config.on_missing(),
                                         IdentityStepSettingsFrom(*context.identity).environment,
                                         *context.identities, *context.clock);
}

}  // namespace

AttachInsStep::AttachInsStep(AttachInsConfig::OnMissing on_missing, Environment environment,
                             const IdentityReader& reader, const Clock& clock)
    : on_missing_(on_missing), environment_(environment), reader_(reader), clock_(clock) {}

absl::StatusOr<StepOutcome> AttachInsStep::Run(const StepInput& input) const {
  auto found = AttachIns(input.document, input.envelope->charset(), reader_, environment_);
  if (absl::IsInvalidArgument(found.status())) {
    return StepOutcome::Dead(fmt::format("attach_ins: {}", found.status().message()),
                             clock_.NowMicros());
  }
  if (!found.ok()) return found.status();

  using Kind = AttachInsOutcome::Kind;
  StepOutcome outcome;
  if (found->kind == Kind::kAttached) {
    outcome.notes.push_back("attach_ins: " + DescribeAttached(*found));
    outcome.output = std::move(found->payload);
    outcome.identity = std::move(found->identity);
    return outcome;
  }
  std::string reason = fmt::format("attach_ins: {}", found->reason);
  if (found->kind == Kind::kMismatch) return StepOutcome::Dead(reason, clock_.NowMicros());
  if (on_missing_ == AttachInsConfig::CONTINUE_WITHOUT_INS) {
    // An INS is never sent for an identity that may not carry it.
    if (!found->payload_without_ins.empty()) {
      outcome.output = std::move(found->payload_without_ins);
      outcome.notes.push_back(reason + ": the INS the document carried removed from PID-3");
    } else {
      outcome.notes.push_back(reason + ": sent without the INS");
    }
    return outcome;
  }
  if (on_missing_ == AttachInsConfig::DEAD) return StepOutcome::Dead(reason, clock_.NowMicros());
  // park (the default)
  if (found->patient.empty()) {
    return StepOutcome::Dead(reason + " (a document naming no patient cannot be parked)",
                             clock_.NowMicros());
  }
  return StepOutcome::Park(std::move(reason), std::move(found->patient), clock_.NowMicros());
}

void ApplyAttachInsDefaults(AttachInsConfig& config) {
  if (config.require() == AttachInsConfig::REQUIRE_UNSPECIFIED) {
    config.set_require(AttachInsConfig::QUALIFIED);
  }
  if (config.on_missing() == AttachInsConfig::ON_MISSING_UNSPECIFIED) {
    config.set_on_missing(AttachInsConfig::PARK);
  }
}

kinds::StepKind AttachInsKind() {
  return kinds::Erase(kinds::TypedStepKind<AttachInsConfig>{
      .name = "attach_ins",
      .apply_defaults = ApplyAttachInsDefaults,
      .create = CreateAttachIns,
  });
}

}  // namespace navette::routes::ins
