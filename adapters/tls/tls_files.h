// The files a TLS client presents, read and checked the way OpenSSL (and so
// libcurl) will use them, each error naming the setting at fault so that
// `navette check` and `serve` place it. Shared by the DMP's and MSSanté's
// transports (adapters/dmp/transport/dmp_tls.h,
// adapters/mssante/transport/mail_tls.h), which name their own settings.
//
//   refused when                                  message ("<setting>: …")
//   --------------------------------------------  ---------------------------------------------
//   a file cannot be read                         "cannot read F: No such file or directory"
//   no PEM certificate                            "F holds no PEM certificate"
//   no PEM key (or an encrypted one, no password) "F holds no PEM private key (…)"
//   a password that does not open the key/file    "<password setting>: does not open F …"
//   the key is not the certificate's              "F is not the key of the certificate in C"
//   not PKCS#12, or without both parts            "F is not a PKCS#12 file", …
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::adapters::tls {

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// InvalidArgument "<setting>: <message>".
absl::Status SettingRefused(std::string_view setting, std::string_view message);

// The first certificate of a PEM file (a CA bundle, a client certificate).
absl::StatusOr<X509Ptr> ReadPemCertificate(std::string_view setting, const std::string& path);

// A certificate and its private key in PEM files (the same file when the
// key follows the certificate). `password` opens an encrypted key; when the
// caller has no password setting (`password_setting` empty) an encrypted
// key is refused as unsupported.
struct PemPair {
  std::string_view cert_setting = {};
  std::string cert_path = {};
  std::string_view key_setting = {};
  std::string key_path = {};
  std::string_view password_setting = {};
  std::string password = {};
};
absl::StatusOr<X509Ptr> LoadPemPair(const PemPair& pair);

// A PKCS#12 file holding the certificate and its key, and its password.
struct Pkcs12File {
  std::string_view setting = {};
  std::string path = {};
  std::string_view password_setting = {};
  std::string password = {};
};
absl::StatusOr<X509Ptr> LoadPkcs12(const Pkcs12File& file);

}  // namespace navette::adapters::tls
