// The DMP destination's row in the kind registry (kinds/registry.h): its
// defaults, its checks, its factory and its traits. Registered in
// engine/builtin_kinds.cc; documented in docs/configuration.md
// (destinations[].dmp) and docs/dmp.md.
#pragma once

#include "kinds/registry.h"

namespace navette::adapters::dmp {

kinds::DestinationKind DmpDestinationKind();

}  // namespace navette::adapters::dmp
