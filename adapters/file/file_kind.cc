#include "adapters/file/file_kind.h"

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/file/directory_check.h"
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
    // DRY RUN (`navette check`): nothing is created; the directory is
    // checked by the rule FileDestination::Create applies when it makes it.
    absl::Status usable = CheckDirectory(FileDestination::DirectoryOf(config, context.data_dir));
    if (!usable.ok()) return usable;
    return std::unique_ptr<Destination>();
  }
  return FileDestination::Create(config, context.data_dir, context.name);
}

}  // namespace

kinds::DestinationKind FileDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = "file",
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      // Files share their flushes across a batch (one syncfs for the data,
      // one for the names, where syncfs reaches the disk:
      // file_destination.cc, sync_mode.h); 256 files a batch drains a
      // backlog about 1.5x faster than 64 on the project's machines
      // (docs/performance.md). Two batches at a time, so that one's flushes
      // overlap the other's writes: under a sustained load of 64
      // connections the outbox kept pace (a queue under 500) where one
      // batch at a time fell 10,000 behind (docs/performance.md,
      // "Throughput"). Writing files takes the engine's own cores and disk,
      // so a backlog past 10,000 slows intake to the files' pace
      // (engine/intake_gate.h) instead of starving them.
      .traits = {.batch_size = 256, .default_max_in_flight = 2, .default_max_backlog = 10000},
  });
}

}  // namespace navette::adapters::file
