// The map_codes step (routes/step.h): local lab codes to LOINC, by the
// hospital's table (loinc_table.h).
//
// What it reads:
//   - a CDA (content type "text/xml", e.g. after build_cda): its structured
//     body's observation codes (cda_codes.h); the output is the CDA mapped;
//   - an HL7 v2 message ("application/hl7-v2"): its result OBX-3
//     (oru_codes.h), and, when the record (proto/document.proto) carries a
//     CR-BIO N3 part, that part's codes (the record goes on mapped, for
//     build_cda). The N3 the message carries base64-encoded in its OBX-5 is
//     not rewritten.
//   - any other content type: nothing, with a note.
//
// Codes the table lacks are listed in the history (at most kListedCodes),
// counted in navette_unmapped_codes_total{route}, and the document follows
// on_unmapped: continue (delivered with its local codes), park under
// "map_codes:<route>" (a reroute after the table is fixed releases it) or
// dead. A document that cannot be read is dead.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"
#include "routes/codes/loinc_table.h"
#include "routes/step.h"

namespace navette::routes::codes {

class MapCodesStep final : public Step {
 public:
  static constexpr size_t kListedCodes = 20;

  // `clock` outlives the step; `metrics` may be null (a dry run, a test).
  MapCodesStep(std::unique_ptr<WatchedLoincTable> table, std::string table_name,
               navette::config::MapCodesStep::OnUnmapped on_unmapped, const Clock& clock,
               kinds::StepMetrics* metrics);

  absl::StatusOr<StepOutcome> Run(const StepInput& input) const override;

  // The park key of `route`'s documents waiting for the table.
  static std::string ParkKey(std::string_view route);

 private:
  const std::unique_ptr<WatchedLoincTable> table_;
  const std::string table_name_;  // as configured, for the history
  const navette::config::MapCodesStep::OnUnmapped on_unmapped_;
  const Clock& clock_;
  kinds::StepMetrics* const metrics_;
};

}  // namespace navette::routes::codes
