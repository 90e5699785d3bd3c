// The TLS files of an mssante destination or receipts source, checked when
// the kind is created (dry run included): each refusal a SettingError at
// the configuration key at fault, with a throw-away PKI openssl makes.
#include "adapters/mssante/mss_kind_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kinds/registry.h"

namespace navette::adapters::mssante {
namespace {

using ::testing::HasSubstr;

// ca.pem; the pair client.pem / client.key and client.p12 (password
// p12-secret); other.key, a key of no certificate here.
constexpr char kMakePki[] = R"(
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=test CA' &&
openssl req -new -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj '/CN=bal' &&
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 -out client.pem &&
openssl pkcs12 -export -inkey client.key -in client.pem -out client.p12 -passout pass:p12-secret &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key
)";
constexpr char kP12Env[] = "NAVETTE_MSS_KIND_TEST_P12";
constexpr char kWrongEnv[] = "NAVETTE_MSS_KIND_TEST_WRONG";

class MssTlsFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     fmt::format("navette_mss_kind_checks_{}", ::getpid()));
    std::filesystem::create_directories(*dir_);
    pki_ok_ =
        std::system(
            fmt::format("cd '{}' && ({}) >openssl.log 2>&1", dir_->string(), kMakePki).c_str()) ==
        0;
    ::setenv(kP12Env, "p12-secret", 1);
    ::setenv(kWrongEnv, "not-the-password", 1);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_ok_) << "openssl failed, see openssl.log"; }

  static std::string Path(const std::string& name) { return (*dir_ / name).string(); }
  static navette::config::DmpCredentials Pem() {
    navette::config::DmpCredentials tls;
    tls.set_ca_file(Path("ca.pem"));
    tls.set_cert_file(Path("client.pem"));
    tls.set_key_file(Path("client.key"));
    return tls;
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline bool pki_ok_ = false;
};

TEST_F(MssTlsFilesTest, AMatchingPairAndItsPkcs12FormAreAccepted) {
  EXPECT_TRUE(CheckTlsFiles(Pem()).ok()) << CheckTlsFiles(Pem());
  navette::config::DmpCredentials p12;
  p12.set_ca_file(Path("ca.pem"));
  p12.set_pkcs12_file(Path("client.p12"));
  p12.set_pkcs12_password_env(kP12Env);
  EXPECT_TRUE(CheckTlsFiles(p12).ok()) << CheckTlsFiles(p12);
}

TEST_F(MssTlsFilesTest, EachRefusalNamesItsKey) {
  struct Case {
    std::string what;
    navette::config::DmpCredentials tls;
    std::string field;
    std::string message;
  };
  std::vector<Case> cases;
  navette::config::DmpCredentials tls = Pem();
  tls.set_ca_file(Path("missing.pem"));
  cases.push_back({"CA missing", tls, "tls.ca_file", "cannot read"});
  tls = Pem();
  tls.set_ca_file(Path("client.key"));
  cases.push_back({"CA not a certificate", tls, "tls.ca_file", "holds no PEM certificate"});
  tls = Pem();
  tls.set_key_file(Path("other.key"));
  cases.push_back({"another key", tls, "tls.key_file", "is not the key of the certificate"});
  tls = Pem();
  tls.set_cert_file(Path("client.key"));
  cases.push_back({"cert not a certificate", tls, "tls.cert_file", "holds no PEM certificate"});
  navette::config::DmpCredentials p12;
  p12.set_ca_file(Path("ca.pem"));
  p12.set_pkcs12_file(Path("client.p12"));
  p12.set_pkcs12_password_env(kWrongEnv);
  cases.push_back({"p12, wrong password", p12, "tls.pkcs12_password_env", "wrong password"});
  p12.set_pkcs12_password_env("NAVETTE_MSS_KIND_TEST_UNSET");
  cases.push_back({"p12, password unset", p12, "tls.pkcs12_password_env", "is not set"});
  p12.set_pkcs12_password_env(kP12Env);
  p12.set_pkcs12_file(Path("client.pem"));
  cases.push_back({"p12 of PEM", p12, "tls.pkcs12_file", "is not a PKCS#12 file"});
  for (const Case& c : cases) {
    const absl::Status status = CheckTlsFiles(c.tls);
    EXPECT_EQ(kinds::SettingErrorField(status), c.field) << c.what << ": " << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message)) << c.what;
  }
}

}  // namespace
}  // namespace navette::adapters::mssante
