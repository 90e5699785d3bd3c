#include "adapters/mssante/mss_kind_checks.h"

#include <cstdlib>

#include <fmt/format.h>

#include "adapters/tls/tls_files.h"

namespace navette::adapters::mssante {

void CheckSecurity(std::string_view security, std::string_view kind,
                   kinds::CheckReporter& reporter) {
  if (!security.empty() && security != "starttls" && security != "implicit") {
    reporter.Error("security", fmt::format("{}.security '{}' is neither starttls (the default) "
                                           "nor implicit",
                                           kind, security));
  }
}

void CheckMailTls(const navette::config::DmpCredentials& tls, std::string_view kind,
                  kinds::CheckReporter& reporter) {
  if (tls.ca_file().empty()) {
    reporter.Error("tls.ca_file",
                   fmt::format("{}.tls.ca_file is required: the operator's server is always "
                               "verified, against the authorities of this file (IGC-Santé)",
                               kind));
  }
  const bool pem = !tls.cert_file().empty() || !tls.key_file().empty();
  const bool pkcs12 = !tls.pkcs12_file().empty();
  if (pem && pkcs12) {
    reporter.Error(
        "tls.pkcs12_file",
        fmt::format("{}.tls: give cert_file and key_file, or pkcs12_file, not both", kind));
  } else if (!pem && !pkcs12) {
    // Allowed, for an operator's test platform that takes SASL alone; an
    // MSSanté operator refuses such a session (a transient failure).
    reporter.Warning("tls", fmt::format("{}.tls names no client certificate (cert_file and "
                                        "key_file, or pkcs12_file): MSSanté operators "
                                        "authenticate software by the applicative mailbox's "
                                        "certificate and will refuse the session",
                                        kind));
  } else if (pem && (tls.cert_file().empty() || tls.key_file().empty())) {
    reporter.Error(tls.cert_file().empty() ? "tls.cert_file" : "tls.key_file",
                   fmt::format("{}.tls: cert_file and key_file go together", kind));
  }
  if (pkcs12 && tls.pkcs12_password_env().empty()) {
    reporter.Error("tls.pkcs12_password_env",
                   fmt::format("{}.tls.pkcs12_password_env names the environment variable "
                               "holding the PKCS#12 password; required with pkcs12_file",
                               kind));
  }
}

void CheckSasl(std::string_view mechanism, std::string_view field, bool has_username,
               bool has_password_env, std::string_view kind, kinds::CheckReporter& reporter) {
  if (!mechanism.empty() && mechanism != "EXTERNAL" && mechanism != "PLAIN") {
    reporter.Error(field, fmt::format("{}: SASL mechanism '{}' is neither EXTERNAL nor PLAIN", kind,
                                      mechanism));
  }
  if (mechanism == "PLAIN" && (!has_username || !has_password_env)) {
    reporter.Error(field, fmt::format("{}: SASL PLAIN needs a username and the environment "
                                      "variable holding the password (password_env)",
                                      kind));
  }
}

absl::Status CheckTlsFiles(const navette::config::DmpCredentials& tls) {
  absl::Status checked = absl::OkStatus();
  if (!tls.ca_file().empty())
    checked = tls::ReadPemCertificate("tls.ca_file", tls.ca_file()).status();
  if (checked.ok() && !tls.pkcs12_file().empty()) {
    const char* password = tls.pkcs12_password_env().empty()
                               ? nullptr
                               : std::getenv(tls.pkcs12_password_env().c_str());
    if (!tls.pkcs12_password_env().empty() && password == nullptr) {
      return kinds::SettingError(
          "tls.pkcs12_password_env",
          fmt::format("environment variable {} is not set", tls.pkcs12_password_env()));
    }
    checked = tls::LoadPkcs12({.setting = "tls.pkcs12_file",
                               .path = tls.pkcs12_file(),
                               .password_setting = "tls.pkcs12_password_env",
                               .password = password == nullptr ? "" : password})
                  .status();
  } else if (checked.ok() && !tls.cert_file().empty() && !tls.key_file().empty()) {
    checked = tls::LoadPemPair({.cert_setting = "tls.cert_file",
                                .cert_path = tls.cert_file(),
                                .key_setting = "tls.key_file",
                                .key_path = tls.key_file()})
                  .status();
  }
  return kinds::SettingErrorFromText(checked, "tls");
}

}  // namespace navette::adapters::mssante
