// The establishment's signing key and certificate, loaded with OpenSSL so that
// a wrong file says which problem it has (xmlsec's own loaders only say
// "failed"). Status codes:
//   NotFound            a file does not exist or cannot be read
//   InvalidArgument     not a PEM key / certificate / PKCS#12, wrong password,
//                       not an RSA key (the VIHF is signed rsa-sha256/rsa-sha1)
//   FailedPrecondition  the key is not the certificate's key
// Also the few certificate facts the signer and verifier report: the subject
// DN in RFC 2253 form (the samples' Issuer: `CN=…,OU=…,O=…,ST=…,C=FR`) and
// the SHA-256 fingerprint.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::vihf {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Immutable once loaded; shared read-only by concurrent signatures.
struct SigningCredentials {
  EvpPkeyPtr key;
  X509Ptr certificate;
};

// A PEM private key (encrypted if `key_password` is given) and the PEM
// certificate that goes with it.
absl::StatusOr<SigningCredentials> LoadPemCredentials(const std::string& key_path,
                                                      const std::string& certificate_path,
                                                      const std::string& key_password = {});
// A PKCS#12 file (the IGC-Santé `…-ORG-SIGN-….p12`) and its password.
absl::StatusOr<SigningCredentials> LoadPkcs12Credentials(const std::string& path,
                                                         const std::string& password);

// A PEM certificate, from a file or from memory.
absl::StatusOr<X509Ptr> LoadCertificatePemFile(const std::string& path);
absl::StatusOr<X509Ptr> CertificateFromPem(std::string_view pem);
// A certificate from the base64 of its DER (ds:X509Certificate content;
// whitespace is ignored).
absl::StatusOr<X509Ptr> CertificateFromBase64Der(std::string_view base64);

std::string SubjectDn(const X509* certificate);
// Upper-case hex, bytes separated by ':' (as `openssl x509 -fingerprint`).
std::string Sha256Fingerprint(const X509* certificate);
bool SameCertificate(const X509* a, const X509* b);

}  // namespace navette::adapters::dmp::vihf
