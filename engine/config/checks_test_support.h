// The checks' tests share this: a YAML text converted, defaulted and
// checked as the loader does, with the conversion's and the checks' errors
// apart so that tests can tell them apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/builtin_kinds.h"
#include "engine/config/checks.h"
#include "engine/config/defaults.h"
#include "engine/config/yaml_to_proto.h"

namespace navette::engine::config {

// Converts, applies defaults and checks, like the loader, but returns the
// conversion and check errors apart so that tests can tell them apart.
struct Checked {
  std::vector<std::string> conversion;
  std::vector<std::string> checks;
};

inline Checked Check(std::string_view yaml) {
  if (yaml.starts_with('\n')) yaml.remove_prefix(1);
  navette::config::Config config;
  ConversionResult conversion = YamlToProto(YAML::Load(std::string(yaml)), config, "c.yaml");
  ApplyDefaults(config, BuiltinKinds());
  Checked checked;
  for (const ConfigError& error : conversion.errors) checked.conversion.push_back(error.ToString());
  for (const ConfigError& error :
       CheckConfig(config, conversion.source_map, "c.yaml", BuiltinKinds())) {
    checked.checks.push_back(error.ToString());
  }
  return checked;
}

// The smallest valid configuration, to which tests append what they check.
inline constexpr std::string_view kBase = R"(
sources:
  - name: in
    mllp: {listen: "127.0.0.1:2575"}
destinations:
  - name: out
    file: {directory: out}
)";

inline std::string WithBase(std::string_view more) {
  return std::string(kBase) + std::string(more);
}

}  // namespace navette::engine::config
