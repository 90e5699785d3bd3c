// The default configuration, engine/config/default.yaml, embedded in the
// binary at build time. `navette config default` prints it as a starting
// point, and it must always load without errors (loader_test checks).
#pragma once

#include <string_view>

namespace navette::engine::config {

// The YAML text, comments included.
std::string_view DefaultConfigText();

// The name errors and logs give the embedded text.
inline constexpr std::string_view kDefaultConfigName = "<default configuration>";

}  // namespace navette::engine::config
