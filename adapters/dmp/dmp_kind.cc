#include "adapters/dmp/dmp_kind.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/dmp/dmp_destination.h"
#include "adapters/dmp/dmp_settings.h"
#include "adapters/dmp/transport/dmp_tls.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::dmp {
namespace {

using Settings = navette::config::DmpDestination;

std::string Text(const absl::Status& status) { return std::string(status.message()); }

void ApplyDefaults(Settings& config) {
  kinds::SetDurationIfAbsent(config, &Settings::has_connect_timeout,
                             &Settings::mutable_connect_timeout, kDefaultConnectTimeoutSeconds);
  kinds::SetDurationIfAbsent(config, &Settings::has_timeout, &Settings::mutable_timeout,
                             kDefaultTimeoutSeconds);
}

void CheckUrl(const std::string& url, std::string_view field, kinds::CheckReporter& reporter) {
  if (!url.empty() && !url.starts_with("https://")) {
    reporter.Error(field, fmt::format("dmp.{} '{}' must start with https:// (the DMP is only "
                                      "reached over mutual TLS)",
                                      field, url));
  }
}

// One key pair: PEM files, or a PKCS#12 file; `section` is "tls" or
// "signing".
void CheckCredentials(const navette::config::DmpCredentials& credentials, std::string_view section,
                      kinds::CheckReporter& reporter) {
  const bool pem = !credentials.cert_file().empty() || !credentials.key_file().empty();
  const bool pkcs12 = !credentials.pkcs12_file().empty();
  if (pem && pkcs12) {
    reporter.Error(
        fmt::format("{}.pkcs12_file", section),
        fmt::format("dmp.{}: give cert_file and key_file, or pkcs12_file, not both", section));
  } else if (!pem && !pkcs12) {
    reporter.Error(section, fmt::format("dmp.{}: a certificate and its key are required "
                                        "(cert_file and key_file, or pkcs12_file)",
                                        section));
  } else if (pem && (credentials.cert_file().empty() || credentials.key_file().empty())) {
    reporter.Error(
        fmt::format("{}.{}", section, credentials.cert_file().empty() ? "cert_file" : "key_file"),
        fmt::format("dmp.{}: cert_file and key_file go together", section));
  }
  if (pkcs12 && credentials.pkcs12_password_env().empty()) {
    reporter.Error(fmt::format("{}.pkcs12_password_env", section),
                   fmt::format("dmp.{}.pkcs12_password_env names the environment variable "
                               "holding the PKCS#12 password; required with pkcs12_file",
                               section));
  }
}

void Check(const Settings& config, kinds::CheckReporter& reporter) {
  if (config.repository_url().empty()) {
    reporter.Error("repository_url", "dmp.repository_url is required");
  }
  CheckUrl(config.repository_url(), "repository_url", reporter);
  CheckUrl(config.registry_url(), "registry_url", reporter);
  if (!config.repository_url().empty() && config.registry_url().empty() &&
      RegistryUrlOf(config.repository_url()).empty()) {
    reporter.Error("registry_url",
                   "dmp.registry_url is required when repository_url does not end with "
                   "DocumentRepository_Service");
  }
  kinds::CheckAtLeastOneMs(config.has_connect_timeout(), config.connect_timeout(),
                           "connect_timeout", "dmp.connect_timeout", reporter);
  kinds::CheckAtLeastOneMs(config.has_timeout(), config.timeout(), "timeout", "dmp.timeout",
                           reporter);
  if (config.tls().ca_file().empty()) {
    reporter.Error("tls.ca_file",
                   "dmp.tls.ca_file is required: the DMP's certificate is always "
                   "verified, against the authorities of this file");
  }
  CheckCredentials(config.tls(), "tls", reporter);
  if (!config.signing().ca_file().empty()) {
    reporter.Error("signing.ca_file",
                   "dmp.signing.ca_file means nothing: the CA bundle belongs "
                   "to dmp.tls");
  }
  CheckCredentials(config.signing(), "signing", reporter);
  const navette::config::DmpVihf& vihf = config.vihf();
  if (vihf.homologation_number().empty()) {
    reporter.Error("vihf.homologation_number",
                   "dmp.vihf.homologation_number is required: the number the CNAM gave the "
                   "software at homologation (LPS_ID_HOMOLOGATION_DMP)");
  }
  if (!vihf.mode_attribute().empty() && vihf.mode_attribute() != "Authentification_mode" &&
      vihf.mode_attribute() != "Authentification_Mode") {
    reporter.Error("vihf.mode_attribute",
                   fmt::format("dmp.vihf.mode_attribute '{}' is neither Authentification_mode "
                               "(the DMP's samples) nor Authentification_Mode (the ANS guide)",
                               vihf.mode_attribute()));
  }
  if (!vihf.digest().empty() && vihf.digest() != "sha256" && vihf.digest() != "sha1") {
    reporter.Error("vihf.digest",
                   fmt::format("dmp.vihf.digest '{}' is neither sha256 nor sha1", vihf.digest()));
  }
}

// Both key pairs open, match their certificates, and are not the same pair
// (the DMP refuses a VIHF signed with the TLS key: DMPInvalidCertificate).
absl::StatusOr<vihf::VihfSigner> LoadAndCheckKeys(const DmpSettings& settings) {
  if (absl::Status tls = transport::CheckDmpTls(settings.tls); !tls.ok()) {
    // CheckDmpTls's messages start with the setting's name ("tls.ca_file: ...").
    return kinds::SettingErrorFromText(tls, "tls");
  }
  const SigningFiles& files = settings.signing;
  absl::StatusOr<vihf::VihfSigner> signer =
      files.pkcs12_file.empty()
          ? vihf::VihfSigner::FromPemFiles(files.key_file, files.cert_file)
          : vihf::VihfSigner::FromPkcs12File(files.pkcs12_file, files.pkcs12_password);
  if (!signer.ok()) return kinds::SettingError("signing", Text(signer.status()));
  auto tls_certificate = transport::LoadClientCertificate(settings.tls);
  if (!tls_certificate.ok()) return kinds::SettingError("tls", Text(tls_certificate.status()));
  absl::StatusOr<vihf::X509Ptr> signing_certificate = absl::InternalError("not read");
  if (files.pkcs12_file.empty()) {
    signing_certificate = vihf::LoadCertificatePemFile(files.cert_file);
  } else if (auto credentials =
                 vihf::LoadPkcs12Credentials(files.pkcs12_file, files.pkcs12_password);
             credentials.ok()) {
    signing_certificate = std::move(credentials->certificate);
  } else {
    signing_certificate = credentials.status();
  }
  if (!signing_certificate.ok()) {
    return kinds::SettingError("signing", Text(signing_certificate.status()));
  }
  if (absl::Status distinct =
          transport::CheckDistinctKeyPairs(tls_certificate->get(), signing_certificate->get());
      !distinct.ok()) {
    return kinds::SettingError(
        "signing",
        "the signing key pair is the TLS key pair: the DMP refuses a VIHF signed "
        "with the authentication certificate (DMPInvalidCertificate); configure "
        "the establishment's signing (cachet, ORG-SIGN) certificate");
  }
  return signer;
}

absl::StatusOr<std::unique_ptr<Destination>> Create(const Settings& config,
                                                    const kinds::DestinationContext& context) {
  const navette::config::Hospital& hospital = *context.hospital;
  if (hospital.finess().empty() || hospital.oid_root().empty()) {
    return kinds::SettingError("",
                               "hospital.finess and hospital.oid_root are required by a "
                               "dmp destination (the VIHF's structure, the submission's "
                               "source)");
  }
  auto settings = ResolveDmpSettings(config, hospital, *context.identity);
  if (!settings.ok()) return settings.status();
  auto signer = LoadAndCheckKeys(*settings);
  if (!signer.ok()) return signer.status();
  // DRY RUN (`navette check`): both key pairs loaded and compared; no
  // connection.
  if (context.dry_run) return std::unique_ptr<Destination>();
  return DmpDestination::Create(context.name, std::move(*settings), std::move(*signer),
                                context.documents, context.clock, context.policy.max_in_flight);
}

}  // namespace

kinds::DestinationKind DmpDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = "dmp",
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      // One document per exchange, a few exchanges at once, each on its own
      // keep-alive connection.
      .traits = {.batch_size = 1, .default_max_in_flight = 4},
  });
}

}  // namespace navette::adapters::dmp
