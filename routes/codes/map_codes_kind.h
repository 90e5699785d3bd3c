// The map_codes kind's row (kinds/registry.h): its defaults, its check (the
// table is read: `navette check` reports a table that does not load at the
// `table` setting, file:line and what is wrong) and its factory.
//
// A relative `table` path is taken from the directory the engine was started
// in, as the TLS files of the http kind are: `check` and `serve` then read the
// same file.
#pragma once

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::routes::codes {

// on_unmapped: continue.
void ApplyMapCodesDefaults(navette::config::MapCodesStep& config);

// The row of engine/builtin_kinds.cc.
kinds::StepKind MapCodesKind();

}  // namespace navette::routes::codes
