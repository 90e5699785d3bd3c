// The simulator program's PKI: what it makes, that the chains verify against
// ca.pem with OpenSSL's own verifier, that the TLS and signing pairs differ,
// and what a second run does with what the first left.
#include "tests/dmp-sim/sim_pki.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::testing::dmp_sim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

const char* const kAllFiles[] = {kCaCertFile,   kCaKeyFile,   kServerCertFile, kServerKeyFile,
                                 kAuthCertFile, kAuthKeyFile, kSignCertFile,   kSignKeyFile};

CertPtr ReadCert(const fs::path& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  X509* cert = file != nullptr ? PEM_read_X509(file, nullptr, nullptr, nullptr) : nullptr;
  if (file != nullptr) std::fclose(file);
  return CertPtr(cert, X509_free);
}

KeyPtr ReadKey(const fs::path& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  EVP_PKEY* key = file != nullptr ? PEM_read_PrivateKey(file, nullptr, nullptr, nullptr) : nullptr;
  if (file != nullptr) std::fclose(file);
  return KeyPtr(key, EVP_PKEY_free);
}

std::string Bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// X509_verify_cert of `leaf` against ca.pem alone; "" when it verifies.
std::string VerifyAgainstCa(const fs::path& ca_file, X509* leaf) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                          X509_STORE_CTX_free);
  if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1 ||
      X509_STORE_CTX_init(context.get(), store.get(), leaf, nullptr) != 1) {
    return "cannot set up the store";
  }
  if (X509_verify_cert(context.get()) == 1) return "";
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
}

class SimPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("navette_sim_pki_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(SimPkiTest, MakesEveryFileWithItsKeysReadableByTheOwnerOnly) {
  absl::StatusOr<SimulatorPki> pki = EnsureSimulatorPki(dir_);
  ASSERT_TRUE(pki.ok()) << pki.status();
  EXPECT_TRUE(pki->dir.is_absolute());
  EXPECT_THAT(pki->created,
              UnorderedElementsAre(kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile,
                                   kAuthCertFile, kAuthKeyFile, kSignCertFile, kSignKeyFile));
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  for (const char* key : {kCaKeyFile, kServerKeyFile, kAuthKeyFile, kSignKeyFile}) {
    EXPECT_EQ(fs::status(dir_ / key).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << key;
    EXPECT_NE(ReadKey(dir_ / key), nullptr) << key;
  }
  for (const char* file : kAllFiles) EXPECT_FALSE(fs::exists(dir_ / (std::string(file) + ".tmp")));
}

TEST_F(SimPkiTest, EachLeafVerifiesAgainstTheCaAndHasItsUsage) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  CertPtr ca = ReadCert(dir_ / kCaCertFile);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_version(ca.get()), X509_VERSION_3);
  for (const char* leaf_file : {kServerCertFile, kAuthCertFile, kSignCertFile}) {
    CertPtr leaf = ReadCert(dir_ / leaf_file);
    ASSERT_NE(leaf, nullptr) << leaf_file;
    EXPECT_EQ(VerifyAgainstCa(dir_ / kCaCertFile, leaf.get()), "") << leaf_file;
    EXPECT_EQ(X509_check_ca(leaf.get()), 0) << leaf_file;
    int days = 0;
    int seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(leaf.get()),
                             X509_get0_notAfter(leaf.get())),
              1);
    EXPECT_EQ(days, 365) << leaf_file;  // a year, and the few minutes of backdating
  }
  CertPtr server = ReadCert(dir_ / kServerCertFile);
  EXPECT_EQ(X509_check_purpose(server.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  CertPtr auth = ReadCert(dir_ / kAuthCertFile);
  EXPECT_EQ(X509_check_purpose(auth.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_purpose(auth.get(), X509_PURPOSE_SSL_SERVER, 0), 0);
  CertPtr sign = ReadCert(dir_ / kSignCertFile);
  EXPECT_EQ(X509_get_key_usage(sign.get()), uint32_t{KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION});
  EXPECT_EQ(X509_get_extended_key_usage(sign.get()), UINT32_MAX);  // no EKU: not for TLS
}

TEST_F(SimPkiTest, TheTlsAndSigningPairsAreDifferentKeys) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  KeyPtr auth = ReadKey(dir_ / kAuthKeyFile);
  KeyPtr sign = ReadKey(dir_ / kSignKeyFile);
  ASSERT_NE(auth, nullptr);
  ASSERT_NE(sign, nullptr);
  EXPECT_NE(EVP_PKEY_eq(auth.get(), sign.get()), 1);
  CertPtr auth_cert = ReadCert(dir_ / kAuthCertFile);
  CertPtr sign_cert = ReadCert(dir_ / kSignCertFile);
  EXPECT_EQ(X509_check_private_key(auth_cert.get(), auth.get()), 1);
  EXPECT_EQ(X509_check_private_key(sign_cert.get(), sign.get()), 1);
  EXPECT_NE(X509_check_private_key(sign_cert.get(), auth.get()), 1);
}

TEST_F(SimPkiTest, ASecondRunReusesEveryFileUnchanged) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  std::map<std::string, std::string> first;
  for (const char* file : kAllFiles) first[file] = Bytes(dir_ / file);
  absl::StatusOr<SimulatorPki> again = EnsureSimulatorPki(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->created, IsEmpty());
  for (const char* file : kAllFiles) EXPECT_EQ(Bytes(dir_ / file), first[file]) << file;
}

TEST_F(SimPkiTest, AMissingLeafIsMadeAgainUnderTheSameCa) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  const std::string ca = Bytes(dir_ / kCaCertFile);
  const std::string old_auth = Bytes(dir_ / kAuthCertFile);
  fs::remove(dir_ / kAuthCertFile);  // its key stays: an interrupted run's leftover
  absl::StatusOr<SimulatorPki> again = EnsureSimulatorPki(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(again->created, UnorderedElementsAre(kAuthKeyFile, kAuthCertFile));
  EXPECT_EQ(Bytes(dir_ / kCaCertFile), ca);
  EXPECT_NE(Bytes(dir_ / kAuthCertFile), old_auth);
  CertPtr auth = ReadCert(dir_ / kAuthCertFile);
  EXPECT_EQ(VerifyAgainstCa(dir_ / kCaCertFile, auth.get()), "");
}

TEST_F(SimPkiTest, ALeafOfAnotherCaIsRefusedNamingIt) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  fs::remove(dir_ / kCaCertFile);
  fs::remove(dir_ / kCaKeyFile);
  absl::StatusOr<SimulatorPki> again = EnsureSimulatorPki(dir_);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr((dir_ / kServerCertFile).string()));
  EXPECT_THAT(again.status().message(), HasSubstr("was not issued by ca.pem"));
}

TEST_F(SimPkiTest, ACertificateWithoutItsKeyIsRefusedNamingTheKey) {
  ASSERT_TRUE(EnsureSimulatorPki(dir_).ok());
  fs::remove(dir_ / kSignKeyFile);
  absl::StatusOr<SimulatorPki> again = EnsureSimulatorPki(dir_);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr((dir_ / kSignKeyFile).string()));
  EXPECT_THAT(again.status().message(), HasSubstr("is missing"));
}

}  // namespace
}  // namespace navette::testing::dmp_sim
