#include "engine/auth.h"

#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <type_traits>

#include "proto/config.pb.h"

namespace navette::engine {
namespace {

// FIPS 180-2 test vector "abc", and the digest of the empty string.
constexpr char kAbcSha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(HashTokenTest, KnownVectors) {
  EXPECT_EQ(HashToken("abc"), kAbcSha256);
  EXPECT_EQ(HashToken(""), kEmptySha256);
}

TEST(NewTokenTest, SixtyFourHexDigitsAndFresh) {
  const std::string first = NewToken();
  const std::string second = NewToken();
  ASSERT_EQ(first.size(), 64u);
  EXPECT_NE(first, second);
  for (char c : first) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << first;
}

TEST(RoleTest, NamesRoundTripAndOrder) {
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_LT(Role::kViewer, Role::kOperator);
  EXPECT_LT(Role::kOperator, Role::kAdmin);
}

TEST(TokenAuthorityTest, AuthenticatesKnownTokensOnly) {
  auto authority = TokenAuthority::FromEntries({
      {"alice", HashToken("alice-token"), Role::kViewer},
      {"bob", HashToken("bob-token"), Role::kOperator},
  });
  ASSERT_TRUE(authority.ok()) << authority.status();
  auto alice = (*authority)->Authenticate("alice-token");
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ(alice->user, "alice");
  EXPECT_EQ(alice->role, Role::kViewer);
  auto bob = (*authority)->Authenticate("bob-token");
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->user, "bob");
  EXPECT_EQ(bob->role, Role::kOperator);

  EXPECT_FALSE((*authority)->Authenticate("mallory-token").has_value());
  EXPECT_FALSE((*authority)->Authenticate("alice-token ").has_value());
  // The digest is not the token: presenting it must not work.
  EXPECT_FALSE((*authority)->Authenticate(HashToken("alice-token")).has_value());
  EXPECT_FALSE((*authority)->Authenticate("").has_value());
}

TEST(TokenAuthorityTest, EmptyTokenRefusedEvenIfItsDigestIsConfigured) {
  auto authority = TokenAuthority::FromEntries({{"nobody", kEmptySha256, Role::kAdmin}});
  ASSERT_TRUE(authority.ok());
  EXPECT_FALSE((*authority)->Authenticate("").has_value());
}

TEST(TokenAuthorityTest, UppercaseHexDigestAccepted) {
  std::string upper = HashToken("t");
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto authority = TokenAuthority::FromEntries({{"u", upper, Role::kViewer}});
  ASSERT_TRUE(authority.ok());
  EXPECT_TRUE((*authority)->Authenticate("t").has_value());
}

TEST(TokenAuthorityTest, MalformedDigestRefused) {
  EXPECT_FALSE(TokenAuthority::FromEntries({{"u", "abc", Role::kViewer}}).ok());
  EXPECT_FALSE(TokenAuthority::FromEntries({{"u", std::string(64, 'g'), Role::kViewer}}).ok());
}

// The comparison must be CRYPTO_memcmp's, not memcmp's: this pins the
// signature the implementation relies on, so that a switch away from
// OpenSSL's constant-time compare does not go unnoticed.
TEST(TokenAuthorityTest, ConstantTimeCompareIsAvailable) {
  static_assert(
      std::is_same_v<decltype(&CRYPTO_memcmp), int (*)(const void*, const void*, size_t)>);
  const unsigned char a[4] = {1, 2, 3, 4};
  const unsigned char b[4] = {1, 2, 3, 5};
  EXPECT_EQ(CRYPTO_memcmp(a, a, sizeof(a)), 0);
  EXPECT_NE(CRYPTO_memcmp(a, b, sizeof(a)), 0);
}

class LocalTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("navette-auth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(LocalTokenTest, CreatedWithMode0600AndReusedOnSecondStart) {
  navette::config::Admin admin;
  auto first = TokenAuthority::Create(admin, dir_);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::filesystem::path path = dir_ / kLocalTokenFile;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));

  auto token = ReadLocalToken(dir_);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->size(), 64u);
  auto local = (*first)->Authenticate(*token);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->user, kLocalAdminUser);
  EXPECT_EQ(local->role, Role::kAdmin);

  // A second start reads the same token rather than making a new one.
  auto second = TokenAuthority::Create(admin, dir_);
  ASSERT_TRUE(second.ok()) << second.status();
  auto again = ReadLocalToken(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *token);
  EXPECT_TRUE((*second)->Authenticate(*token).has_value());
}

TEST_F(LocalTokenTest, ConfiguredTokensWorkBesideTheLocalOne) {
  navette::config::Admin admin;
  auto* entry = admin.add_tokens();
  entry->set_user("viewer-1");
  entry->set_sha256(HashToken("view"));
  entry->set_role(navette::config::AdminToken::VIEWER);
  auto authority = TokenAuthority::Create(admin, dir_);
  ASSERT_TRUE(authority.ok()) << authority.status();
  auto viewer = (*authority)->Authenticate("view");
  ASSERT_TRUE(viewer.has_value());
  EXPECT_EQ(viewer->user, "viewer-1");
  EXPECT_EQ(viewer->role, Role::kViewer);
}

TEST_F(LocalTokenTest, ExistingFileIsReadWithItsNewlineTrimmed) {
  std::ofstream(dir_ / kLocalTokenFile) << "  my-local-token\n";
  std::filesystem::permissions(dir_ / kLocalTokenFile, std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
  auto authority = TokenAuthority::Create(navette::config::Admin(), dir_);
  ASSERT_TRUE(authority.ok()) << authority.status();
  EXPECT_TRUE((*authority)->Authenticate("my-local-token").has_value());
}

TEST_F(LocalTokenTest, EmptyFileIsAnError) {
  std::ofstream(dir_ / kLocalTokenFile) << "\n";
  auto authority = TokenAuthority::Create(navette::config::Admin(), dir_);
  EXPECT_FALSE(authority.ok());
}

TEST_F(LocalTokenTest, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(ReadLocalToken(dir_).status()));
}

}  // namespace
}  // namespace navette::engine
