// File destination: writes each delivered message to its own file,
// <directory>/<message id><suffix>, atomically: the bytes go to a temporary
// file in the same directory (an unnamed one where the file system has
// O_TMPFILE), which is made durable and then linked or renamed into place,
// and the names are made durable. A reader never sees a partial file,
// even after a power loss, and a delivery recorded as done survives one.
// Delivering the same message again rewrites the same file with the same
// bytes. A batch shares its flushes: one syncfs for all the temporary files
// (or an fdatasync of each where syncfs does not reach the disk:
// sync_mode.h), one flush for all the names (a syncfs after links, a
// directory fsync after renames).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
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
  // Whether files are written unnamed (O_TMPFILE) and linked into place:
  // where a batch is flushed with syncfs and the directory's file system
  // showed at Create that it can (FileDestination::Create).
  bool unnamed_files() const { return unnamed_files_; }

 private:
  // One file of a batch on its way: written under a temporary name, or
  // unnamed and held by its descriptor until it is linked.
  struct StagedFile {
    std::string name;      // the final name, in the directory
    int unnamed_fd = -1;   // an O_TMPFILE's descriptor; -1: a named temporary file
    bool written = false;  // all its bytes written (and flushed if per file)
  };
  static std::string TempName(const StagedFile& file) { return "." + file.name + ".tmp"; }

  FileDestination(std::filesystem::path directory, std::string suffix, SyncChoice sync,
                  bool unnamed_files)
      : directory_(std::move(directory)),
        suffix_(std::move(suffix)),
        sync_(std::move(sync)),
        unnamed_files_(unnamed_files) {}
  // Writes one file, unnamed or under its temporary name; the failure, if any.
  std::optional<DeliveryResult> Stage(int dir, const DeliveryRequest& request,
                                      StagedFile& file) const;
  // Gives a written file its final name; the failure, if any.
  std::optional<DeliveryResult> Place(int dir, const StagedFile& file) const;

  std::filesystem::path directory_;
  std::string suffix_;
  const SyncChoice sync_;
  const bool unnamed_files_;
};

}  // namespace navette::adapters::file
