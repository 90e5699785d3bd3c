// The flush mode of a file destination by file system type (sync_mode.h),
// and the configuration forcing it: a pure function, no I/O but one statfs.
#include "adapters/file/sync_mode.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace navette::adapters::file {
namespace {

using Sync = navette::config::FileDestination;

constexpr int64_t kExt4 = 0xEF53, kXfs = 0x58465342, kBtrfs = 0x9123683E, kTmpfs = 0x01021994;
constexpr int64_t kFuse = 0x65735546, kNfs = 0x6969, kCifs = 0xFF534D42, kSmb2 = 0xFE534D42;
constexpr int64_t kCeph = 0x00C36400, k9p = 0x01021997, kOverlay = 0x794C7630;

TEST(SyncModeTest, LocalFileSystemsKeepOneSyncfsABatch) {
  for (int64_t type : {kExt4, kXfs, kBtrfs, kTmpfs}) {
    SyncChoice choice = ChooseSyncMode(type, Sync::AUTO);
    EXPECT_EQ(choice.mode, SyncMode::kSyncfs) << choice.file_system;
  }
  EXPECT_EQ(ChooseSyncMode(kExt4, Sync::AUTO).file_system, "ext4");
  EXPECT_EQ(ChooseSyncMode(kXfs, Sync::AUTO).file_system, "xfs");
}

TEST(SyncModeTest, FuseNetworkAndOverlayFlushEachFile) {
  for (int64_t type : {kFuse, kNfs, kCifs, kSmb2, kCeph, k9p, kOverlay}) {
    SyncChoice choice = ChooseSyncMode(type, Sync::AUTO);
    EXPECT_EQ(choice.mode, SyncMode::kPerFile) << choice.file_system;
  }
  const SyncChoice fuse = ChooseSyncMode(kFuse, Sync::AUTO);
  EXPECT_EQ(fuse.file_system, "fuse");
  EXPECT_EQ(fuse.reason, "syncfs does not reach FUSE file systems");
  EXPECT_EQ(ChooseSyncMode(kNfs, Sync::AUTO).file_system, "nfs");
}

TEST(SyncModeTest, AnUnknownFileSystemFlushesEachFile) {
  const SyncChoice choice = ChooseSyncMode(0x12345678, Sync::AUTO);
  EXPECT_EQ(choice.mode, SyncMode::kPerFile);
  EXPECT_EQ(choice.file_system, "type 0x12345678");
}

TEST(SyncModeTest, UnsetReadsAsAuto) {
  EXPECT_EQ(ChooseSyncMode(kFuse, Sync::SYNC_UNSPECIFIED).mode, SyncMode::kPerFile);
  EXPECT_EQ(ChooseSyncMode(kExt4, Sync::SYNC_UNSPECIFIED).mode, SyncMode::kSyncfs);
}

TEST(SyncModeTest, TheConfigurationForcesEitherWay) {
  const SyncChoice forced_per_file = ChooseSyncMode(kExt4, Sync::PER_FILE);
  EXPECT_EQ(forced_per_file.mode, SyncMode::kPerFile);
  EXPECT_EQ(forced_per_file.file_system, "ext4");  // still said in the log line
  EXPECT_EQ(forced_per_file.reason, "file.sync: per_file in the configuration");
  const SyncChoice forced_syncfs = ChooseSyncMode(kFuse, Sync::SYNCFS);
  EXPECT_EQ(forced_syncfs.mode, SyncMode::kSyncfs);
  EXPECT_EQ(forced_syncfs.reason, "file.sync: syncfs in the configuration");
}

TEST(SyncModeTest, ReadsTheFileSystemOfARealDirectory) {
  auto type = FileSystemTypeOf(std::filesystem::temp_directory_path());
  ASSERT_TRUE(type.ok()) << type.status();
  EXPECT_NE(*type, 0);
  EXPECT_FALSE(FileSystemTypeOf("/no/such/directory/navette").ok());
}

}  // namespace
}  // namespace navette::adapters::file
