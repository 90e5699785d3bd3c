// `navette check FILE`: loads a configuration file and reports, without
// starting anything, whether the engine would accept it. Meant for editors,
// CI and the moment before a reload.
#pragma once

#include <ostream>
#include <string>

#include "kinds/registry.h"

namespace navette::engine::config {

// Prints every error as "file:line:col: error: message" to `err` and returns
// 1, or prints "<path>: ok (N sources, N routes, N destinations, version V)"
// to `out` and returns 0.
int RunCheck(const std::string& path, const kinds::KindRegistry& kinds, std::ostream& out,
             std::ostream& err);

}  // namespace navette::engine::config
