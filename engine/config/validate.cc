#include "engine/config/validate.h"

#include <fmt/format.h>

#include "adapters/tls/tls_context.h"
#include "common/clock.h"

namespace navette::engine::config {
namespace {

// `list` is "sources" or "destinations"; `what` is "source" or "destination".
ConfigError LocatedError(const LoadedConfig& loaded, std::string_view list, std::string_view what,
                         int index, const std::string& name, const std::string& kind,
                         const absl::Status& status) {
  std::string path = IndexPathJoin(list, index);
  std::string message = fmt::format("{} '{}': ", what, name);
  if (!kind.empty()) path = FieldPathJoin(path, kind);
  const std::string field = kinds::SettingErrorField(status);
  if (!field.empty()) {
    path = FieldPathJoin(path, field);
    message += fmt::format("{}.{}: ", kind, field);
  }
  message += std::string(status.message());
  const SourcePosition position = loaded.source_map.Locate(path);
  return ConfigError{loaded.file, position.line, position.column, std::move(message)};
}

kinds::DestinationContext DestinationContextOf(const navette::config::Config& config,
                                               const navette::config::Destination& destination,
                                               const kinds::DestinationKind& kind,
                                               const std::filesystem::path& data_dir) {
  kinds::DestinationContext context;
  context.hospital = &config.hospital();
  context.identity = &config.identity();
  context.name = destination.name();
  context.data_dir = data_dir;
  context.clock = &Clock::System();
  context.dry_run = true;
  context.policy = kinds::DeliveryPolicy::From(destination.delivery(), kind.traits);
  return context;
}

}  // namespace

ConfigError SourceError(const LoadedConfig& loaded, const kinds::KindRegistry& kinds, int index,
                        const absl::Status& status) {
  const navette::config::Source& source = loaded.config.sources(index);
  return LocatedError(loaded, "sources", "source", index, source.name(),
                      kinds::KindName(source, kinds), status);
}

ConfigError DestinationError(const LoadedConfig& loaded, const kinds::KindRegistry& kinds,
                             int index, const absl::Status& status) {
  const navette::config::Destination& destination = loaded.config.destinations(index);
  return LocatedError(loaded, "destinations", "destination", index, destination.name(),
                      kinds::KindName(destination, kinds), status);
}

std::vector<ConfigError> DryBuildComponents(const LoadedConfig& loaded,
                                            const kinds::KindRegistry& kinds,
                                            const std::filesystem::path& data_dir) {
  std::vector<ConfigError> errors;
  const navette::config::Config& config = loaded.config;
  if (config.engine().admin().has_tls()) {
    // The message names the setting ("engine.admin.tls.key_file: …"): the
    // error is placed at it, else at the tls block.
    auto context =
        adapters::tls::MakeServerContext(config.engine().admin().tls(), "engine.admin.tls");
    if (!context.ok()) {
      const std::string field = kinds::SettingErrorField(
          kinds::SettingErrorFromText(context.status(), "engine.admin.tls"));
      const SourcePosition position = loaded.source_map.Locate(field);
      errors.push_back(ConfigError{loaded.file, position.line, position.column,
                                   std::string(context.status().message())});
    }
  }
  for (int i = 0; i < config.sources_size(); ++i) {
    const navette::config::Source& source = config.sources(i);
    const kinds::SourceKind* kind = kinds.KindOf(source);
    if (kind == nullptr) continue;  // the load checks reported it
    absl::StatusOr<kinds::KindSettings> settings =
        kinds::KindSettings::Of(source, kind->config_type);
    if (!settings.ok()) {
      errors.push_back(SourceError(loaded, kinds, i, settings.status()));
      continue;
    }
    kinds::SourceContext context;
    context.name = source.name();
    context.data_dir = data_dir;
    context.clock = &Clock::System();
    context.dry_run = true;
    context.default_charset = source.default_charset();
    if (auto built = kind->create(**settings, context); !built.ok()) {
      errors.push_back(SourceError(loaded, kinds, i, built.status()));
    }
  }
  for (int i = 0; i < config.destinations_size(); ++i) {
    const navette::config::Destination& destination = config.destinations(i);
    const kinds::DestinationKind* kind = kinds.KindOf(destination);
    if (kind == nullptr) continue;
    absl::StatusOr<kinds::KindSettings> settings =
        kinds::KindSettings::Of(destination, kind->config_type);
    if (!settings.ok()) {
      errors.push_back(DestinationError(loaded, kinds, i, settings.status()));
      continue;
    }
    auto built =
        kind->create(**settings, DestinationContextOf(config, destination, *kind, data_dir));
    if (!built.ok()) errors.push_back(DestinationError(loaded, kinds, i, built.status()));
  }
  return errors;
}

std::vector<ProbeReport> ProbeDestinations(const LoadedConfig& loaded,
                                           const kinds::KindRegistry& kinds,
                                           const std::filesystem::path& data_dir) {
  std::vector<ProbeReport> reports;
  for (const navette::config::Destination& destination : loaded.config.destinations()) {
    ProbeReport report;
    report.destination = destination.name();
    report.kind = kinds::KindName(destination, kinds);
    const kinds::DestinationKind* kind = kinds.KindOf(destination);
    if (kind != nullptr && kind->probe) {
      report.probed = true;
      absl::StatusOr<kinds::KindSettings> settings =
          kinds::KindSettings::Of(destination, kind->config_type);
      if (settings.ok()) {
        report.result = kind->probe(
            **settings, DestinationContextOf(loaded.config, destination, *kind, data_dir));
      } else {
        report.result = {false, std::string(settings.status().message())};
      }
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace navette::engine::config
