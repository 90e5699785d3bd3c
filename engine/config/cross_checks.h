// Rules about a configuration as a whole that no single kind can check,
// because they relate components of different kinds to each other:
//
// - Two sources (of any kinds) on one listen address, or a source on the
//   admin API's address: the second could never bind. Reported at the
//   later source's listen key, naming the first. Addresses come from each
//   source kind's `listen_addresses` (kinds/registry.h); a wildcard host
//   ("0.0.0.0", "[::]") takes the port on every address.
// - A source's business_acks that names no destination, or one that is not
//   mllp (an error at the source's business_acks key); business_acks on a
//   source without profile, whose messages never ask for one (a warning).
// - An attach_ins step in a configuration with no identity_feed step
//   anywhere: nothing fills the identity store it reads, so every document
//   would wait (or go dead, or go without its INS, as on_missing says). A
//   warning, since a configuration may be brought up in stages.
#pragma once

#include <string_view>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/config/source_map.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

// Appends what it finds to `errors` (warnings with Severity::kWarning).
void CrossCheckConfig(const navette::config::Config& config, const SourceMap& source_map,
                      std::string_view file, const kinds::KindRegistry& kinds,
                      std::vector<ConfigError>& errors);

}  // namespace navette::engine::config
