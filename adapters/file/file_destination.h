// File destination: writes each delivered message to its own file,
// <directory>/<message id><suffix>, atomically: the bytes go to a temporary
// file in the same directory, which is made durable and then renamed into
// place, and the directory is fsynced. A reader never sees a partial file,
// even after a power loss, and a delivery recorded as done survives one.
// Delivering the same message again rewrites the same file with the same
// bytes. A batch shares its flushes: one syncfs for all the temporary files
// (or an fdatasync of each where syncfs does not reach the disk:
// sync_mode.h), one directory fsync for all the renames.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/destination.h"
#include "adapters/file/sync_mode.h"
#include "proto/config.pb.h"

namespace navette::adapters::file {

class FileDestination : public Destination {
 public:
  // A relative directory in `config` is resolved against `base_dir` (the
  // engine's data directory). The directory is created if missing; one that
  // cannot be is a kinds::SettingError on "directory" (directory_check.h).
  // How files are flushed is chosen here from the directory's file system
  // and `config.sync()`, and logged once, naming the destination `name`.
  static absl::StatusOr<std::unique_ptr<FileDestination>> Create(
      const navette::config::FileDestination& config, const std::filesystem::path& base_dir,
      std::string_view name = "");
  // The directory the files go to: `config.directory()`, resolved.
  static std::filesystem::path DirectoryOf(const navette::config::FileDestination& config,
                                           const std::filesystem::path& base_dir);

  DeliveryResult Deliver(const DeliveryRequest& request) override;
  std::vector<DeliveryResult> DeliverBatch(std::span<const DeliveryRequest> requests) override;
  const std::filesystem::path& directory() const { return directory_; }
  const SyncChoice& sync() const { return sync_; }

 private:
  FileDestination(std::filesystem::path directory, std::string suffix, SyncChoice sync)
      : directory_(std::move(directory)), suffix_(std::move(suffix)), sync_(std::move(sync)) {}

  std::filesystem::path directory_;
  std::string suffix_;
  const SyncChoice sync_;
};

}  // namespace navette::adapters::file
