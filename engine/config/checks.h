// Semantic checks on a converted configuration: what the schema alone cannot
// say. Names are well-formed and unique, every source and destination has
// one kind, listen addresses and bus endpoints parse (and follow the bus's
// security rule, ingress_security.h), routes name sources
// and destinations that exist, and match rules hold valid field paths and
// RE2 patterns.
//
// Every problem is returned, not just the first, each at the line of the
// offending node as recorded in the SourceMap. A problem at (or inside) a
// place the converter already reported is skipped, so that one mistake gives
// one error.
#pragma once

#include <string_view>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/config/source_map.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

// Runs on the configuration after ApplyDefaults. `file` names the file in
// errors. The errors come in the order checked; sort them for display.
std::vector<ConfigError> CheckConfig(const navette::config::Config& config,
                                     const SourceMap& source_map, std::string_view file,
                                     const kinds::KindRegistry& kinds);

}  // namespace navette::engine::config
