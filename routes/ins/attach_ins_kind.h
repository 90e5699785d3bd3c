// The attach_ins step (routes/step.h) and its kind's row (kinds/registry.h).
//
// The step turns what AttachIns (attach_ins_step.h) found into the route's
// outcome, applying the route's on_missing policy when no identity may
// carry the INS:
//
//   AttachIns found           on_missing              outcome
//   kAttached                 -                       continue with the INS written,
//                                                       the identity attached
//   kMismatch                 -                       dead
//   kMissing                  park                    park under the patient's key;
//                                                       dead if the document names none
//                             dead                    dead
//                             continue_without_ins    continue without the INS (removed
//                                                       if the document carried one)
//   an unreadable document    -                       dead
//   a store read failing      -                       the error (routed again later)
#pragma once

#include "common/clock.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "routes/ins/identity_reader.h"
#include "routes/ins/ins_number.h"
#include "routes/step.h"

namespace navette::routes::ins {

class AttachInsStep final : public Step {
 public:
  // `reader` and `clock` outlive the step.
  AttachInsStep(navette::config::AttachInsStep::OnMissing on_missing, Environment environment,
                const IdentityReader& reader, const Clock& clock);

  absl::StatusOr<StepOutcome> Run(const StepInput& input) const override;

 private:
  const navette::config::AttachInsStep::OnMissing on_missing_;
  const Environment environment_;
  const IdentityReader& reader_;
  const Clock& clock_;
};

// require: qualified; on_missing: park.
void ApplyAttachInsDefaults(navette::config::AttachInsStep& config);

// The row of engine/builtin_kinds.cc.
kinds::StepKind AttachInsKind();

}  // namespace navette::routes::ins
