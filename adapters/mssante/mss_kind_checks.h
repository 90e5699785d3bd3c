// The checks both MSSanté kinds share: the mutual-TLS credentials of the
// applicative mailbox, the security mode and the SASL mechanism.
#pragma once

#include <string_view>

#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::adapters::mssante {

// `kind` is "mssante" or "mssante_receipts", for the messages.
void CheckSecurity(std::string_view security, std::string_view kind,
                   kinds::CheckReporter& reporter);
void CheckMailTls(const navette::config::DmpCredentials& tls, std::string_view kind,
                  kinds::CheckReporter& reporter);
void CheckSasl(std::string_view mechanism, std::string_view field, bool has_username,
               bool has_password_env, std::string_view kind, kinds::CheckReporter& reporter);
// Before the first connection, dry run included: the CA file holds a
// certificate; the client pair (cert_file + key_file, unencrypted PEM, or
// pkcs12_file opened with the password pkcs12_password_env names) reads
// and its key is the certificate's. A SettingError naming the key
// otherwise (adapters/tls/tls_files.h says what each refusal reads).
absl::Status CheckTlsFiles(const navette::config::DmpCredentials& tls);

}  // namespace navette::adapters::mssante
