#include "adapters/dmp/vihf/signing_credentials.h"

#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace navette::adapters::dmp::vihf {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct Pkcs12Free {
  void operator()(PKCS12* p12) const { PKCS12_free(p12); }
};
using Pkcs12Ptr = std::unique_ptr<PKCS12, Pkcs12Free>;

// OpenSSL's reason for the latest failure on this thread, then cleared so
// the next call starts clean.
std::string OpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(what, " ", path, ": cannot open the file"));
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// Gives OpenSSL the caller's password, and never lets it prompt on a
// terminal: with no password an encrypted key simply fails.
int PasswordCallback(char* buffer, int size, int /*rwflag*/, void* user_data) {
  const std::string& password = *static_cast<const std::string*>(user_data);
  if (password.empty() || static_cast<int>(password.size()) > size) return 0;
  password.copy(buffer, password.size());
  return static_cast<int>(password.size());
}

absl::Status CheckPair(const SigningCredentials& credentials, const std::string& where) {
  if (EVP_PKEY_base_id(credentials.key.get()) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the key is not an RSA key (the VIHF is signed with RSA)"));
  }
  if (X509_check_private_key(credentials.certificate.get(), credentials.key.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": the private key does not match the certificate ",
                     SubjectDn(credentials.certificate.get())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<X509Ptr> CertificateFromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (certificate == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM certificate (", OpenSslReason(), ")"));
  }
  return certificate;
}

absl::StatusOr<X509Ptr> LoadCertificatePemFile(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path, "certificate");
  if (!pem.ok()) return pem.status();
  absl::StatusOr<X509Ptr> certificate = CertificateFromPem(*pem);
  if (!certificate.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate ", path, ": ", certificate.status().message()));
  }
  return certificate;
}

absl::StatusOr<X509Ptr> CertificateFromBase64Der(std::string_view base64) {
  std::string compact;
  for (char c : base64) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  std::string der;
  if (!absl::Base64Unescape(compact, &der)) {
    return absl::InvalidArgumentError("X509Certificate is not base64");
  }
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (certificate == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("X509Certificate is not a DER certificate (", OpenSslReason(), ")"));
  }
  return certificate;
}

absl::StatusOr<SigningCredentials> LoadPemCredentials(const std::string& key_path,
                                                      const std::string& certificate_path,
                                                      const std::string& key_password) {
  absl::StatusOr<std::string> key_pem = ReadFile(key_path, "signing key");
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<X509Ptr> certificate = LoadCertificatePemFile(certificate_path);
  if (!certificate.ok()) return certificate.status();

  BioPtr bio = MemoryBio(*key_pem);
  std::string password = key_password;
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, PasswordCallback, &password));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key ", key_path, ": not a readable PEM private key",
                     key_password.empty() ? " (if it is encrypted, its password is needed)"
                                          : " or wrong password",
                     " (", OpenSslReason(), ")"));
  }
  SigningCredentials credentials{std::move(key), *std::move(certificate)};
  if (absl::Status pair = CheckPair(credentials, key_path); !pair.ok()) return pair;
  return credentials;
}

absl::StatusOr<SigningCredentials> LoadPkcs12Credentials(const std::string& path,
                                                         const std::string& password) {
  absl::StatusOr<std::string> bytes = ReadFile(path, "PKCS#12");
  if (!bytes.ok()) return bytes.status();
  BioPtr bio = MemoryBio(*bytes);
  Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (p12 == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("PKCS#12 ", path, ": not a PKCS#12 file (", OpenSslReason(), ")"));
  }
  // The MAC check tells a wrong password apart from a damaged file.
  // An empty password may have been encoded as no password at all.
  const bool mac_ok =
      !PKCS12_mac_present(p12.get()) ||
      PKCS12_verify_mac(p12.get(), password.c_str(), static_cast<int>(password.size())) == 1 ||
      (password.empty() && PKCS12_verify_mac(p12.get(), nullptr, 0) == 1);
  if (!mac_ok) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("PKCS#12 ", path, ": wrong password"));
  }
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  if (PKCS12_parse(p12.get(), password.empty() ? nullptr : password.c_str(), &key, &certificate,
                   nullptr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("PKCS#12 ", path, ": cannot be decrypted (",
                                                   OpenSslReason(),
                                                   "; legacy RC2 files need re-encoding)"));
  }
  SigningCredentials credentials{EvpPkeyPtr(key), X509Ptr(certificate)};
  if (credentials.key == nullptr || credentials.certificate == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("PKCS#12 ", path, ": holds no private key with its certificate"));
  }
  if (absl::Status pair = CheckPair(credentials, path); !pair.ok()) return pair;
  return credentials;
}

std::string SubjectDn(const X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 order (most specific first) with UTF-8 kept as is, the form of
  // the CNAM samples' Issuer.
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Sha256Fingerprint(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(certificate, EVP_sha256(), digest, &size);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    absl::StrAppendFormat(&hex, "%s%02X", i == 0 ? "" : ":", digest[i]);
  }
  return hex;
}

bool SameCertificate(const X509* a, const X509* b) { return X509_cmp(a, b) == 0; }

}  // namespace navette::adapters::dmp::vihf
