// The one validation path `check` and `serve` share beyond the load checks:
// every source and destination is built through its kind's factory in a dry
// run (kinds/registry.h: files opened, directories checked, nothing created,
// bound or connected), and each factory error becomes a ConfigError at the
// file:line:col of the setting it names (kinds::SettingError), prefixed with
// the component ("destination 'lab': http.tls.ca_file: ..."). `serve` runs
// the same before it starts, and reports its own start-up errors through
// ComponentError, so that both say the same thing at the same place.
//
// `navette check --connect` additionally probes each destination whose kind
// can (a TCP connect and TLS handshake, nothing sent).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/config/config_error.h"
#include "engine/config/loader.h"
#include "kinds/registry.h"

namespace navette::engine::config {

// Runs every source's and destination's `create` with dry_run = true
// against `data_dir` (where relative directories are resolved). Errors in
// configuration order; kinds without a factory error are skipped.
std::vector<ConfigError> DryBuildComponents(const LoadedConfig& loaded,
                                            const kinds::KindRegistry& kinds,
                                            const std::filesystem::path& data_dir);

// An error from the source or destination at `index` of its list (a
// factory's, or one met while starting it, e.g. a port in use), located at
// the setting a kinds::SettingError names, else at the component's kind.
ConfigError SourceError(const LoadedConfig& loaded, const kinds::KindRegistry& kinds, int index,
                        const absl::Status& status);
ConfigError DestinationError(const LoadedConfig& loaded, const kinds::KindRegistry& kinds,
                             int index, const absl::Status& status);

// What a probe of one destination found.
struct ProbeReport {
  std::string destination;
  std::string kind;
  bool probed = false;  // false: its kind has no probe
  kinds::ProbeResult result;
};

// Probes every destination whose kind has a probe, in configuration order.
std::vector<ProbeReport> ProbeDestinations(const LoadedConfig& loaded,
                                           const kinds::KindRegistry& kinds,
                                           const std::filesystem::path& data_dir);

}  // namespace navette::engine::config
