#include "adapters/dmp/dmp_settings.h"

#include <chrono>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "absl/strings/str_split.h"
#include "kinds/registry.h"

namespace navette::adapters::dmp {
namespace {

std::chrono::milliseconds Millis(const google::protobuf::Duration& duration) {
  return std::chrono::seconds(duration.seconds()) +
         std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::nanoseconds(duration.nanos()));
}

// "code^system" (display optional in the middle: "code^display^system").
absl::StatusOr<xds::Code> CodeOf(const std::string& text, std::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(text, '^');
  if (parts.size() == 2 && !parts[0].empty() && !parts[1].empty()) {
    return xds::Code{parts[0], "", parts[1]};
  }
  if (parts.size() == 3 && !parts[0].empty() && !parts[2].empty()) {
    return xds::Code{parts[0], parts[1], parts[2]};
  }
  return kinds::SettingError(
      field, fmt::format("'{}' is not code^codeSystem (e.g. {})", text, kDefaultContentTypeCode));
}

// The password of a PKCS#12 file, from the variable the configuration
// names: never from the configuration itself.
absl::StatusOr<std::string> Pkcs12Password(const navette::config::DmpCredentials& credentials,
                                           std::string_view section) {
  if (credentials.pkcs12_file().empty()) return std::string();
  const std::string field = fmt::format("{}.pkcs12_password_env", section);
  if (credentials.pkcs12_password_env().empty()) {
    return kinds::SettingError(field,
                               "names the environment variable holding the PKCS#12 "
                               "password; required with pkcs12_file");
  }
  const char* value = std::getenv(credentials.pkcs12_password_env().c_str());
  if (value == nullptr) {
    return kinds::SettingError(field, fmt::format("the environment variable {} is not set",
                                                  credentials.pkcs12_password_env()));
  }
  return std::string(value);
}

absl::StatusOr<vihf::VihfSettings> VihfSettingsOf(const navette::config::DmpVihf& config,
                                                  const navette::config::Hospital& hospital) {
  vihf::VihfSettings settings;
  settings.homologation_number = config.homologation_number();
  if (!config.activity_sector().empty()) {
    auto sector = CodeOf(config.activity_sector(), "vihf.activity_sector");
    if (!sector.ok()) return sector.status();
    settings.activity_sector_code = sector->code;
    settings.activity_sector_code_system = sector->scheme;
  } else if (!hospital.facility_type_code().empty()) {
    settings.activity_sector_code = hospital.facility_type_code();
    settings.activity_sector_code_system = kActivitySectorSystem;
  }
  if (!config.role_code().empty()) {
    settings.role_code = config.role_code();
    settings.role_display_name = config.role_code();
  }
  if (!config.role_code_system().empty()) settings.role_code_system = config.role_code_system();
  if (!config.software_name().empty()) settings.software_name = config.software_name();
  if (!config.software_version().empty()) settings.software_version = config.software_version();
  settings.software_id = config.software_id();
  if (!config.mode_attribute().empty()) {
    settings.authentication_mode_attribute = config.mode_attribute();
  }
  if (!config.version().empty()) settings.vihf_version = config.version();
  if (!config.purpose_of_use_system_name().empty()) {
    settings.purpose_of_use_code_system_name = config.purpose_of_use_system_name();
  }
  if (!config.authn_context().empty()) settings.authn_context_class = config.authn_context();
  settings.digest =
      config.digest() == "sha1" ? vihf::DigestAlgorithm::kSha1 : vihf::DigestAlgorithm::kSha256;
  return settings;
}

}  // namespace

std::string RegistryUrlOf(const std::string& repository_url) {
  const size_t at = repository_url.rfind(kRepositoryService);
  if (at == std::string::npos) return "";
  std::string url = repository_url;
  url.replace(at, sizeof(kRepositoryService) - 1, kRegistryService);
  return url;
}

absl::StatusOr<DmpSettings> ResolveDmpSettings(const navette::config::DmpDestination& config,
                                               const navette::config::Hospital& hospital,
                                               const navette::config::IdentitySettings& identity) {
  DmpSettings settings;
  settings.repository_url = config.repository_url();
  settings.registry_url = config.registry_url().empty() ? RegistryUrlOf(config.repository_url())
                                                        : config.registry_url();
  if (settings.registry_url.empty()) {
    return kinds::SettingError("registry_url",
                               "is required when repository_url does not end with "
                               "DocumentRepository_Service");
  }

  const navette::config::DmpCredentials& tls = config.tls();
  settings.tls.ca_file = tls.ca_file();
  settings.tls.cert_file = tls.cert_file();
  settings.tls.key_file = tls.key_file();
  settings.tls.pkcs12_file = tls.pkcs12_file();
  auto tls_password = Pkcs12Password(tls, "tls");
  if (!tls_password.ok()) return tls_password.status();
  settings.tls.pkcs12_password = std::move(*tls_password);
  if (!config.ciphers().empty()) settings.tls.ciphers = config.ciphers();
  settings.tls.connect_timeout = Millis(config.connect_timeout());
  settings.tls.timeout = Millis(config.timeout());

  const navette::config::DmpCredentials& signing = config.signing();
  settings.signing.cert_file = signing.cert_file();
  settings.signing.key_file = signing.key_file();
  settings.signing.pkcs12_file = signing.pkcs12_file();
  auto signing_password = Pkcs12Password(signing, "signing");
  if (!signing_password.ok()) return signing_password.status();
  settings.signing.pkcs12_password = std::move(*signing_password);

  auto vihf = VihfSettingsOf(config.vihf(), hospital);
  if (!vihf.ok()) return vihf.status();
  settings.vihf = std::move(*vihf);
  settings.responsible_id = config.vihf().responsible_id();

  settings.source_id = config.source_id().empty() ? hospital.oid_root() : config.source_id();
  if (settings.source_id.empty()) {
    return kinds::SettingError("source_id", "is required when hospital.oid_root is not set");
  }
  auto content_type = CodeOf(
      config.content_type_code().empty() ? kDefaultContentTypeCode : config.content_type_code(),
      "content_type_code");
  if (!content_type.ok()) return content_type.status();
  settings.content_type = *content_type;
  settings.repository_unique_id = config.repository_unique_id().empty()
                                      ? kDefaultRepositoryUniqueId
                                      : config.repository_unique_id();
  settings.hospital = hospital;
  settings.allow_test_ins = identity.environment() == navette::config::IdentitySettings::TEST;
  return settings;
}

}  // namespace navette::adapters::dmp
