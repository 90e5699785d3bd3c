// The DMP's TLS settings (fr-specs §3.2) and the checks that refuse, before
// the first delivery, files that could never work — each error names the
// setting, as adapters/http/tls_files.h does for the http destination:
//
//   setting              refused when                               message ("<setting>: …")
//   -------------------  -----------------------------------------  -------------------------------
//   tls.ca_file          unset, unreadable, no PEM certificate      "cannot read F: …", "F holds no
//                                                                    PEM certificate"
//   tls.cert_file        unreadable, no PEM certificate; set        as ca_file; "a client
//                        without key_file; none of cert_file and    certificate is required (the
//                        DMP pkcs12_file set; both set                  authenticates the
//                        establishment)"
//   tls.key_file         unreadable, no (unencrypted) PEM key;      "F is not the key of the
//                        not the certificate's key                  certificate in C"
//   tls.pkcs12_file      unreadable, not PKCS#12, no certificate    "F is not a PKCS#12 file", …
//                        and key inside, key not the certificate's
//   tls.pkcs12_password  does not open the file                     "does not open F (wrong
//                                                                    password?)"
//   tls.ciphers          OpenSSL knows none of them                 "OpenSSL knows none of …"
//   tls.connect_timeout,
//   tls.timeout          not positive
//
// The DMP requires two key pairs (fr-specs §3.2–3.3, dmp-mss-notes §6.8):
// the AUTH_CLI pair authenticates the TLS connection, the SIGN ("cachet")
// pair signs the VIHF; a VIHF signed with the TLS key is refused with
// DMPInvalidCertificate. CheckDistinctKeyPairs refuses that at start-up.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/tls/tls_files.h"

namespace navette::adapters::dmp::transport {

// The four suites the DMP accepts from an LPS (PDT-INF-579v4, 10/07/2025;
// fr-specs §3.2), in OpenSSL's spelling: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
// _AES_256_GCM_SHA384, _AES_256_CBC_SHA384, _CHACHA20_POLY1305_SHA256. These
// are TLS 1.2 suites, and the client speaks TLS 1.2 only (dmp_client.cc says why).
inline constexpr char kDmpCiphers[] =
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-RSA-CHACHA20-POLY1305";

struct DmpTls {
  std::string ca_file;  // PEM: the CA(s) the DMP's server certificate must chain to
  // The client (AUTH_CLI) pair: either PEM files…
  std::string cert_file;
  std::string key_file;  // unencrypted PEM
  // …or a PKCS#12 file (the IGC-Santé `…-ORG-AUTH_CLI-….p12`) and its
  // password, which the caller reads from an environment variable.
  std::string pkcs12_file;
  std::string pkcs12_password;
  std::string ciphers = kDmpCiphers;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // the whole exchange
};

using tls::X509Ptr;

// OK when every setting is usable as the table above says. The status code
// is InvalidArgument; the message starts with the setting's name.
absl::Status CheckDmpTls(const DmpTls& tls);

// The client certificate the settings name (from cert_file or pkcs12_file),
// after the same checks as CheckDmpTls for those files.
absl::StatusOr<X509Ptr> LoadClientCertificate(const DmpTls& tls);

// FailedPrecondition when both certificates carry the same public key (the
// same certificate, or two certificates of one key pair).
absl::Status CheckDistinctKeyPairs(const X509* tls_certificate, const X509* signing_certificate);

}  // namespace navette::adapters::dmp::transport
