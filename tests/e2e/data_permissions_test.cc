// The data directory and the outboxes hold whole messages: under the usual
// umask 022, nothing the engine creates there may be open to other users
// (the store's WAL, its tables, the delivered files, the admin token), and
// an engine given a data directory that others can reach refuses to start
// unless the configuration accepts it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "adapters/mllp/client.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using namespace std::chrono_literals;

struct Entry {
  std::filesystem::path path;
  mode_t mode = 0;  // permission bits
  bool directory = false;
};

std::string Octal(mode_t mode) { return fmt::format("{:04o}", mode); }

// `root` and everything under it, symbolic links not followed.
std::vector<Entry> Walk(const std::filesystem::path& root) {
  std::vector<Entry> entries;
  auto add = [&](const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      ADD_FAILURE() << "cannot stat " << path;
      return;
    }
    entries.push_back({path, static_cast<mode_t>(info.st_mode & 07777), S_ISDIR(info.st_mode)});
  };
  add(root);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) add(entry.path());
  return entries;
}

// The entries whose mode has any of `forbidden`, one a line.
std::string Offending(const std::vector<Entry>& entries, mode_t forbidden) {
  std::string found;
  for (const Entry& entry : entries) {
    if ((entry.mode & forbidden) != 0)
      found += Octal(entry.mode) + " " + entry.path.string() + "\n";
  }
  return found;
}

size_t CountDelivered(const std::filesystem::path& outbox) {
  size_t count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(outbox, error)) {
    if (entry.path().extension() == ".hl7") ++count;
  }
  return count;
}

class DataPermissionsTest : public EngineTest {
 protected:
  DataPermissionsTest() : EngineTest("navette-data-permissions") {}
  void SetUp() override {
    EngineTest::SetUp();
    // The usual umask, which the engine inherits: the test is that it does
    // not rely on it.
    previous_umask_ = ::umask(022);
  }
  void TearDown() override {
    EngineTest::TearDown();
    ::umask(previous_umask_);
  }

  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path outside_outbox() const { return dir_ / "outside-outbox"; }

  // Two file destinations, one inside the data directory (relative) and one
  // outside it (absolute); every message goes to both.
  std::string Config(const std::string& engine_options = "") const {
    return fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "{}"
        "sources:\n"
        "  - name: lab\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "destinations:\n"
        "  - name: inside\n"
        "    file: {{ directory: outbox }}\n"
        "  - name: outside\n"
        "    file: {{ directory: \"{}\" }}\n"
        "routes:\n"
        "  - {{ name: all, to: [inside, outside] }}\n",
        admin_port_, engine_options, mllp_port_, outside_outbox().string());
  }

  void SendOrus(int first, int count) {
    auto client = adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    ASSERT_TRUE(client.ok()) << client.status();
    for (int i = first; i < first + count; ++i) {
      auto ack = (*client)->Exchange(MakeOru(fmt::format("PERM-{}", i)), 10s);
      ASSERT_TRUE(ack.ok()) << ack.status();
      ASSERT_NE(ack->find("MSA|AA|"), std::string::npos) << *ack;
    }
  }
  void WaitForDeliveries(size_t count) {
    ASSERT_TRUE(WaitFor(
        [&] {
          return CountDelivered(data_dir() / "outbox") == count &&
                 CountDelivered(outside_outbox()) == count;
        },
        30s))
        << engine_->Log();
  }

  // Messages received, delivered to both outboxes, a restart, more
  // messages, then a stop: what the engine leaves behind.
  std::vector<Entry> RunWithRestart(const std::string& engine_options = "") {
    StartEngineWith(Config(engine_options));
    if (HasFatalFailure()) return {};
    SendOrus(0, 3);
    WaitForDeliveries(3);
    EXPECT_TRUE(engine_->Stop().ok());
    EXPECT_TRUE(engine_->Start().ok()) << engine_->Log();
    SendOrus(3, 3);
    WaitForDeliveries(6);
    EXPECT_TRUE(engine_->Stop().ok());
    std::vector<Entry> entries = Walk(data_dir());
    for (Entry& entry : Walk(outside_outbox())) entries.push_back(std::move(entry));
    // Not vacuous: the store's WAL, the token and every delivered file are
    // among what was checked.
    auto named = [&](auto pred) {
      size_t n = 0;
      for (const Entry& entry : entries) n += pred(entry.path) ? 1 : 0;
      return n;
    };
    EXPECT_GE(named([](const auto& p) { return p.extension() == ".log"; }), 1u) << "no WAL";
    EXPECT_EQ(named([](const auto& p) { return p.filename() == "admin.token"; }), 1u);
    EXPECT_EQ(named([](const auto& p) { return p.extension() == ".hl7"; }), 12u);
    return entries;
  }

  // Runs `navette serve` on the data directory, which must refuse to start:
  // its exit code and error output.
  CommandResult ServeRefused(const std::string& engine_options = "") {
    engine_ = std::make_unique<EngineProcess>(dir_, Config(engine_options));
    absl::Status started = engine_->Start(20s);
    engine_.reset();
    // First with a deadline, so that an engine that starts fails the test
    // instead of hanging it; then again to read how it ended.
    if (started.ok()) {
      ADD_FAILURE() << "the engine started on a data directory open to others";
      return {};
    }
    return RunNavette(
        {"serve", "--config", (dir_ / "config.yaml").string(), "--data-dir", data_dir().string()});
  }

  mode_t previous_umask_ = 0;
};

TEST_F(DataPermissionsTest, NothingTheEngineWritesIsOpenToOthers) {
  const std::vector<Entry> entries = RunWithRestart();
  EXPECT_EQ(Offending(entries, 0077), "") << "open to the group or to others";
}

TEST_F(DataPermissionsTest, GroupReadableOptionLetsTheGroupReadOnly) {
  const std::vector<Entry> entries = RunWithRestart("  data_group_readable: true\n");
  EXPECT_EQ(Offending(entries, 0027), "") << "writable by the group or open to others";
  // The group can read the messages: the directories on the way to them and
  // the delivered files.
  for (const Entry& entry : entries) {
    if (entry.directory) {
      EXPECT_EQ(Octal(entry.mode), "0750") << entry.path;
    } else if (entry.path.extension() == ".hl7") {
      EXPECT_EQ(Octal(entry.mode), "0640") << entry.path;
    } else if (entry.path.filename() == "admin.token") {
      EXPECT_EQ(Octal(entry.mode), "0600") << "a credential stays the user's own";
    }
  }
}

TEST_F(DataPermissionsTest, RefusesADataDirectoryOpenToOthers) {
  for (const mode_t mode : {0755, 0701, 0702}) {
    std::filesystem::create_directories(data_dir());
    ASSERT_EQ(::chmod(data_dir().c_str(), mode), 0);
    CommandResult refused = ServeRefused();
    if (HasFailure()) return;
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find(fmt::format("data directory {} is open to other users (mode {:04o})",
                                           data_dir().string(), mode)),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find(fmt::format("chmod 700 {}", data_dir().string())), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("engine.unsafe_data_dir_open_to_others: true"), std::string::npos)
        << refused.err;
    // Nothing was created in it.
    EXPECT_TRUE(std::filesystem::is_empty(data_dir())) << Octal(mode);
  }
}

TEST_F(DataPermissionsTest, AGroupDirectoryIsAccepted) {
  std::filesystem::create_directories(data_dir());
  ASSERT_EQ(::chmod(data_dir().c_str(), 0750), 0);
  StartEngineWith(Config());
}

TEST_F(DataPermissionsTest, StartsOnAnOpenDataDirectoryWhenTheConfigurationAccepts) {
  std::filesystem::create_directories(data_dir());
  ASSERT_EQ(::chmod(data_dir().c_str(), 0755), 0);
  StartEngineWith(Config("  unsafe_data_dir_open_to_others: true\n"));
  EXPECT_NE(engine_->Log().find(
                fmt::format("data directory {} is open to other users (mode 0755); starting anyway",
                            data_dir().string())),
            std::string::npos)
      << engine_->Log();
  struct stat info {};
  ASSERT_EQ(::stat(data_dir().c_str(), &info), 0);
  EXPECT_EQ(Octal(info.st_mode & 07777), "0755") << "the engine leaves the operator's choice alone";
}

}  // namespace
}  // namespace navette::testing
