// CheckDmpTls and CheckDistinctKeyPairs on files made by the test PKI
// (vihf_test_pki.h): what they accept, and each refusal naming its setting.
#include "adapters/dmp/transport/dmp_tls.h"

#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"

namespace navette::adapters::dmp::transport {
namespace {

namespace vihf = ::navette::adapters::dmp::vihf;
using ::testing::HasSubstr;

class DmpTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_dmp_tls_test_", ::getpid()));
    pki_ = new vihf::testing::VihfTestPki(*dir_);
    // A second certificate for the TLS key pair: another certificate, the
    // same key — still one pair for the DMP.
    const std::string command = absl::StrCat(
        "cd '", dir_->string(),
        "' && openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -set_serial 40 -days 2 "
        "-out tls_reissued.pem >>openssl.log 2>&1");
    reissued_ok_ = pki_->ok() && std::system(command.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(pki_->ok()) << pki_->error();
    ASSERT_TRUE(reissued_ok_);
  }

  static DmpTls PemTls() {
    DmpTls tls;
    tls.ca_file = pki_->Path("ca.pem");
    tls.cert_file = pki_->Path("tls.pem");
    tls.key_file = pki_->Path("tls.key");
    return tls;
  }
  static DmpTls Pkcs12Tls() {
    DmpTls tls;
    tls.ca_file = pki_->Path("ca.pem");
    tls.pkcs12_file = pki_->Path("sign.p12");
    tls.pkcs12_password = vihf::testing::kP12Password;
    return tls;
  }
  static X509Ptr Certificate(const std::string& name) {
    std::FILE* file = std::fopen(pki_->Path(name).c_str(), "r");
    if (file == nullptr) return nullptr;
    X509Ptr certificate(PEM_read_X509(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    return certificate;
  }

  static std::filesystem::path* dir_;
  static vihf::testing::VihfTestPki* pki_;
  static bool reissued_ok_;
};

std::filesystem::path* DmpTlsTest::dir_ = nullptr;
vihf::testing::VihfTestPki* DmpTlsTest::pki_ = nullptr;
bool DmpTlsTest::reissued_ok_ = false;

TEST(DmpTlsDefaultsTest, AreTheDmpsFourSuitesAndTenAndSixtySeconds) {
  DmpTls tls;
  EXPECT_EQ(tls.ciphers,
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384:"
            "ECDHE-RSA-CHACHA20-POLY1305");
  EXPECT_EQ(tls.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(tls.timeout, std::chrono::seconds(60));
}

TEST_F(DmpTlsTest, PemPairAndPkcs12AreAccepted) {
  EXPECT_TRUE(CheckDmpTls(PemTls()).ok()) << CheckDmpTls(PemTls());
  EXPECT_TRUE(CheckDmpTls(Pkcs12Tls()).ok()) << CheckDmpTls(Pkcs12Tls());
  absl::StatusOr<X509Ptr> from_p12 = LoadClientCertificate(Pkcs12Tls());
  ASSERT_TRUE(from_p12.ok()) << from_p12.status();
  EXPECT_EQ(X509_cmp(from_p12->get(), Certificate("sign.pem").get()), 0);
}

TEST_F(DmpTlsTest, MissingCaFileIsNamed) {
  DmpTls tls = PemTls();
  tls.ca_file = pki_->Path("nowhere.pem");
  absl::Status status = CheckDmpTls(tls);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            absl::StrCat("tls.ca_file: cannot read ", tls.ca_file, ": No such file or directory"));
}

TEST_F(DmpTlsTest, MissingCertificateFileIsNamed) {
  DmpTls tls = PemTls();
  tls.cert_file = pki_->Path("nowhere.pem");
  EXPECT_THAT(CheckDmpTls(tls).message(), HasSubstr("tls.cert_file: cannot read"));
}

TEST_F(DmpTlsTest, CaFileWithoutACertificateIsNamed) {
  DmpTls tls = PemTls();
  tls.ca_file = pki_->Path("pki.cnf");
  EXPECT_EQ(CheckDmpTls(tls).message(),
            absl::StrCat("tls.ca_file: ", tls.ca_file, " holds no PEM certificate"));
}

TEST_F(DmpTlsTest, KeyOfAnotherCertificateIsRefused) {
  DmpTls tls = PemTls();
  tls.key_file = pki_->Path("sign.key");
  EXPECT_EQ(CheckDmpTls(tls).message(),
            absl::StrCat("tls.key_file: ", tls.key_file, " is not the key of the certificate in ",
                         tls.cert_file));
}

TEST_F(DmpTlsTest, EncryptedPemKeyIsRefused) {
  DmpTls tls = PemTls();
  tls.cert_file = pki_->Path("sign.pem");
  tls.key_file = pki_->Path("sign_encrypted.key");
  EXPECT_THAT(CheckDmpTls(tls).message(), HasSubstr("tls.key_file: "));
  EXPECT_THAT(CheckDmpTls(tls).message(), HasSubstr("an encrypted key is not supported"));
}

TEST_F(DmpTlsTest, WrongPkcs12PasswordIsNamed) {
  DmpTls tls = Pkcs12Tls();
  tls.pkcs12_password = "not-the-password";
  EXPECT_EQ(CheckDmpTls(tls).message(), absl::StrCat("tls.pkcs12_password: does not open ",
                                                     tls.pkcs12_file, " (wrong password?)"));
}

TEST_F(DmpTlsTest, PemFileGivenAsPkcs12IsRefused) {
  DmpTls tls = Pkcs12Tls();
  tls.pkcs12_file = pki_->Path("sign.pem");
  EXPECT_EQ(CheckDmpTls(tls).message(),
            absl::StrCat("tls.pkcs12_file: ", tls.pkcs12_file, " is not a PKCS#12 file"));
}

TEST_F(DmpTlsTest, NoClientCertificateOrBothFormsAreRefused) {
  DmpTls none;
  none.ca_file = pki_->Path("ca.pem");
  EXPECT_THAT(CheckDmpTls(none).message(),
              HasSubstr("tls.cert_file: a client certificate is required"));
  DmpTls both = PemTls();
  both.pkcs12_file = pki_->Path("sign.p12");
  EXPECT_THAT(CheckDmpTls(both).message(), HasSubstr("not both"));
  DmpTls key_only = PemTls();
  key_only.cert_file.clear();
  EXPECT_THAT(CheckDmpTls(key_only).message(),
              HasSubstr("tls.key_file: a client key needs its certificate"));
}

TEST_F(DmpTlsTest, UnknownCiphersAndNonPositiveTimeoutsAreNamed) {
  DmpTls tls = PemTls();
  tls.ciphers = "NOT-A-SUITE";
  EXPECT_EQ(CheckDmpTls(tls).message(), "tls.ciphers: OpenSSL knows none of 'NOT-A-SUITE'");
  tls = PemTls();
  tls.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(CheckDmpTls(tls).message(), "tls.timeout: must be positive");
}

TEST_F(DmpTlsTest, DistinctKeyPairsAreRequired) {
  X509Ptr tls = Certificate("tls.pem");
  X509Ptr sign = Certificate("sign.pem");
  X509Ptr reissued = Certificate("tls_reissued.pem");
  ASSERT_TRUE(tls && sign && reissued);
  EXPECT_TRUE(CheckDistinctKeyPairs(tls.get(), sign.get()).ok());

  absl::Status same = CheckDistinctKeyPairs(tls.get(), tls.get());
  EXPECT_EQ(same.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(same.message(), HasSubstr("the same key pair"));
  EXPECT_THAT(same.message(), HasSubstr("DMPInvalidCertificate"));
  // Another certificate over the same key is still the same pair.
  EXPECT_EQ(CheckDistinctKeyPairs(reissued.get(), tls.get()).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace navette::adapters::dmp::transport
