#include "adapters/tls/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace navette::adapters::tls {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct Pkcs12Free {
  void operator()(PKCS12* p12) const { PKCS12_free(p12); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

absl::StatusOr<std::string> ReadWhole(std::string_view setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return SettingRefused(setting, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A directory opens and fails on the first read.
  if (in.bad()) return SettingRefused(setting, fmt::format("cannot read {}", path));
  return bytes;
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Hands OpenSSL the configured password, and never asks on the terminal
// (OpenSSL's default callback does).
int GivePassword(char* buffer, int size, int /*rwflag*/, void* user) {
  const auto* password = static_cast<const std::string*>(user);
  if (password == nullptr || password->empty() || static_cast<int>(password->size()) > size) {
    return -1;
  }
  std::memcpy(buffer, password->data(), password->size());
  return static_cast<int>(password->size());
}

bool KeyMatches(X509* certificate, EVP_PKEY* key) {
  const bool matches = X509_check_private_key(certificate, key) == 1;
  ERR_clear_error();
  return matches;
}

}  // namespace

absl::Status SettingRefused(std::string_view setting, std::string_view message) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", setting, message));
}

absl::StatusOr<X509Ptr> ReadPemCertificate(std::string_view setting, const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadWhole(setting, path);
  if (!bytes.ok()) return bytes.status();
  X509Ptr certificate(PEM_read_bio_X509(MemoryBio(*bytes).get(), nullptr, GivePassword, nullptr));
  ERR_clear_error();  // what OpenSSL left on this thread's queue is ours to drop
  if (certificate == nullptr) {
    return SettingRefused(setting, fmt::format("{} holds no PEM certificate", path));
  }
  return certificate;
}

absl::StatusOr<X509Ptr> LoadPemPair(const PemPair& pair) {
  absl::StatusOr<X509Ptr> certificate = ReadPemCertificate(pair.cert_setting, pair.cert_path);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> bytes = ReadWhole(pair.key_setting, pair.key_path);
  if (!bytes.ok()) return bytes.status();
  KeyPtr key(PEM_read_bio_PrivateKey(MemoryBio(*bytes).get(), nullptr, GivePassword,
                                     const_cast<std::string*>(&pair.password)));
  ERR_clear_error();
  if (key == nullptr) {
    if (!pair.password.empty() && bytes->find("ENCRYPTED") != std::string::npos) {
      return SettingRefused(pair.password_setting, fmt::format("does not open {}", pair.key_path));
    }
    const std::string encrypted =
        pair.password_setting.empty()
            ? std::string("an encrypted key is not supported; use a PKCS#12 file")
            : fmt::format("an encrypted key needs {}", pair.password_setting);
    return SettingRefused(pair.key_setting, fmt::format("{} holds no PEM private key ({})",
                                                        pair.key_path, encrypted));
  }
  if (!KeyMatches(certificate->get(), key.get())) {
    return SettingRefused(
        pair.key_setting,
        fmt::format("{} is not the key of the certificate in {}", pair.key_path, pair.cert_path));
  }
  return certificate;
}

absl::StatusOr<X509Ptr> LoadPkcs12(const Pkcs12File& file) {
  absl::StatusOr<std::string> bytes = ReadWhole(file.setting, file.path);
  if (!bytes.ok()) return bytes.status();
  std::unique_ptr<PKCS12, Pkcs12Free> p12(d2i_PKCS12_bio(MemoryBio(*bytes).get(), nullptr));
  ERR_clear_error();
  if (p12 == nullptr) {
    return SettingRefused(file.setting, fmt::format("{} is not a PKCS#12 file", file.path));
  }
  // The MAC is keyed by the password: checking it tells a wrong password
  // apart from a damaged file.
  const bool opens = PKCS12_verify_mac(p12.get(), file.password.c_str(),
                                       static_cast<int>(file.password.size())) == 1;
  ERR_clear_error();
  if (!opens) {
    return SettingRefused(file.password_setting,
                          fmt::format("does not open {} (wrong password?)", file.path));
  }
  EVP_PKEY* raw_key = nullptr;
  X509* raw_certificate = nullptr;
  const bool parsed =
      PKCS12_parse(p12.get(), file.password.c_str(), &raw_key, &raw_certificate, nullptr) == 1;
  ERR_clear_error();
  KeyPtr key(raw_key);
  X509Ptr certificate(raw_certificate);
  if (!parsed) {
    return SettingRefused(
        file.setting,
        fmt::format("{} cannot be read with this OpenSSL (a legacy algorithm?)", file.path));
  }
  if (key == nullptr || certificate == nullptr) {
    return SettingRefused(
        file.setting, fmt::format("{} does not hold both a certificate and its key", file.path));
  }
  if (!KeyMatches(certificate.get(), key.get())) {
    return SettingRefused(file.setting,
                          fmt::format("the key in {} is not its certificate's key", file.path));
  }
  return certificate;
}

}  // namespace navette::adapters::tls
