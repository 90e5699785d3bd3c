#include "engine/config/check_command.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/config/loader.h"
#include "engine/config/validate.h"

namespace navette::engine::config {
namespace {

// "1 source", "2 sources": the summary is read by people.
std::string Count(int n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// "destination 'lab' (http): ok: TLS handshake with 10.0.0.5:443 ok";
// returns whether it found the destination reachable (or had nothing to
// probe: a kind without a probe, such as one with no peer, passes).
bool PrintProbe(const ProbeReport& report, std::ostream& out) {
  if (!report.probed) {
    out << fmt::format("destination '{}' ({}): not probed (the {} kind has no probe)\n",
                       report.destination, report.kind, report.kind);
    return true;
  }
  out << fmt::format("destination '{}' ({}): {}: {}\n", report.destination, report.kind,
                     report.result.ok ? "ok" : "FAILED", report.result.detail);
  return report.result.ok;
}

}  // namespace

void PrintDiagnostics(std::vector<ConfigError> errors, const std::vector<ConfigError>& warnings,
                      std::ostream& err) {
  errors.insert(errors.end(), warnings.begin(), warnings.end());
  std::stable_sort(errors.begin(), errors.end(), ConfigErrorBefore);
  for (const ConfigError& error : errors) err << error.Diagnostic() << '\n';
}

int RunCheck(const std::string& path, const kinds::KindRegistry& kinds, std::ostream& out,
             std::ostream& err, const CheckOptions& options) {
  LoadResult result = LoadConfigFile(path, kinds);
  if (!result.ok()) {
    PrintDiagnostics(std::move(result.errors), result.warnings, err);
    return 1;
  }
  const LoadedConfig& loaded = *result.config;
  std::vector<ConfigError> errors = DryBuildComponents(loaded, kinds, options.data_dir);
  PrintDiagnostics(errors, result.warnings, err);
  if (!errors.empty()) return 1;
  const navette::config::Config& config = loaded.config;
  out << fmt::format("{}: ok ({}, {}, {}, version {})\n", path,
                     Count(config.sources_size(), "source"), Count(config.routes_size(), "route"),
                     Count(config.destinations_size(), "destination"), loaded.version);
  if (!options.connect) return 0;
  bool all_reachable = true;
  for (const ProbeReport& report : ProbeDestinations(loaded, kinds, options.data_dir)) {
    all_reachable = PrintProbe(report, out) && all_reachable;
  }
  return all_reachable ? 0 : 1;
}

}  // namespace navette::engine::config
