// The HTTP destination's row in the kind registry (kinds/registry.h): its
// defaults, its checks, its factory and its traits. Registered in
// engine/builtin_kinds.cc.
#pragma once

#include <cstdint>

#include "kinds/registry.h"

namespace navette::adapters::http {

// Defaults of the settings left unset (docs/configuration.md).
inline constexpr int64_t kDefaultConnectTimeoutSeconds = 5;
inline constexpr int64_t kDefaultTimeoutSeconds = 30;

kinds::DestinationKind HttpDestinationKind();

}  // namespace navette::adapters::http
