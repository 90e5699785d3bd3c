#include "engine/config/check_command.h"

#include <fmt/format.h>

#include "engine/config/loader.h"

namespace navette::engine::config {
namespace {

// "1 source", "2 sources": the summary is read by people.
std::string Count(int n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// The GCC-style "error:" tag lets editors and CI annotators pick lines up.
std::string FormatError(const ConfigError& error) {
  if (error.line <= 0) return fmt::format("{}: error: {}", error.file, error.message);
  return fmt::format("{}:{}:{}: error: {}", error.file, error.line, error.column, error.message);
}

}  // namespace

int RunCheck(const std::string& path, const kinds::KindRegistry& kinds, std::ostream& out,
             std::ostream& err) {
  LoadResult result = LoadConfigFile(path, kinds);
  if (!result.ok()) {
    for (const ConfigError& error : result.errors) err << FormatError(error) << '\n';
    return 1;
  }
  const navette::config::Config& config = result.config->config;
  out << fmt::format("{}: ok ({}, {}, {}, version {})\n", path,
                     Count(config.sources_size(), "source"), Count(config.routes_size(), "route"),
                     Count(config.destinations_size(), "destination"), result.config->version);
  return 0;
}

}  // namespace navette::engine::config
