// The identity_feed step (routes/step.h) and its kind's row
// (kinds/registry.h).
//
// The step reads a PAM-FR ADT (identity_feed.h) and plans the identity store
// update (identity_feed_step.h) that the router commits with the message's
// routing:
//
//   the ADT                                   outcome
//   an update, merge or identifier change     continue with the identity update
//   an event that changes no identity         continue, with a note saying so
//   unreadable, or naming a merged IPP        dead
//   a store read failing                      the error (routed again later)
//
// A message runs it once, whatever the routes: a route after the one that
// planned the update continues at once (StepInput::identity_update_planned).
#pragma once

#include "common/clock.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "routes/ins/identity_reader.h"
#include "routes/ins/identity_settings.h"
#include "routes/step.h"

namespace navette::routes::ins {

class IdentityFeedStep final : public Step {
 public:
  // `reader` and `clock` outlive the step. The clock dates the identity
  // update and a dead route.
  IdentityFeedStep(IdentityStepSettings settings, const IdentityReader& reader, const Clock& clock);

  absl::StatusOr<StepOutcome> Run(const StepInput& input) const override;

 private:
  const IdentityStepSettings settings_;
  const IdentityReader& reader_;
  const Clock& clock_;
};

// The row of engine/builtin_kinds.cc.
kinds::StepKind IdentityFeedKind();

}  // namespace navette::routes::ins
