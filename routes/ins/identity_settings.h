// The configuration's top-level `identity` section as the identity steps
// (identity_feed, attach_ins) read it: the environment, which decides the
// INS OIDs accepted, and the PID-32 reliability table with the site's
// overrides.
#pragma once

#include "proto/config.pb.h"
#include "routes/ins/ins_number.h"
#include "routes/ins/reliability_table.h"

namespace navette::routes::ins {

struct IdentityStepSettings {
  Environment environment = Environment::kProduction;
  ReliabilityTable reliability = ReliabilityTable::Default();
};

// From the `identity` section (assumed checked, defaults applied).
IdentityStepSettings IdentityStepSettingsFrom(const navette::config::IdentitySettings& config);

}  // namespace navette::routes::ins
