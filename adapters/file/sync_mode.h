// How the file destination makes a batch of files durable, chosen once per
// directory from its file system's type (statfs f_type) at start; the why of
// each row is in docs/durability.md.
//
//   file system (f_type)                        mode      why
//   ------------------------------------------  --------  ---------------------------------------
//   ext2/3/4, xfs, btrfs, f2fs, zfs             syncfs    local, on a block device: syncfs writes
//                                                         every dirty file out and flushes the
//                                                         device, and reports write-back errors
//   tmpfs                                       syncfs    memory only: nothing to reach
//   fuse (and fuseblk, virtiofs: one magic)     per_file  the kernel's syncfs never asks the FUSE
//                                                         daemon to sync (no FUSE_FSYNC, except
//                                                         virtiofs since Linux 5.15): files it
//                                                         "synced" can come back empty after a
//                                                         power cut; fdatasync sends FUSE_FSYNC
//   nfs, cifs/smb2, ceph, 9p                    per_file  network file systems have no syncfs
//                                                         contract (nfs, cifs and 9p no sync_fs
//                                                         at all); fdatasync is the call whose
//                                                         durability they promise (NFS COMMIT)
//   overlayfs                                   per_file  what syncfs does to the upper layer
//                                                         depends on the kernel and the mount
//                                                         (nothing at all with `volatile`)
//   anything else                               per_file  unknown: the call every file system
//                                                         must honour
//
// The configuration may force either (FileDestination.sync); per_file costs
// more CPU and I/O a file (docs/performance.md), syncfs where it does not
// reach the disk loses delivered files in a power cut.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace navette::adapters::file {

enum class SyncMode {
  kSyncfs,   // one syncfs for the batch's files
  kPerFile,  // one fdatasync a file
};

struct SyncChoice {
  SyncMode mode = SyncMode::kPerFile;
  // "ext4", "fuse", "nfs"... or "type 0x1234abcd" when unknown.
  std::string file_system;
  // Why, for the log line: "syncfs does not reach FUSE file systems".
  std::string_view reason;
};

// The table above; `configured` SYNCFS or PER_FILE forces the mode (the
// reason then says so), AUTO or unset reads the table.
SyncChoice ChooseSyncMode(int64_t file_system_type,
                          navette::config::FileDestination::Sync configured);

// statfs(2)'s f_type for the file system holding `path`.
absl::StatusOr<int64_t> FileSystemTypeOf(const std::filesystem::path& path);

std::string_view SyncModeName(SyncMode mode);  // "syncfs", "per_file"

}  // namespace navette::adapters::file
