#include "adapters/file/file_kind.h"

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/file/file_destination.h"

namespace navette::adapters::file {
namespace {

// The kind's settings, as configured.
using Settings = navette::config::FileDestination;

void ApplyDefaults(Settings& config) {
  if (config.suffix().empty()) config.set_suffix(std::string(kDefaultSuffix));
}

void Check(const Settings& config, kinds::CheckReporter& reporter) {
  if (config.directory().empty()) reporter.Error("directory", "file.directory is required");
  if (config.suffix().find('/') != std::string::npos) {
    reporter.Error("suffix", fmt::format("file.suffix '{}' must not contain '/'", config.suffix()));
  }
}

absl::StatusOr<std::unique_ptr<Destination>> Create(const Settings& config,
                                                    const kinds::DestinationContext& context) {
  if (context.dry_run) {
    // DRY RUN (`navette check`): nothing is created. h5: check here that
    // the directory (config.directory(), relative to context.data_dir)
    // exists or can be created, and report a failure as
    // kinds::SettingError("directory", ...).
    return std::unique_ptr<Destination>();
  }
  return FileDestination::Create(config, context.data_dir);
}

}  // namespace

kinds::DestinationKind FileDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = "file",
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      // Files share their flushes across a batch (one syncfs, one directory
      // fsync: file_destination.cc); 256 files a batch drains a backlog
      // about 1.5x faster than 64 on the project's machines
      // (docs/performance.md). One attempt at a time: the batch is the
      // concurrency.
      .traits = {.batch_size = 256, .default_max_in_flight = 1},
  });
}

}  // namespace navette::adapters::file
