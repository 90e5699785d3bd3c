// The bus's key files on real files: what `navette keys new` writes (modes,
// never replacing a file), that what it writes reads back to the same pair,
// and the refusals of files and keys that would not work.
#include "adapters/bus/curve_keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::bus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CurveKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("navette-curve-keys-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const std::string path = Path(name);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat info;
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }

  std::filesystem::path dir_;
};

TEST_F(CurveKeysTest, NewPairsAreZ85AndTheirPublicKeyDerivesFromTheSecret) {
  auto pair = NewCurveKeyPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_TRUE(CheckCurveKey(pair->public_key).ok());
  EXPECT_TRUE(CheckCurveKey(pair->secret_key).ok());
  auto derived = CurvePublicKeyOf(pair->secret_key);
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(*derived, pair->public_key);
  auto other = NewCurveKeyPair();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->secret_key, pair->secret_key);
}

TEST_F(CurveKeysTest, WrittenFilesHaveTheirModesAndReadBackToThePair) {
  const mode_t umask_before = ::umask(022);
  auto pair = NewCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(WriteCurveKeyFiles(*pair, Path("engine.key"), Path("engine.pub")).ok());
  ::umask(umask_before);
  EXPECT_EQ(ModeOf(Path("engine.key")), 0600u);
  EXPECT_EQ(ModeOf(Path("engine.pub")), 0644u);

  auto secret = ReadCurveSecretKeyFile(Path("engine.key"));
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(secret->secret_key, pair->secret_key);
  EXPECT_EQ(secret->public_key, pair->public_key);
  auto public_key = ReadCurvePublicKeyFile(Path("engine.pub"));
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(*public_key, pair->public_key);
}

TEST_F(CurveKeysTest, TheSecretKeyIs0600EvenUnderAPermissiveUmask) {
  const mode_t umask_before = ::umask(0);
  auto pair = NewCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(WriteCurveKeyFiles(*pair, Path("a.key"), Path("a.pub")).ok());
  ::umask(umask_before);
  EXPECT_EQ(ModeOf(Path("a.key")), 0600u);
}

TEST_F(CurveKeysTest, AnExistingFileIsNeverReplacedAndNoHalfPairIsLeft) {
  auto pair = NewCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  const std::string old_secret = Write("engine.key", "old secret\n");
  absl::Status refused = WriteCurveKeyFiles(*pair, old_secret, Path("engine.pub"));
  EXPECT_TRUE(absl::IsAlreadyExists(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("engine.key exists"));
  std::ifstream kept(old_secret);
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "old secret");
  EXPECT_FALSE(std::filesystem::exists(Path("engine.pub")));

  // The public file alone existing refuses too, before the secret is made.
  Write("other.pub", "x\n", 0644);
  refused = WriteCurveKeyFiles(*pair, Path("other.key"), Path("other.pub"));
  EXPECT_TRUE(absl::IsAlreadyExists(refused)) << refused;
  EXPECT_FALSE(std::filesystem::exists(Path("other.key")));
}

TEST_F(CurveKeysTest, KeyFilesTakeCommentsBesideTheirKeys) {
  auto first = NewCurveKeyPair();
  auto second = NewCurveKeyPair();
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string path =
      Write("authorized", fmt::format("# adapters allowed on the bus\n"
                                      "\n"
                                      "{}  lab adapter\r\n"
                                      "#{} (retired)\n"
                                      "{}\t# radiology\n",
                                      first->public_key, first->public_key, second->public_key));
  auto keys = ReadCurveKeyFile(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  // "#<key>" is a comment: no Z85 key starts with '#'.
  EXPECT_THAT(*keys, ElementsAre(first->public_key, second->public_key));
}

TEST_F(CurveKeysTest, RefusalsNameTheFileAndLineNeverTheKey) {
  const std::string short_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf";  // 39 characters
  const std::string path = Write("bad.key", "# comment\n" + short_key + "\n");
  auto read = ReadCurveKeyFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            path + ":2: not a CURVE key: 39 characters, where a Z85 key has 40");
  EXPECT_THAT(std::string(read.status().message()), ::testing::Not(HasSubstr(short_key)));

  EXPECT_EQ(CheckCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y,7").message(),
            "not a CURVE key: character 39 is not Z85");
  // Z85 characters, but "#####" is over 32 bits.
  EXPECT_EQ(CheckCurveKey("#####" + std::string(35, '0')).message(),
            "not a CURVE key: not a valid Z85 value");

  auto missing = ReadCurveSecretKeyFile(Path("missing.key"));
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.key: No such file or directory"));
}

TEST_F(CurveKeysTest, ASecretKeyFileOthersMayReadIsRefused) {
  auto pair = NewCurveKeyPair();
  ASSERT_TRUE(pair.ok());
  const std::string path = Write("open.key", pair->secret_key + "\n", 0644);
  auto read = ReadCurveSecretKeyFile(path);
  EXPECT_TRUE(absl::IsPermissionDenied(read.status())) << read.status();
  EXPECT_EQ(read.status().message(),
            path +
                " is open to other users (mode 0644): a secret key file must not be (chmod "
                "600 it)");
  // Group-readable is the operator's choice (a group of the engine's user).
  ::chmod(path.c_str(), 0640);
  EXPECT_TRUE(ReadCurveSecretKeyFile(path).ok());
}

TEST_F(CurveKeysTest, ASecretKeyFileHoldsExactlyOneKey) {
  auto first = NewCurveKeyPair();
  auto second = NewCurveKeyPair();
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string two = Write("two.key", first->secret_key + "\n" + second->secret_key + "\n");
  EXPECT_EQ(ReadCurveSecretKeyFile(two).status().message(),
            two + " holds 2 keys; a secret key file holds exactly one");
  const std::string none = Write("none.key", "# nothing\n");
  EXPECT_EQ(ReadCurveSecretKeyFile(none).status().message(),
            none + " holds 0 keys; a secret key file holds exactly one");
}

}  // namespace
}  // namespace navette::adapters::bus
