#include "adapters/file/directory_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "kinds/registry.h"

namespace navette::adapters::file {
namespace {

class DirectoryCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-directory-check-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "plain-file") << "x";
  }
  void TearDown() override {
    ::chmod(dir_.c_str(), 0700);
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
};

TEST_F(DirectoryCheckTest, AMissingDirectoryUnderAWritableOneCanBeMadeAndIsNotMade) {
  const std::filesystem::path wanted = dir_ / "a" / "b" / "outbox";
  EXPECT_TRUE(CheckDirectory(wanted).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a"));
  EXPECT_TRUE(CheckDirectory(dir_).ok());
  EXPECT_TRUE(CreateDirectory(wanted).ok());
  EXPECT_TRUE(std::filesystem::is_directory(wanted));
}

TEST_F(DirectoryCheckTest, AFileInThePathIsRefusedTheSameWayByCheckAndCreate) {
  const std::filesystem::path file = dir_ / "plain-file";
  for (const std::filesystem::path& wanted : {file / "outbox", file / "a" / "outbox", file}) {
    const std::string expected =
        fmt::format("cannot create {}: {} is not a directory", wanted.string(), file.string());
    absl::Status checked = CheckDirectory(wanted);
    EXPECT_EQ(kinds::SettingErrorField(checked), "directory");
    EXPECT_EQ(checked.message(), expected);
    absl::Status created = CreateDirectory(wanted);
    EXPECT_EQ(kinds::SettingErrorField(created), "directory");
    EXPECT_EQ(created.message(), expected);
  }
}

TEST_F(DirectoryCheckTest, ADirectoryWeMayNotWriteIsRefusedTheSameWayByCheckAndCreate) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write in any directory";
  const std::filesystem::path locked = dir_ / "locked";
  std::filesystem::create_directories(locked);
  ASSERT_EQ(::chmod(locked.c_str(), 0500), 0);
  const std::filesystem::path wanted = locked / "outbox";
  const std::string expected =
      fmt::format("cannot create {}: Permission denied (in {})", wanted.string(), locked.string());
  EXPECT_EQ(CheckDirectory(wanted).message(), expected);
  EXPECT_EQ(CreateDirectory(wanted).message(), expected);
  EXPECT_FALSE(std::filesystem::exists(wanted));
  EXPECT_EQ(CheckDirectory(locked).message(),
            fmt::format("cannot write in {}: Permission denied", locked.string()));
  ::chmod(locked.c_str(), 0700);
}

}  // namespace
}  // namespace navette::adapters::file
