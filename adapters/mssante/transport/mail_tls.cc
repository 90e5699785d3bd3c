#include "adapters/mssante/transport/mail_tls.h"

#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/tls/tls_files.h"

namespace navette::adapters::mssante::transport {
namespace {

using tls::SettingRefused;

// The certificate and key, or the PKCS#12 file, as OpenSSL will read them.
absl::Status CheckClientPair(const MailTls& settings, const std::string& password) {
  if (IsPkcs12(settings)) {
    return tls::LoadPkcs12({.setting = "tls.client_cert",
                            .path = settings.client_cert,
                            .password_setting = "tls.client_key_password_env",
                            .password = password})
        .status();
  }
  // Without client_key, libcurl reads the key from the certificate's file.
  const bool own_key_file = !settings.client_key.empty();
  return tls::LoadPemPair({.cert_setting = "tls.client_cert",
                           .cert_path = settings.client_cert,
                           .key_setting = own_key_file ? "tls.client_key" : "tls.client_cert",
                           .key_path = own_key_file ? settings.client_key : settings.client_cert,
                           .password_setting = "tls.client_key_password_env",
                           .password = password})
      .status();
}

}  // namespace

bool IsPkcs12(const MailTls& tls) {
  const std::string name = absl::AsciiStrToLower(tls.client_cert);
  return tls.client_key.empty() && (absl::EndsWith(name, ".p12") || absl::EndsWith(name, ".pfx"));
}

absl::StatusOr<std::string> SecretFromEnv(std::string_view setting, const std::string& name) {
  if (name.empty()) return std::string();
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return SettingRefused(setting, absl::StrCat("environment variable ", name, " is not set"));
  }
  return std::string(value);
}

absl::Status CheckMailTls(const MailTls& settings) {
  if (!settings.ca_file.empty()) {
    if (auto ca = tls::ReadPemCertificate("tls.ca_file", settings.ca_file); !ca.ok()) {
      return ca.status();
    }
  }
  if (settings.client_cert.empty() && !settings.client_key.empty()) {
    return SettingRefused("tls.client_key", "a client key needs its certificate (tls.client_cert)");
  }
  absl::StatusOr<std::string> password =
      SecretFromEnv("tls.client_key_password_env", settings.client_key_password_env);
  if (!password.ok()) return password.status();
  if (!settings.client_cert.empty()) {
    if (absl::Status pair = CheckClientPair(settings, *password); !pair.ok()) return pair;
  }
  if (settings.connect_timeout.count() <= 0) {
    return SettingRefused("tls.connect_timeout", "must be positive");
  }
  if (settings.timeout.count() <= 0) return SettingRefused("tls.timeout", "must be positive");
  return absl::OkStatus();
}

}  // namespace navette::adapters::mssante::transport
