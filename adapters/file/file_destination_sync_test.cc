// How the file destination flushes its files (sync_mode.h), seen from the
// outside: forced by the configuration on a local directory, and chosen on a
// real FUSE mount, where bindfs in debug mode logs every request it gets, so
// that the test sees each file's fdatasync reach the FUSE daemon (FSYNC)
// and sees that a syncfs does not. Skipped, saying why, where no FUSE file
// system can be mounted (no bindfs, no /dev/fuse, no permission).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "adapters/file/file_destination.h"
#include "adapters/file/sync_mode.h"
#include "store/message_id.h"

extern char** environ;

namespace navette::adapters::file {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kFuseMagic = 0x65735546;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Requests of one opcode in a libfuse debug log ("opcode: FSYNC (20)").
int CountOpcode(const std::string& log, std::string_view opcode) {
  int count = 0;
  const std::string needle = fmt::format("opcode: {} (", opcode);
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

std::vector<navette::store::StoredMessage> Messages(int count) {
  std::vector<navette::store::StoredMessage> messages(count);
  for (int i = 0; i < count; ++i) {
    messages[i].mutable_envelope()->set_raw(
        fmt::format("MSH|^~\\&|A|B|C|D|||ORU^R01|{}|P|2.5\r", i));
  }
  return messages;
}

// Delivers `messages` as one batch with ids first_id, first_id + 1...;
// every one must be delivered.
void DeliverAll(FileDestination& destination,
                const std::vector<navette::store::StoredMessage>& messages, uint64_t first_id) {
  std::vector<DeliveryRequest> requests;
  for (size_t i = 0; i < messages.size(); ++i) {
    requests.push_back(DeliveryRequest{first_id + i, "r", &messages[i], 0});
  }
  for (const DeliveryResult& result : destination.DeliverBatch(requests)) {
    ASSERT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered) << result.detail;
  }
}

class FileDestinationSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            fmt::format("navette-file-sync-{}-{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ / "backing");
    std::filesystem::create_directories(base_ / "mount");
  }
  void TearDown() override {
    Unmount();
    std::filesystem::remove_all(base_);
  }

  // Mounts base_/backing on base_/mount with `bindfs -d` (foreground, every
  // request logged to base_/bindfs.log); false, with `why` set, when FUSE
  // cannot be mounted here.
  bool MountFuse(std::string& why) {
    const std::string bindfs = "/usr/bin/bindfs";
    if (::access(bindfs.c_str(), X_OK) != 0) {
      why = "bindfs is not installed (apt-get install bindfs; scripts/install-deps.sh)";
      return false;
    }
    if (::access("/dev/fuse", R_OK | W_OK) != 0) {
      why = "/dev/fuse cannot be opened by this user";
      return false;
    }
    log_ = base_ / "bindfs.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const std::string backing = (base_ / "backing").string(), mount = (base_ / "mount").string();
    std::vector<char*> argv = {const_cast<char*>(bindfs.c_str()), const_cast<char*>("-d"),
                               const_cast<char*>(backing.c_str()), const_cast<char*>(mount.c_str()),
                               nullptr};
    const int spawned =
        posix_spawn(&bindfs_pid_, bindfs.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      bindfs_pid_ = -1;
      why = fmt::format("cannot start bindfs: {}", std::strerror(spawned));
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      struct statfs info {};
      if (::statfs(mount.c_str(), &info) == 0 &&
          static_cast<int64_t>(static_cast<uint32_t>(info.f_type)) == kFuseMagic) {
        return true;
      }
      int status = 0;
      if (::waitpid(bindfs_pid_, &status, WNOHANG) == bindfs_pid_) {
        bindfs_pid_ = -1;
        why = "bindfs could not mount: " + ReadFile(log_);
        return false;
      }
      std::this_thread::sleep_for(10ms);
    }
    why = "the FUSE mount did not appear within 10 s: " + ReadFile(log_);
    return false;
  }

  void Unmount() {
    if (bindfs_pid_ <= 0) return;
    // Unmounting ends bindfs; should it not, it is stopped.
    if (::umount2((base_ / "mount").c_str(), 0) != 0) {
      ::umount2((base_ / "mount").c_str(), MNT_DETACH);
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int status = 0;
    while (::waitpid(bindfs_pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(bindfs_pid_, SIGKILL);
        ::waitpid(bindfs_pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    bindfs_pid_ = -1;
  }

  std::filesystem::path base_;
  std::filesystem::path log_;
  pid_t bindfs_pid_ = -1;
};

TEST_F(FileDestinationSyncTest, TheConfigurationForcesPerFileOnALocalDirectory) {
  navette::config::FileDestination config;
  config.set_directory((base_ / "backing" / "out").string());
  config.set_sync(navette::config::FileDestination::PER_FILE);
  auto destination = FileDestination::Create(config, base_, "forced");
  ASSERT_TRUE(destination.ok()) << destination.status();
  EXPECT_EQ((*destination)->sync().mode, SyncMode::kPerFile);
  EXPECT_EQ((*destination)->sync().reason, "file.sync: per_file in the configuration");
  const auto messages = Messages(5);
  DeliverAll(**destination, messages, 100);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        ReadFile(base_ / "backing" / "out" / (navette::store::FormatMessageId(100 + i) + ".hl7")),
        messages[i].envelope().raw());
  }

  // Auto on the same directory: what its file system's row says.
  config.set_sync(navette::config::FileDestination::AUTO);
  auto automatic = FileDestination::Create(config, base_, "auto");
  ASSERT_TRUE(automatic.ok()) << automatic.status();
  auto type = FileSystemTypeOf(base_ / "backing" / "out");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*automatic)->sync().mode,
            ChooseSyncMode(*type, navette::config::FileDestination::AUTO).mode);
}

TEST_F(FileDestinationSyncTest, OnFuseEachFileReachesTheDaemonsFsync) {
  std::string why;
  if (!MountFuse(why)) GTEST_SKIP() << "no FUSE mount here: " << why;

  navette::config::FileDestination config;
  config.set_directory((base_ / "mount" / "outbox").string());
  auto destination = FileDestination::Create(config, base_, "fuse-outbox");
  ASSERT_TRUE(destination.ok()) << destination.status();
  EXPECT_EQ((*destination)->sync().mode, SyncMode::kPerFile);
  EXPECT_EQ((*destination)->sync().file_system, "fuse");

  constexpr int kFiles = 8;
  const int fsyncs_before = CountOpcode(ReadFile(log_), "FSYNC");
  const auto messages = Messages(kFiles);
  DeliverAll(**destination, messages, 1);
  // Each file's fdatasync went to the daemon, which fsyncs the file under
  // it: what makes it survive a power cut.
  EXPECT_GE(CountOpcode(ReadFile(log_), "FSYNC") - fsyncs_before, kFiles) << ReadFile(log_);
  for (int i = 0; i < kFiles; ++i) {
    // Through the daemon, in the directory it serves.
    EXPECT_EQ(
        ReadFile(base_ / "backing" / "outbox" / (navette::store::FormatMessageId(1 + i) + ".hl7")),
        messages[i].envelope().raw());
  }

  // Why: forced to syncfs on the same mount, the batch is "flushed" without
  // one request to the daemon to sync a file.
  config.set_sync(navette::config::FileDestination::SYNCFS);
  auto forced = FileDestination::Create(config, base_, "fuse-syncfs");
  ASSERT_TRUE(forced.ok()) << forced.status();
  ASSERT_EQ((*forced)->sync().mode, SyncMode::kSyncfs);
  const int fsyncs_after = CountOpcode(ReadFile(log_), "FSYNC");
  DeliverAll(**forced, messages, 100);
  EXPECT_EQ(CountOpcode(ReadFile(log_), "FSYNC"), fsyncs_after);
}

}  // namespace
}  // namespace navette::adapters::file
