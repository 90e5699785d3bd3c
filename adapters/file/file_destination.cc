#include "adapters/file/file_destination.h"

#include "adapters/file/directory_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/message_id.h"

namespace navette::adapters::file {
namespace {

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string ErrnoText(int error) { return std::strerror(error); }

// Transient: every failure here is about the local disk (full, read-only,
// permissions), which an operator can fix; the message itself is never at
// fault.
DeliveryResult Failed(std::string_view what, const std::filesystem::path& path, int error) {
  return DeliveryResult::Transient(fmt::format("{} {}: {}", what, path.string(), ErrnoText(error)));
}

}  // namespace

std::filesystem::path FileDestination::DirectoryOf(const navette::config::FileDestination& config,
                                                   const std::filesystem::path& base_dir) {
  std::filesystem::path directory(config.directory());
  return directory.is_relative() ? base_dir / directory : directory;
}

absl::StatusOr<std::unique_ptr<FileDestination>> FileDestination::Create(
    const navette::config::FileDestination& config, const std::filesystem::path& base_dir,
    std::string_view name) {
  const std::filesystem::path directory = DirectoryOf(config, base_dir);
  // The rule `navette check` applies in its dry run, so that both refuse a
  // directory in the same words (directory_check.h).
  if (absl::Status made = CreateDirectory(directory); !made.ok()) return made;
  const std::string suffix = config.suffix().empty() ? ".hl7" : config.suffix();
  // Once, at start: a directory does not change file systems under a
  // running engine (a mount over it would hide its files anyway).
  SyncChoice sync;
  if (auto type = FileSystemTypeOf(directory); type.ok()) {
    sync = ChooseSyncMode(*type, config.sync());
  } else {
    sync = ChooseSyncMode(0, config.sync());
    spdlog::warn("file destination '{}': {}", name, std::string(type.status().message()));
  }
  spdlog::info("file destination '{}': {} is on {}: {} ({})", name, directory.string(),
               sync.file_system,
               sync.mode == SyncMode::kPerFile ? "each file is flushed with fdatasync"
                                               : "a batch is flushed with one syncfs",
               sync.reason);
  return std::unique_ptr<FileDestination>(new FileDestination(directory, suffix, std::move(sync)));
}

DeliveryResult FileDestination::Deliver(const DeliveryRequest& request) {
  return DeliverBatch({&request, 1}).front();
}

// Write every temporary file, make them all durable with one syncfs, rename
// each into place, then make the renames durable with one directory fsync:
// two flushes for the batch instead of one per file. A file only ever
// appears under its final name with all its bytes on disk.
//
// Why syncfs and not an fdatasync per file: on the project's machines each
// fdatasync of a new small file costs about 140 µs of CPU (a data write, an
// inode write and a cache flush, each a trip to the virtual disk), which
// held a file destination to about 2,000 files/s under load; with one
// syncfs a batch, files cost about 55 µs each and the engine delivers as
// fast as it takes messages in (docs/performance.md, "File destination").
// syncfs also writes out whatever else is dirty on that file system; the
// configuration page says so. Where syncfs does not reach the disk (FUSE,
// network file systems: sync_mode.h) each file gets its fdatasync instead,
// and the directory its fsync as here.
std::vector<DeliveryResult> FileDestination::DeliverBatch(
    std::span<const DeliveryRequest> requests) {
  std::vector<DeliveryResult> results(requests.size());
  std::vector<std::string> names(requests.size());
  std::vector<bool> written(requests.size(), false);
  auto temp_path_of = [&](size_t i) { return directory_ / ("." + names[i] + ".tmp"); };
  auto fail_written = [&](std::string_view what, const std::filesystem::path& path, int error) {
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!written[i]) continue;
      results[i] = Failed(what, path, error);
      ::unlink(temp_path_of(i).c_str());
      written[i] = false;
    }
  };

  // Opened before any write: syncfs reports the filesystem's write-back
  // errors that happened after this descriptor was opened, so an error
  // writing one of this batch's files cannot go unseen.
  Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    const int error = errno;
    for (DeliveryResult& result : results) result = Failed("cannot open", directory_, error);
    return results;
  }

  for (size_t i = 0; i < requests.size(); ++i) {
    names[i] = store::FormatMessageId(requests[i].message_id) + suffix_;
    // One temporary name per message: concurrent deliveries of different
    // messages never share one, and a leftover from a crash is overwritten.
    const std::filesystem::path temp_path = temp_path_of(i);
    const std::string& bytes = requests[i].message->envelope().raw();
    // 0640 less the process umask, which `navette serve` sets: 0600, or
    // 0640 with engine.data_group_readable (docs/operations.md).
    Fd fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
    if (fd.get() < 0) {
      results[i] = Failed("cannot create", temp_path, errno);
      continue;
    }
    size_t done = 0;
    int error = 0;
    std::string_view failed = "cannot write";
    while (done < bytes.size() && error == 0) {
      ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno != EINTR) error = errno;
      if (n > 0) done += static_cast<size_t>(n);
    }
    // Where syncfs does not reach the disk, each file on its own, before
    // its rename (sync_mode.h).
    if (error == 0 && sync_.mode == SyncMode::kPerFile && ::fdatasync(fd.get()) != 0) {
      error = errno;
      failed = "cannot flush";
    }
    if (error == 0 && ::close(fd.release()) != 0) error = errno;
    if (error != 0) {
      results[i] = Failed(failed, temp_path, error);
      ::unlink(temp_path.c_str());
      continue;
    }
    written[i] = true;
  }
  if (std::find(written.begin(), written.end(), true) == written.end()) return results;

  if (sync_.mode == SyncMode::kSyncfs && ::syncfs(dir.get()) != 0) {
    fail_written("cannot flush the filesystem of", directory_, errno);
    return results;
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!written[i]) continue;
    const std::filesystem::path final_path = directory_ / names[i];
    if (::rename(temp_path_of(i).c_str(), final_path.c_str()) != 0) {
      results[i] = Failed("cannot rename into", final_path, errno);
      ::unlink(temp_path_of(i).c_str());
      written[i] = false;
      continue;
    }
    results[i] = DeliveryResult::Delivered(
        fmt::format("wrote {} ({} bytes)", names[i], requests[i].message->envelope().raw().size()));
  }
  if (::fsync(dir.get()) != 0) {
    // The files are in place but their names may not survive a power loss:
    // report failure so they are delivered (rewritten) again.
    const int error = errno;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (written[i]) results[i] = Failed("cannot fsync", directory_, error);
    }
  }
  return results;
}

}  // namespace navette::adapters::file
