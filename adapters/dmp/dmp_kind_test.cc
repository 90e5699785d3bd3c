// The dmp kind's row: its checks name the key at fault, and its factory,
// in a dry run (`navette check`) as at start, loads both key pairs and
// refuses the TLS pair as the signing pair.
#include "adapters/dmp/dmp_kind.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "common/clock.h"

namespace navette::adapters::dmp {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Reporter : public kinds::CheckReporter {
 public:
  void Error(std::string_view field, std::string message) override {
    errors[std::string(field)] = std::move(message);
  }
  void Warning(std::string_view, std::string) override {}
  std::map<std::string, std::string> errors;
};

class DmpKindTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_dmp_kind_test_", ::getpid()));
    pki_ = new vihf::testing::VihfTestPki(*dir_);
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << pki_->error(); }

  static navette::config::DmpDestination Valid() {
    navette::config::DmpDestination config;
    config.set_repository_url("https://127.0.0.1:1/DocumentRepository_Service");
    config.mutable_tls()->set_ca_file(pki_->Path("ca.pem"));
    config.mutable_tls()->set_cert_file(pki_->Path("tls.pem"));
    config.mutable_tls()->set_key_file(pki_->Path("tls.key"));
    config.mutable_signing()->set_cert_file(pki_->Path("sign.pem"));
    config.mutable_signing()->set_key_file(pki_->Path("sign.key"));
    config.mutable_vihf()->set_homologation_number("HOMOLOG-1");
    return config;
  }
  absl::StatusOr<std::unique_ptr<Destination>> DryRun(navette::config::DmpDestination config) {
    const kinds::DestinationKind kind = DmpDestinationKind();
    kind.apply_defaults(config);
    kinds::DestinationContext context;
    context.name = "dmp";
    context.clock = &Clock::System();
    context.dry_run = true;
    context.hospital = &hospital_;
    context.identity = &identity_;
    return kind.create(config, context);
  }
  static std::map<std::string, std::string> Check(const navette::config::DmpDestination& config) {
    Reporter reporter;
    DmpDestinationKind().check(config, reporter);
    return reporter.errors;
  }

  static std::filesystem::path* dir_;
  static vihf::testing::VihfTestPki* pki_;
  navette::config::Hospital hospital_ = [] {
    navette::config::Hospital hospital;
    hospital.set_finess("010000001");
    hospital.set_oid_root("1.2.250.1.999.1");
    hospital.set_facility_type_code("SA01");
    return hospital;
  }();
  navette::config::IdentitySettings identity_;
};

std::filesystem::path* DmpKindTest::dir_ = nullptr;
vihf::testing::VihfTestPki* DmpKindTest::pki_ = nullptr;

TEST_F(DmpKindTest, AValidConfigurationPassesItsChecksAndItsDryRun) {
  EXPECT_THAT(Check(Valid()), IsEmpty());
  auto built = DryRun(Valid());
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(*built, nullptr);  // nothing made in a dry run
}

TEST_F(DmpKindTest, ChecksNameEveryMissingOrWrongSetting) {
  navette::config::DmpDestination config;
  config.set_registry_url("http://dmp.example/registry");
  config.mutable_signing()->set_cert_file("sign.pem");
  config.mutable_signing()->set_pkcs12_file("sign.p12");
  config.mutable_vihf()->set_mode_attribute("Authentication_mode");
  config.mutable_vihf()->set_digest("md5");
  std::map<std::string, std::string> errors = Check(config);
  EXPECT_THAT(errors["repository_url"], HasSubstr("required"));
  EXPECT_THAT(errors["registry_url"], HasSubstr("must start with https://"));
  EXPECT_THAT(errors["tls.ca_file"], HasSubstr("required"));
  EXPECT_THAT(errors["tls"], HasSubstr("a certificate and its key are required"));
  EXPECT_THAT(errors["signing.pkcs12_file"], HasSubstr("not both"));
  EXPECT_THAT(errors["signing.pkcs12_password_env"], HasSubstr("environment variable"));
  EXPECT_THAT(errors["vihf.homologation_number"], HasSubstr("required"));
  EXPECT_THAT(errors["vihf.mode_attribute"], HasSubstr("Authentification_Mode"));
  EXPECT_THAT(errors["vihf.digest"], HasSubstr("neither sha256 nor sha1"));

  navette::config::DmpDestination elsewhere = Valid();
  elsewhere.set_repository_url("https://dmp.example/repository");
  EXPECT_THAT(Check(elsewhere)["registry_url"], HasSubstr("required when repository_url"));
}

// The DMP refuses a VIHF signed with the TLS key: `check` refuses it first.
TEST_F(DmpKindTest, TheTlsKeyPairAsTheSigningPairIsRefused) {
  navette::config::DmpDestination config = Valid();
  config.mutable_signing()->set_cert_file(pki_->Path("tls.pem"));
  config.mutable_signing()->set_key_file(pki_->Path("tls.key"));
  auto built = DryRun(config);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(kinds::SettingErrorField(built.status()), "signing");
  EXPECT_THAT(built.status().message(), HasSubstr("the signing key pair is the TLS key pair"));
}

TEST_F(DmpKindTest, UnreadableOrMismatchedFilesAreRefusedAtTheirKey) {
  navette::config::DmpDestination config = Valid();
  config.mutable_tls()->set_key_file(pki_->Path("sign.key"));  // not tls.pem's key
  auto mismatched = DryRun(config);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(kinds::SettingErrorField(mismatched.status()), "tls.key_file");

  config = Valid();
  config.mutable_signing()->set_key_file(pki_->Path("missing.key"));
  auto missing = DryRun(config);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(kinds::SettingErrorField(missing.status()), "signing");
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.key"));

  // A PKCS#12 whose password variable is not set.
  config = Valid();
  config.mutable_signing()->clear_cert_file();
  config.mutable_signing()->clear_key_file();
  config.mutable_signing()->set_pkcs12_file(pki_->Path("sign.p12"));
  config.mutable_signing()->set_pkcs12_password_env("NAVETTE_TEST_UNSET_PASSWORD");
  ::unsetenv("NAVETTE_TEST_UNSET_PASSWORD");
  auto unset = DryRun(config);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(kinds::SettingErrorField(unset.status()), "signing.pkcs12_password_env");
  // With the password in its variable, the PKCS#12 signing pair loads.
  ::setenv("NAVETTE_TEST_P12_PASSWORD", vihf::testing::kP12Password, 1);
  config.mutable_signing()->set_pkcs12_password_env("NAVETTE_TEST_P12_PASSWORD");
  auto loaded = DryRun(config);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
}

TEST_F(DmpKindTest, TheHospitalsFinessAndOidRootAreRequired) {
  hospital_.clear_finess();
  auto built = DryRun(Valid());
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.status().message(), HasSubstr("hospital.finess and hospital.oid_root"));
}

}  // namespace
}  // namespace navette::adapters::dmp
