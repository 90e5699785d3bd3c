#include "adapters/dmp/transport/dmp_tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/strings/str_cat.h"

namespace navette::adapters::dmp::transport {
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
struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

absl::Status Refused(absl::string_view setting, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(setting, ": ", message));
}

// Never asks for a passphrase on the terminal (OpenSSL's default does).
int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

absl::StatusOr<std::string> ReadWhole(absl::string_view setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Refused(setting, absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A directory opens and fails on the first read.
  if (in.bad()) return Refused(setting, absl::StrCat("cannot read ", path));
  return bytes;
}

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

absl::StatusOr<X509Ptr> ReadPemCertificate(absl::string_view setting, const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadWhole(setting, path);
  if (!bytes.ok()) return bytes.status();
  X509Ptr certificate(PEM_read_bio_X509(MemoryBio(*bytes).get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();  // what OpenSSL left on this thread's queue is ours to drop
  if (certificate == nullptr)
    return Refused(setting, absl::StrCat(path, " holds no PEM certificate"));
  return certificate;
}

absl::StatusOr<KeyPtr> ReadPemKey(absl::string_view setting, const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadWhole(setting, path);
  if (!bytes.ok()) return bytes.status();
  KeyPtr key(PEM_read_bio_PrivateKey(MemoryBio(*bytes).get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return Refused(setting, absl::StrCat(path,
                                         " holds no PEM private key (an encrypted key is "
                                         "not supported; use a PKCS#12 file)"));
  }
  return key;
}

bool KeyMatches(X509* certificate, EVP_PKEY* key) {
  const bool matches = X509_check_private_key(certificate, key) == 1;
  ERR_clear_error();
  return matches;
}

absl::StatusOr<X509Ptr> LoadPemPair(const DmpTls& tls) {
  if (tls.key_file.empty()) {
    return Refused("tls.cert_file", "a client certificate needs its key (tls.key_file)");
  }
  absl::StatusOr<X509Ptr> certificate = ReadPemCertificate("tls.cert_file", tls.cert_file);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<KeyPtr> key = ReadPemKey("tls.key_file", tls.key_file);
  if (!key.ok()) return key.status();
  if (!KeyMatches(certificate->get(), key->get())) {
    return Refused(
        "tls.key_file",
        absl::StrCat(tls.key_file, " is not the key of the certificate in ", tls.cert_file));
  }
  return std::move(*certificate);
}

absl::StatusOr<X509Ptr> LoadPkcs12(const DmpTls& tls) {
  absl::StatusOr<std::string> bytes = ReadWhole("tls.pkcs12_file", tls.pkcs12_file);
  if (!bytes.ok()) return bytes.status();
  std::unique_ptr<PKCS12, Pkcs12Free> p12(d2i_PKCS12_bio(MemoryBio(*bytes).get(), nullptr));
  ERR_clear_error();
  if (p12 == nullptr) {
    return Refused("tls.pkcs12_file", absl::StrCat(tls.pkcs12_file, " is not a PKCS#12 file"));
  }
  // The MAC is keyed by the password: checking it tells a wrong password
  // apart from a damaged file.
  const bool password_opens = PKCS12_verify_mac(p12.get(), tls.pkcs12_password.c_str(),
                                                static_cast<int>(tls.pkcs12_password.size())) == 1;
  ERR_clear_error();
  if (!password_opens) {
    return Refused("tls.pkcs12_password",
                   absl::StrCat("does not open ", tls.pkcs12_file, " (wrong password?)"));
  }
  EVP_PKEY* raw_key = nullptr;
  X509* raw_certificate = nullptr;
  const bool parsed = PKCS12_parse(p12.get(), tls.pkcs12_password.c_str(), &raw_key,
                                   &raw_certificate, nullptr) == 1;
  ERR_clear_error();
  KeyPtr key(raw_key);
  X509Ptr certificate(raw_certificate);
  if (!parsed) {
    return Refused("tls.pkcs12_file", absl::StrCat(tls.pkcs12_file,
                                                   " cannot be read with this OpenSSL (a legacy "
                                                   "algorithm?)"));
  }
  if (key == nullptr || certificate == nullptr) {
    return Refused("tls.pkcs12_file",
                   absl::StrCat(tls.pkcs12_file, " does not hold both a certificate and its key"));
  }
  if (!KeyMatches(certificate.get(), key.get())) {
    return Refused("tls.pkcs12_file",
                   absl::StrCat("the key in ", tls.pkcs12_file, " is not its certificate's key"));
  }
  return certificate;
}

absl::Status CheckCiphers(const std::string& ciphers) {
  std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_client_method()));
  if (context == nullptr) return absl::ResourceExhaustedError("tls: cannot create an SSL_CTX");
  const bool known = SSL_CTX_set_cipher_list(context.get(), ciphers.c_str()) == 1;
  ERR_clear_error();
  if (!known) return Refused("tls.ciphers", absl::StrCat("OpenSSL knows none of '", ciphers, "'"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<X509Ptr> LoadClientCertificate(const DmpTls& tls) {
  const bool pem = !tls.cert_file.empty() || !tls.key_file.empty();
  const bool pkcs12 = !tls.pkcs12_file.empty();
  if (pem && pkcs12) {
    return Refused("tls.pkcs12_file",
                   "set either tls.cert_file + tls.key_file or tls.pkcs12_file, not both");
  }
  if (!pem && !pkcs12) {
    return Refused("tls.cert_file",
                   "a client certificate is required (the DMP authenticates the establishment "
                   "by its AUTH_CLI certificate): set tls.cert_file + tls.key_file or "
                   "tls.pkcs12_file");
  }
  if (pkcs12) return LoadPkcs12(tls);
  if (tls.cert_file.empty()) {
    return Refused("tls.key_file", "a client key needs its certificate (tls.cert_file)");
  }
  return LoadPemPair(tls);
}

absl::Status CheckDmpTls(const DmpTls& tls) {
  if (tls.ca_file.empty()) {
    return Refused("tls.ca_file",
                   "required: the CA bundle the DMP's server certificate must chain to");
  }
  if (absl::StatusOr<X509Ptr> ca = ReadPemCertificate("tls.ca_file", tls.ca_file); !ca.ok()) {
    return ca.status();
  }
  if (absl::StatusOr<X509Ptr> client = LoadClientCertificate(tls); !client.ok()) {
    return client.status();
  }
  if (absl::Status ciphers = CheckCiphers(tls.ciphers); !ciphers.ok()) return ciphers;
  if (tls.connect_timeout.count() <= 0) return Refused("tls.connect_timeout", "must be positive");
  if (tls.timeout.count() <= 0) return Refused("tls.timeout", "must be positive");
  return absl::OkStatus();
}

absl::Status CheckDistinctKeyPairs(const X509* tls_certificate, const X509* signing_certificate) {
  if (tls_certificate == nullptr || signing_certificate == nullptr) {
    return absl::InvalidArgumentError("CheckDistinctKeyPairs: a certificate is missing");
  }
  const int same =
      EVP_PKEY_eq(X509_get0_pubkey(tls_certificate), X509_get0_pubkey(signing_certificate));
  ERR_clear_error();
  if (same == 1) {
    return absl::FailedPreconditionError(
        "the TLS client certificate and the VIHF signing certificate use the same key pair: the "
        "DMP requires two (AUTH_CLI for TLS, SIGN/cachet for the VIHF) and refuses a VIHF signed "
        "with the TLS key (DMPInvalidCertificate)");
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::dmp::transport
