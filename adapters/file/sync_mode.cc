#include "adapters/file/sync_mode.h"

#include <sys/vfs.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace navette::adapters::file {
namespace {

using Sync = navette::config::FileDestination::Sync;

// statfs f_type values (the kernel's include/uapi/linux/magic.h; FUSE's and
// ZFS's are not in it).
struct KnownFileSystem {
  int64_t type;
  std::string_view name;
  SyncMode mode;
  std::string_view reason;
};

constexpr std::string_view kLocal = "syncfs reaches the disk on a local file system";
constexpr std::string_view kMemory = "a file system in memory: there is no disk to reach";
constexpr std::string_view kFuse = "syncfs does not reach FUSE file systems";
constexpr std::string_view kNetwork =
    "syncfs has no durability contract on network file systems; fdatasync has";
constexpr std::string_view kOverlay =
    "what syncfs does to an overlay's upper layer depends on "
    "the kernel and the mount";
constexpr std::string_view kUnknown =
    "an unknown file system: fdatasync is the call every file system honours";

constexpr KnownFileSystem kKnown[] = {
    {0xEF53, "ext4", SyncMode::kSyncfs, kLocal},  // ext2, ext3 and ext4 share it
    {0x58465342, "xfs", SyncMode::kSyncfs, kLocal},
    {0x9123683E, "btrfs", SyncMode::kSyncfs, kLocal},
    {0xF2F52010, "f2fs", SyncMode::kSyncfs, kLocal},
    {0x2FC12FC1, "zfs", SyncMode::kSyncfs, kLocal},
    {0x01021994, "tmpfs", SyncMode::kSyncfs, kMemory},
    {0x65735546, "fuse", SyncMode::kPerFile, kFuse},  // fuse, fuseblk, virtiofs
    {0x6969, "nfs", SyncMode::kPerFile, kNetwork},
    {0xFF534D42, "cifs", SyncMode::kPerFile, kNetwork},
    {0xFE534D42, "smb2", SyncMode::kPerFile, kNetwork},
    {0x00C36400, "ceph", SyncMode::kPerFile, kNetwork},
    {0x01021997, "9p", SyncMode::kPerFile, kNetwork},
    {0x794C7630, "overlayfs", SyncMode::kPerFile, kOverlay},
};

}  // namespace

SyncChoice ChooseSyncMode(int64_t file_system_type, Sync configured) {
  SyncChoice choice{.mode = SyncMode::kPerFile,
                    .file_system = fmt::format("type {:#x}", file_system_type),
                    .reason = kUnknown};
  for (const KnownFileSystem& known : kKnown) {
    if (known.type != file_system_type) continue;
    choice = {.mode = known.mode, .file_system = std::string(known.name), .reason = known.reason};
    break;
  }
  switch (configured) {
    case navette::config::FileDestination::SYNCFS:
      choice.mode = SyncMode::kSyncfs;
      choice.reason = "file.sync: syncfs in the configuration";
      break;
    case navette::config::FileDestination::PER_FILE:
      choice.mode = SyncMode::kPerFile;
      choice.reason = "file.sync: per_file in the configuration";
      break;
    case navette::config::FileDestination::AUTO:
    case navette::config::FileDestination::SYNC_UNSPECIFIED:
    default:  // proto3 enums are open: an unknown value reads as auto
      break;
  }
  return choice;
}

absl::StatusOr<int64_t> FileSystemTypeOf(const std::filesystem::path& path) {
  struct statfs info {};
  if (::statfs(path.c_str(), &info) != 0) {
    return absl::UnavailableError(
        fmt::format("cannot read the file system of {}: {}", path.string(), std::strerror(errno)));
  }
  // f_type is a signed word on some architectures: keep its 32 bits.
  return static_cast<int64_t>(static_cast<uint32_t>(info.f_type));
}

std::string_view SyncModeName(SyncMode mode) {
  switch (mode) {
    case SyncMode::kSyncfs:
      return "syncfs";
    case SyncMode::kPerFile:
      return "per_file";
  }
  return "per_file";
}

}  // namespace navette::adapters::file
