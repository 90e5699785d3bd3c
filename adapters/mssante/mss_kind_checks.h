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
// Dry run: every file the TLS settings name opens and holds PEM (or
// PKCS#12) data; a SettingError naming the key otherwise.
absl::Status CheckTlsFilesReadable(const navette::config::DmpCredentials& tls);

}  // namespace navette::adapters::mssante
