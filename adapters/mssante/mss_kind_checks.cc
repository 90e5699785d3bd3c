#include "adapters/mssante/mss_kind_checks.h"

#include <fstream>

#include <fmt/format.h>

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

absl::Status CheckTlsFilesReadable(const navette::config::DmpCredentials& tls) {
  for (auto [field, path] :
       {std::pair{"tls.ca_file", &tls.ca_file()}, std::pair{"tls.cert_file", &tls.cert_file()},
        std::pair{"tls.key_file", &tls.key_file()},
        std::pair{"tls.pkcs12_file", &tls.pkcs12_file()}}) {
    if (path->empty()) continue;
    std::ifstream file(*path, std::ios::binary);
    if (!file) return kinds::SettingError(field, fmt::format("cannot read '{}'", *path));
    std::string head(4096, '\0');
    file.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(file.gcount()));
    const bool pem_expected = std::string_view(field) != "tls.pkcs12_file";
    if (pem_expected && head.find("-----BEGIN") == std::string::npos) {
      return kinds::SettingError(field, fmt::format("'{}' holds no PEM data", *path));
    }
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::mssante
