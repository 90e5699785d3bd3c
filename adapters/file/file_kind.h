// The file destination's row in the kind registry (kinds/registry.h): its
// defaults, its checks, its factory and its traits. Registered in
// engine/builtin_kinds.cc.
#pragma once

#include <string_view>

#include "kinds/registry.h"

namespace navette::adapters::file {

// The file name suffix when `suffix` is not set.
inline constexpr std::string_view kDefaultSuffix = ".hl7";

kinds::DestinationKind FileDestinationKind();

}  // namespace navette::adapters::file
