// The mutual TLS of an MSSanté applicative mailbox (fr-specs §4.2): the
// operator's server verified against ca_file (or the system's store) and by
// name, the establishment's IGC-Santé certificate presented, TLS 1.2 at
// least — for SMTP submission and IMAP alike.
//
// CheckMailTls refuses, before the first message, files that could never
// work; each message starts with the setting's name:
//
//   setting                      refused when                          message ("<setting>: …")
//   ---------------------------  ------------------------------------  ---------------------------
//   tls.ca_file                  unreadable, no PEM certificate        "cannot read F: …", "F holds
//                                                                       no PEM certificate"
//   tls.client_cert              unreadable; PEM without certificate;  as ca_file; "F is not a
//                                .p12/.pfx not PKCS#12, without a      PKCS#12 file", "F does not
//                                certificate and its key               hold both a certificate…"
//   tls.client_key               set without client_cert; unreadable;  "F holds no PEM private
//                                no key; not the certificate's key     key…", "F is not the key of
//                                                                       the certificate in C"
//   tls.client_key_password_env  the variable is not set; the password "environment variable V is
//                                does not open the PKCS#12 or the key  not set", "does not open F"
//   tls.connect_timeout,
//   tls.timeout                  not positive                          "must be positive"
//
// A PEM client_cert without client_key must hold the key too (libcurl then
// reads the key from the certificate's file).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::adapters::mssante::transport {

struct MailTls {        // mutual TLS of the applicative mailbox
  std::string ca_file;  // CA bundle to verify the server; empty: system store
  std::string
      client_cert;  // PEM certificate, or PKCS#12 when client_key empty and file ends .p12/.pfx
  std::string client_key = {};
  std::string client_key_password_env = {};  // env var holding the key/p12 password
  bool implicit_tls = false;  // smtps:// / imaps:// instead of STARTTLS (required, CURLUSESSL_ALL)
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};
};

// True when client_cert names a PKCS#12 file: client_key is empty and the
// name ends with .p12 or .pfx (in any case).
bool IsPkcs12(const MailTls& tls);

// The value of the environment variable `name` ("" when name is empty);
// InvalidArgument "<setting>: environment variable V is not set" when it is
// named and unset.
absl::StatusOr<std::string> SecretFromEnv(std::string_view setting, const std::string& name);

// OK when every setting is usable as the table above says (an unset
// client_cert is accepted: the server will refuse the session, which is its
// call). InvalidArgument otherwise, the message starting with the setting.
absl::Status CheckMailTls(const MailTls& tls);

}  // namespace navette::adapters::mssante::transport
