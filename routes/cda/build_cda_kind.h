// The build_cda step (routes/step.h) and its kind's row (kinds/registry.h).
//
// The step turns what BuildCda (build_cda_step.h) decided into the route's
// outcome, and validates every CDA it emits against CDA_extended.xsd
// (cda_schema.h) unless the route says `validate: false`:
//
//   BuildCda / validation              outcome
//   a CDA built or completed, valid    continue: output the CDA (text/xml), the record
//                                        with `cda` set, the document version to store
//   a deletion                         continue with a note, nothing changed
//   no record (no source profile)      dead
//   InvalidArgument (the record or     dead, with the reason
//     the settings lack something)
//   the CDA fails the schema           dead, with the validator's first errors
//   another error (a store read)       the error (routed again later)
#pragma once

#include <functional>
#include <string_view>

#include "common/clock.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "routes/cda/build_cda_step.h"
#include "routes/document_versions.h"
#include "routes/step.h"

namespace navette::routes::cda {

// OK, or InvalidArgument listing the first errors (CdaSchema::Validate).
using CdaValidator = std::function<absl::Status(std::string_view xml)>;

class BuildCdaStep final : public Step {
 public:
  // `hospital`, `versions` and `clock` outlive the step; an empty
  // `validate` validates nothing.
  BuildCdaStep(const navette::config::Hospital& hospital, const DocumentVersions* versions,
               const Clock& clock, CdaValidator validate, LetterRenderer render_letter);

  absl::StatusOr<StepOutcome> Run(const StepInput& input) const override;

 private:
  const navette::config::Hospital& hospital_;
  const DocumentVersions* versions_;
  const Clock& clock_;
  const CdaValidator validate_;
  const LetterRenderer render_letter_;
};

// validate: true.
void ApplyBuildCdaDefaults(navette::config::BuildCdaStep& config);

// The row of engine/builtin_kinds.cc.
kinds::StepKind BuildCdaKind();

}  // namespace navette::routes::cda
