#include "adapters/dmp/transport/dmp_tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace navette::adapters::dmp::transport {
namespace {

using tls::SettingRefused;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

absl::Status CheckCiphers(const std::string& ciphers) {
  std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_client_method()));
  if (context == nullptr) return absl::ResourceExhaustedError("tls: cannot create an SSL_CTX");
  const bool known = SSL_CTX_set_cipher_list(context.get(), ciphers.c_str()) == 1;
  ERR_clear_error();
  if (!known) {
    return SettingRefused("tls.ciphers", absl::StrCat("OpenSSL knows none of '", ciphers, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<X509Ptr> LoadClientCertificate(const DmpTls& tls) {
  const bool pem = !tls.cert_file.empty() || !tls.key_file.empty();
  const bool pkcs12 = !tls.pkcs12_file.empty();
  if (pem && pkcs12) {
    return SettingRefused("tls.pkcs12_file",
                          "set either tls.cert_file + tls.key_file or tls.pkcs12_file, not both");
  }
  if (!pem && !pkcs12) {
    return SettingRefused(
        "tls.cert_file",
        "a client certificate is required (the DMP authenticates the establishment "
        "by its AUTH_CLI certificate): set tls.cert_file + tls.key_file or "
        "tls.pkcs12_file");
  }
  if (pkcs12) {
    return tls::LoadPkcs12({.setting = "tls.pkcs12_file",
                            .path = tls.pkcs12_file,
                            .password_setting = "tls.pkcs12_password",
                            .password = tls.pkcs12_password});
  }
  if (tls.cert_file.empty()) {
    return SettingRefused("tls.key_file", "a client key needs its certificate (tls.cert_file)");
  }
  if (tls.key_file.empty()) {
    return SettingRefused("tls.cert_file", "a client certificate needs its key (tls.key_file)");
  }
  // No password setting: an encrypted PEM key is refused (use PKCS#12).
  return tls::LoadPemPair({.cert_setting = "tls.cert_file",
                           .cert_path = tls.cert_file,
                           .key_setting = "tls.key_file",
                           .key_path = tls.key_file});
}

absl::Status CheckDmpTls(const DmpTls& tls) {
  if (tls.ca_file.empty()) {
    return SettingRefused("tls.ca_file",
                          "required: the CA bundle the DMP's server certificate must chain to");
  }
  if (absl::StatusOr<X509Ptr> ca = tls::ReadPemCertificate("tls.ca_file", tls.ca_file); !ca.ok()) {
    return ca.status();
  }
  if (absl::StatusOr<X509Ptr> client = LoadClientCertificate(tls); !client.ok()) {
    return client.status();
  }
  if (absl::Status ciphers = CheckCiphers(tls.ciphers); !ciphers.ok()) return ciphers;
  if (tls.connect_timeout.count() <= 0) {
    return SettingRefused("tls.connect_timeout", "must be positive");
  }
  if (tls.timeout.count() <= 0) return SettingRefused("tls.timeout", "must be positive");
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
