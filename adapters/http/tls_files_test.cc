#include "adapters/http/tls_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "kinds/registry.h"
#include "tests/support/test_pki.h"

namespace navette::adapters::http {
namespace {

using ::testing::HasSubstr;

class TlsFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     fmt::format("navette-tls-files-test-{}", ::getpid()));
    std::filesystem::remove_all(*dir_);
    pki_ = new navette::testing::TestPki(*dir_);
    std::ofstream(*dir_ / "not-pem.txt") << "a hospital's notes, not a certificate\n";
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << pki_->error(); }

  static std::string Path(std::string_view name) { return (*dir_ / name).string(); }
  static navette::config::Tls Tls(std::string ca, std::string cert = "", std::string key = "") {
    navette::config::Tls tls;
    tls.set_ca_file(std::move(ca));
    tls.set_cert_file(std::move(cert));
    tls.set_key_file(std::move(key));
    return tls;
  }

  static std::filesystem::path* dir_;
  static navette::testing::TestPki* pki_;
};

std::filesystem::path* TlsFilesTest::dir_ = nullptr;
navette::testing::TestPki* TlsFilesTest::pki_ = nullptr;

TEST_F(TlsFilesTest, UsableFilesPass) {
  EXPECT_TRUE(CheckTlsFiles(Tls("")).ok());
  EXPECT_TRUE(CheckTlsFiles(Tls(Path("ca.pem"))).ok());
  absl::Status mutual = CheckTlsFiles(Tls(Path("ca.pem"), Path("client.pem"), Path("client.key")));
  EXPECT_TRUE(mutual.ok()) << mutual;
}

TEST_F(TlsFilesTest, AMissingCaFileIsRefusedAtItsKey) {
  absl::Status status = CheckTlsFiles(Tls(Path("missing.pem")));
  EXPECT_EQ(kinds::SettingErrorField(status), "tls.ca_file");
  EXPECT_EQ(status.message(),
            fmt::format("cannot read {}: No such file or directory", Path("missing.pem")));
}

TEST_F(TlsFilesTest, ACaFileWithoutACertificateIsRefusedNamingTheFile) {
  for (const char* name : {"not-pem.txt", "ca.key"}) {
    absl::Status status = CheckTlsFiles(Tls(Path(name)));
    EXPECT_EQ(kinds::SettingErrorField(status), "tls.ca_file") << name;
    EXPECT_EQ(status.message(), fmt::format("{} holds no PEM certificate", Path(name)));
  }
  absl::Status directory = CheckTlsFiles(Tls(dir_->string()));
  EXPECT_EQ(kinds::SettingErrorField(directory), "tls.ca_file");
  EXPECT_THAT(std::string(directory.message()), HasSubstr("Is a directory"));
}

TEST_F(TlsFilesTest, AClientCertificateNeedsItsKeyAndTheKeyItsCertificate) {
  absl::Status no_key = CheckTlsFiles(Tls("", Path("client.pem"), ""));
  EXPECT_EQ(kinds::SettingErrorField(no_key), "tls.cert_file");
  absl::Status no_cert = CheckTlsFiles(Tls("", "", Path("client.key")));
  EXPECT_EQ(kinds::SettingErrorField(no_cert), "tls.key_file");
}

TEST_F(TlsFilesTest, AMissingClientKeyIsRefusedAtItsKey) {
  absl::Status status = CheckTlsFiles(Tls("", Path("client.pem"), Path("gone.key")));
  EXPECT_EQ(kinds::SettingErrorField(status), "tls.key_file");
  EXPECT_EQ(status.message(),
            fmt::format("cannot read {}: No such file or directory", Path("gone.key")));
}

TEST_F(TlsFilesTest, AClientCertificateFileWithoutACertificateIsRefused) {
  absl::Status status = CheckTlsFiles(Tls("", Path("client.key"), Path("client.key")));
  EXPECT_EQ(kinds::SettingErrorField(status), "tls.cert_file");
  EXPECT_EQ(status.message(), fmt::format("{} holds no PEM certificate", Path("client.key")));
}

TEST_F(TlsFilesTest, AKeyFileWithoutAKeyIsRefused) {
  absl::Status status = CheckTlsFiles(Tls("", Path("client.pem"), Path("client.pem")));
  EXPECT_EQ(kinds::SettingErrorField(status), "tls.key_file");
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(fmt::format("{} holds no PEM private key", Path("client.pem"))));
}

TEST_F(TlsFilesTest, AKeyThatIsNotTheCertificatesIsRefused) {
  absl::Status status = CheckTlsFiles(Tls("", Path("client.pem"), Path("server.key")));
  EXPECT_EQ(kinds::SettingErrorField(status), "tls.key_file");
  EXPECT_EQ(status.message(), fmt::format("{} is not the key of the certificate in {}",
                                          Path("server.key"), Path("client.pem")));
}

}  // namespace
}  // namespace navette::adapters::http
