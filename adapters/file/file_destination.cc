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

// Whether `directory` takes unnamed files and links them into place: the
// file system has O_TMPFILE and /proc/self/fd is there to name them. Tried
// once with a real file, which is removed.
bool CanLinkUnnamedFiles(const std::filesystem::path& directory) {
  Fd file(::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (file.get() < 0) return false;
  const std::filesystem::path probe =
      directory / fmt::format(".navette-link-probe-{}", static_cast<long>(::getpid()));
  ::unlink(probe.c_str());
  const std::string proc = fmt::format("/proc/self/fd/{}", file.get());
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, probe.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    return false;
  }
  ::unlink(probe.c_str());
  return true;
}

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
  // Only with syncfs: after a link, the file's inode must reach the disk too,
  // which a directory fsync does not promise (DeliverBatch).
  const bool unnamed = sync.mode == SyncMode::kSyncfs && CanLinkUnnamedFiles(directory);
  spdlog::info("file destination '{}': {} is on {}: {} ({}){}", name, directory.string(),
               sync.file_system,
               sync.mode == SyncMode::kPerFile ? "each file is flushed with fdatasync"
                                               : "a batch is flushed with one syncfs",
               sync.reason, unnamed ? "; files are written unnamed, then linked" : "");
  return std::unique_ptr<FileDestination>(
      new FileDestination(directory, suffix, std::move(sync), unnamed));
}

DeliveryResult FileDestination::Deliver(const DeliveryRequest& request) {
  return DeliverBatch({&request, 1}).front();
}

// Write every file unnamed, make them all durable with one syncfs, then
// give each its name, then make the names durable: two flushes for the
// batch instead of one per file. A file only ever appears under its final
// name with all its bytes on disk.
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
// and the directory its fsync.
//
// Why unnamed (O_TMPFILE, then linkat): a named temporary file costs the
// directory three entry operations (create it, then a rename that adds the
// final name and removes the temporary one), an unnamed one costs one (the
// link). In a directory of tens of thousands of files each is a search of
// its hashed index: half the kernel time of a delivery went there
// (docs/performance.md, "Throughput"). Where the file system has no
// O_TMPFILE, or no descriptor is left, a file takes the named way.
std::vector<DeliveryResult> FileDestination::DeliverBatch(
    std::span<const DeliveryRequest> requests) {
  std::vector<DeliveryResult> results(requests.size());
  std::vector<StagedFile> staged(requests.size());
  // Closes the unnamed files' descriptors on every path out; one not linked
  // by then is gone with its descriptor.
  struct CloseAll {
    std::vector<StagedFile>& files;
    ~CloseAll() {
      for (StagedFile& file : files) {
        if (file.unnamed_fd >= 0) ::close(file.unnamed_fd);
      }
    }
  } close_all{staged};

  // Opened before any write: syncfs reports the filesystem's write-back
  // errors that happened after this descriptor was opened, so an error
  // writing one of this batch's files cannot go unseen.
  Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    const int error = errno;
    for (DeliveryResult& result : results) result = Failed("cannot open", directory_, error);
    return results;
  }

  bool any_written = false;
  for (size_t i = 0; i < requests.size(); ++i) {
    staged[i].name = store::FormatMessageId(requests[i].message_id) + suffix_;
    if (std::optional<DeliveryResult> failed = Stage(dir.get(), requests[i], staged[i])) {
      results[i] = std::move(*failed);
      continue;
    }
    any_written = true;
  }
  if (!any_written) return results;

  if (sync_.mode == SyncMode::kSyncfs && ::syncfs(dir.get()) != 0) {
    const int error = errno;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!staged[i].written) continue;
      results[i] = Failed("cannot flush the filesystem of", directory_, error);
      if (staged[i].unnamed_fd < 0) ::unlinkat(dir.get(), TempName(staged[i]).c_str(), 0);
    }
    return results;
  }
  bool any_linked = false;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!staged[i].written) continue;
    if (std::optional<DeliveryResult> failed = Place(dir.get(), staged[i])) {
      results[i] = std::move(*failed);
      staged[i].written = false;
      continue;
    }
    any_linked = any_linked || staged[i].unnamed_fd >= 0;
    results[i] = DeliveryResult::Delivered(fmt::format(
        "wrote {} ({} bytes)", staged[i].name, requests[i].message->envelope().raw().size()));
  }
  // A link also changes the file's inode (its link count), which a
  // directory fsync does not write everywhere (ext4 without a journal):
  // syncfs writes both, where it reaches the disk, which is the only mode
  // that stages unnamed files.
  const bool names_durable = any_linked ? ::syncfs(dir.get()) == 0 : ::fsync(dir.get()) == 0;
  if (!names_durable) {
    // The files are in place but their names may not survive a power loss:
    // report failure so they are delivered (rewritten) again.
    const int error = errno;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (staged[i].written) results[i] = Failed("cannot fsync", directory_, error);
    }
  }
  return results;
}

std::optional<DeliveryResult> FileDestination::Stage(int dir, const DeliveryRequest& request,
                                                     StagedFile& file) const {
  // 0640 less the process umask, which `navette serve` sets: 0600, or
  // 0640 with engine.data_group_readable (docs/operations.md).
  int fd = -1;
  if (unnamed_files_) {
    fd = ::openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
    file.unnamed_fd = fd;  // closed by DeliverBatch whatever happens next
  }
  if (fd < 0) {
    // One temporary name per message: concurrent deliveries of different
    // messages never share one, and a leftover from a crash is overwritten.
    fd = ::openat(dir, TempName(file).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return Failed("cannot create", directory_ / TempName(file), errno);
  }
  Fd named(file.unnamed_fd >= 0 ? -1 : fd);
  const std::string& bytes = request.message->envelope().raw();
  size_t done = 0;
  int error = 0;
  std::string_view failed = "cannot write";
  while (done < bytes.size() && error == 0) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno != EINTR) error = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  // Where syncfs does not reach the disk, each file on its own, before
  // its rename (sync_mode.h).
  if (error == 0 && sync_.mode == SyncMode::kPerFile && ::fdatasync(fd) != 0) {
    error = errno;
    failed = "cannot flush";
  }
  if (error == 0 && named.get() >= 0 && ::close(named.release()) != 0) error = errno;
  if (error != 0) {
    if (file.unnamed_fd >= 0) return Failed(failed, directory_ / file.name, error);
    ::unlinkat(dir, TempName(file).c_str(), 0);
    return Failed(failed, directory_ / TempName(file), error);
  }
  file.written = true;
  return std::nullopt;
}

std::optional<DeliveryResult> FileDestination::Place(int dir, const StagedFile& file) const {
  const std::filesystem::path final_path = directory_ / file.name;
  if (file.unnamed_fd >= 0) {
    // linkat needs a name for an unnamed file: its /proc/self/fd link
    // (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
    const std::string proc = fmt::format("/proc/self/fd/{}", file.unnamed_fd);
    if (::linkat(AT_FDCWD, proc.c_str(), dir, file.name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      return std::nullopt;
    }
    if (errno != EEXIST) return Failed("cannot link into", final_path, errno);
    // Delivered again (after a crash): a link never replaces a file, a
    // rename does, atomically. Through a temporary name, then.
    ::unlinkat(dir, TempName(file).c_str(), 0);
    if (::linkat(AT_FDCWD, proc.c_str(), dir, TempName(file).c_str(), AT_SYMLINK_FOLLOW) != 0) {
      return Failed("cannot link into", directory_ / TempName(file), errno);
    }
  }
  if (::renameat(dir, TempName(file).c_str(), dir, file.name.c_str()) != 0) {
    const int error = errno;
    ::unlinkat(dir, TempName(file).c_str(), 0);
    return Failed("cannot rename into", final_path, error);
  }
  return std::nullopt;
}

}  // namespace navette::adapters::file
