#include "adapters/mssante/mss_settings.h"

#include <charconv>

#include <fmt/format.h>

#include "kinds/duration_setting.h"
#include "kinds/registry.h"

namespace navette::adapters::mssante {
absl::StatusOr<std::pair<std::string, int>> ParseHostPort(std::string_view address,
                                                          int default_port) {
  if (address.empty()) return absl::InvalidArgumentError("is required (host:port)");
  const size_t colon = address.rfind(':');
  std::string host(colon == std::string_view::npos ? address : address.substr(0, colon));
  int port = default_port;
  if (colon != std::string_view::npos) {
    const std::string_view digits = address.substr(colon + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size() || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(
          fmt::format("'{}': the port '{}' is not a number from 1 to 65535", address, digits));
    }
  }
  if (host.empty()) return absl::InvalidArgumentError(fmt::format("'{}' names no host", address));
  return std::make_pair(std::move(host), port);
}

absl::StatusOr<MssSettings> ResolveMssSettings(const navette::config::MssanteDestination& config,
                                               const navette::config::Hospital& hospital,
                                               const navette::config::IdentitySettings& identity) {
  MssSettings settings;
  const bool implicit = config.security() == "implicit";
  auto address = ParseHostPort(config.smtp_address(), implicit ? 465 : kDefaultSubmissionPort);
  if (!address.ok())
    return kinds::SettingError("smtp_address", std::string(address.status().message()));
  settings.smtp.host = address->first;
  settings.smtp.port = address->second;
  const navette::config::DmpCredentials& tls = config.tls();
  settings.smtp.tls.ca_file = tls.ca_file();
  settings.smtp.tls.client_cert = tls.pkcs12_file().empty() ? tls.cert_file() : tls.pkcs12_file();
  settings.smtp.tls.client_key = tls.pkcs12_file().empty() ? tls.key_file() : "";
  settings.smtp.tls.client_key_password_env = tls.pkcs12_password_env();
  settings.smtp.tls.implicit_tls = implicit;
  settings.smtp.tls.connect_timeout = kinds::Milliseconds(config.connect_timeout());
  settings.smtp.tls.timeout = kinds::Milliseconds(config.timeout());
  settings.smtp.sasl = config.sasl().mechanism();
  settings.smtp.username = config.sasl().username();
  settings.smtp.password_env = config.sasl().password_env();
  settings.mailbox = config.mailbox();
  const size_t at = settings.mailbox.find('@');
  settings.smtp.helo_domain = at == std::string::npos ? "" : settings.mailbox.substr(at + 1);
  settings.product_reference = config.product_reference();
  settings.body_ps = config.body_ps().empty() ? kDefaultBodyPs : config.body_ps();
  settings.body_patient =
      config.body_patient().empty() ? kDefaultBodyPatient : config.body_patient();
  settings.max_message_bytes =
      config.max_message_bytes() == 0 ? kDefaultMaxMessageBytes : config.max_message_bytes();
  settings.patient_domain =
      config.patient_domain().empty() ? kDefaultPatientDomain : config.patient_domain();
  settings.source_id = config.source_id().empty() ? hospital.oid_root() : config.source_id();
  if (settings.source_id.empty()) {
    return kinds::SettingError("source_id", "is required when hospital.oid_root is not set");
  }
  const std::string code =
      config.content_type_code().empty() ? kDefaultContentTypeCode : config.content_type_code();
  const size_t caret = code.find('^');
  if (caret == std::string::npos || caret == 0 || caret + 1 == code.size()) {
    return kinds::SettingError("content_type_code",
                               fmt::format("'{}' is not code^codeSystem", code));
  }
  settings.content_type = {code.substr(0, caret), "", code.substr(caret + 1)};
  settings.sender_label = config.sender_label().empty() ? hospital.name() : config.sender_label();
  settings.hospital = hospital;
  settings.allow_test_ins = identity.environment() == navette::config::IdentitySettings::TEST;
  return settings;
}

}  // namespace navette::adapters::mssante
