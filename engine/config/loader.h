// Loads a configuration file: reads it, parses the YAML, converts it onto
// navette.config.Config (yaml_to_proto.h), applies the defaults
// (defaults.h) and runs the semantic checks (checks.h). Every problem from
// every stage is returned, sorted by position, so that a hospital fixes its
// file in one pass rather than one error per run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/config/default_config.h"
#include "engine/config/source_map.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

struct LoadedConfig {
  navette::config::Config config;  // with the defaults applied
  std::string text;                // the YAML as read
  // First 16 hex digits of the SHA-256 of `text`: names this exact
  // configuration in logs, history and the admin API.
  std::string version;
  std::string file;
  // Where each field was written, for problems found later (at startup,
  // e.g. a port already in use) to point at a line too.
  SourceMap source_map;
};

struct LoadResult {
  std::optional<LoadedConfig> config;  // set only when there is no error
  std::vector<ConfigError> errors;     // sorted by line and column
  // Allowed but likely mistakes, sorted likewise; with or without errors.
  std::vector<ConfigError> warnings;

  bool ok() const { return config.has_value() && errors.empty(); }
};

// An unreadable file gives one error naming the file and the reason.
LoadResult LoadConfigFile(const std::string& path, const kinds::KindRegistry& kinds);

// `file_name` names the text in errors.
LoadResult LoadConfigText(std::string_view text, std::string_view file_name,
                          const kinds::KindRegistry& kinds);

// First 16 hex digits of the SHA-256 of `text`.
std::string ConfigVersion(std::string_view text);

}  // namespace navette::engine::config
