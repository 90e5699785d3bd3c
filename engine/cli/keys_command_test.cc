// `navette keys new` on real files: the public key first, the entry to
// paste, a secret key file 0600 that reads back to the printed public key,
// and a refusal, with nothing written, when a file of the pair exists.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/bus/curve_keys.h"
#include "engine/cli/commands.h"

namespace navette::engine::cli {
namespace {

using ::testing::HasSubstr;

class KeysNewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-keys-new-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(KeysNewTest, WritesThePairAndPrintsThePublicKeyAndTheEntry) {
  const std::string prefix = (dir_ / "lab-adapter").string();
  std::ostringstream out, err;
  ASSERT_EQ(RunKeysNew({.out = prefix}, out, err), 0) << err.str();
  EXPECT_EQ(err.str(), "");

  std::istringstream printed(out.str());
  std::string public_key;
  std::getline(printed, public_key);
  EXPECT_TRUE(adapters::bus::CheckCurveKey(public_key).ok()) << public_key;
  EXPECT_THAT(out.str(), HasSubstr(fmt::format("- \"{}\"  # {}\n", public_key, prefix)));
  EXPECT_THAT(out.str(),
              HasSubstr(fmt::format("engine.ingress.curve.secret_key_file: \"{}.key\"", prefix)));

  struct stat info;
  ASSERT_EQ(::stat((prefix + ".key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto secret = adapters::bus::ReadCurveSecretKeyFile(prefix + ".key");
  ASSERT_TRUE(secret.ok()) << secret.status();
  // zmq_curve_public on the secret gives back the printed public key.
  EXPECT_EQ(secret->public_key, public_key);
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr(secret->secret_key)));
  auto public_file = adapters::bus::ReadCurvePublicKeyFile(prefix + ".pub");
  ASSERT_TRUE(public_file.ok()) << public_file.status();
  EXPECT_EQ(*public_file, public_key);
}

TEST_F(KeysNewTest, RefusesToOverwriteAnExistingKey) {
  const std::string prefix = (dir_ / "engine").string();
  std::ostringstream out, err;
  ASSERT_EQ(RunKeysNew({.out = prefix}, out, err), 0) << err.str();
  auto before = adapters::bus::ReadCurveSecretKeyFile(prefix + ".key");
  ASSERT_TRUE(before.ok());

  std::ostringstream again_out, again_err;
  EXPECT_EQ(RunKeysNew({.out = prefix}, again_out, again_err), 1);
  EXPECT_EQ(again_out.str(), "");
  EXPECT_EQ(again_err.str(), fmt::format("navette keys new: {}.key exists: a key file is never "
                                         "replaced\n",
                                         prefix));
  auto after = adapters::bus::ReadCurveSecretKeyFile(prefix + ".key");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->secret_key, before->secret_key);
}

}  // namespace
}  // namespace navette::engine::cli
