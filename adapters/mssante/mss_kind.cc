#include "adapters/mssante/mss_kind.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/mssante/mss_destination.h"
#include "adapters/mssante/mss_kind_checks.h"
#include "adapters/mssante/mss_receipts_source.h"
#include "adapters/mssante/mss_settings.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::mssante {
namespace {

using DestinationSettings = navette::config::MssanteDestination;
using SourceSettings = navette::config::MssanteReceiptsSource;

constexpr int64_t kDefaultPollSeconds = 30;

void ApplyDestinationDefaults(DestinationSettings& config) {
  kinds::SetDurationIfAbsent(config, &DestinationSettings::has_connect_timeout,
                             &DestinationSettings::mutable_connect_timeout,
                             kDefaultConnectTimeoutSeconds);
  kinds::SetDurationIfAbsent(config, &DestinationSettings::has_timeout,
                             &DestinationSettings::mutable_timeout, kDefaultTimeoutSeconds);
}

void CheckDestination(const DestinationSettings& config, kinds::CheckReporter& reporter) {
  if (auto address = ParseHostPort(config.smtp_address(), kDefaultSubmissionPort); !address.ok()) {
    reporter.Error("smtp_address",
                   fmt::format("mssante.smtp_address {}", std::string(address.status().message())));
  }
  CheckSecurity(config.security(), "mssante", reporter);
  CheckMailTls(config.tls(), "mssante", reporter);
  CheckSasl(config.sasl().mechanism(), "sasl.mechanism", !config.sasl().username().empty(),
            !config.sasl().password_env().empty(), "mssante", reporter);
  if (config.mailbox().empty()) {
    reporter.Error("mailbox",
                   "mssante.mailbox is required: the applicative mailbox's address "
                   "(From, and where the DSNs come back)");
  } else if (config.mailbox().find('@') == std::string::npos) {
    reporter.Error(
        "mailbox",
        fmt::format("mssante.mailbox '{}' is not a mail address (name@domain)", config.mailbox()));
  }
  if (config.product_reference().empty()) {
    reporter.Error("product_reference",
                   "mssante.product_reference is required: X-MSS-NIL, the product's reference "
                   "on the ANS convergence portal, goes on every message");
  }
  kinds::CheckAtLeastOneMs(config.has_connect_timeout(), config.connect_timeout(),
                           "connect_timeout", "mssante.connect_timeout", reporter);
  kinds::CheckAtLeastOneMs(config.has_timeout(), config.timeout(), "timeout", "mssante.timeout",
                           reporter);
}

absl::StatusOr<std::unique_ptr<Destination>> CreateDestination(
    const DestinationSettings& config, const kinds::DestinationContext& context) {
  auto settings = ResolveMssSettings(config, *context.hospital, *context.identity);
  if (!settings.ok()) return settings.status();
  if (absl::Status readable = CheckTlsFiles(config.tls()); !readable.ok()) {
    return readable;
  }
  if (context.dry_run) return std::unique_ptr<Destination>();
  return std::make_unique<MssDestination>(context.name, std::move(*settings), context.clock);
}

void ApplySourceDefaults(SourceSettings& config) {
  kinds::SetDurationIfAbsent(config, &SourceSettings::has_poll_interval,
                             &SourceSettings::mutable_poll_interval, kDefaultPollSeconds);
  kinds::SetDurationIfAbsent(config, &SourceSettings::has_timeout, &SourceSettings::mutable_timeout,
                             kDefaultTimeoutSeconds);
}

void CheckSource(const SourceSettings& config, kinds::CheckReporter& reporter) {
  const int default_port = config.security() == "implicit" ? 993 : 143;
  if (auto address = ParseHostPort(config.imap_address(), default_port); !address.ok()) {
    reporter.Error("imap_address", fmt::format("mssante_receipts.imap_address {}",
                                               std::string(address.status().message())));
  }
  CheckSecurity(config.security(), "mssante_receipts", reporter);
  CheckMailTls(config.tls(), "mssante_receipts", reporter);
  CheckSasl(config.sasl(), "sasl", !config.username().empty(), !config.password_env().empty(),
            "mssante_receipts", reporter);
  if (config.username().empty()) {
    reporter.Error("username",
                   "mssante_receipts.username is required: the IMAP login of the "
                   "applicative mailbox");
  }
  if (config.sasl().empty() && config.password_env().empty()) {
    reporter.Error("password_env",
                   "mssante_receipts.password_env is required unless sasl is EXTERNAL: the "
                   "environment variable holding the IMAP password");
  }
  kinds::CheckAtLeastOneMs(config.has_poll_interval(), config.poll_interval(), "poll_interval",
                           "mssante_receipts.poll_interval", reporter);
  kinds::CheckAtLeastOneMs(config.has_timeout(), config.timeout(), "timeout",
                           "mssante_receipts.timeout", reporter);
}

absl::StatusOr<std::unique_ptr<Source>> CreateSource(const SourceSettings& config,
                                                     const kinds::SourceContext& context) {
  auto settings = ResolveReceiptsSettings(config);
  if (!settings.ok()) return settings.status();
  if (absl::Status readable = CheckTlsFiles(config.tls()); !readable.ok()) {
    return readable;
  }
  if (context.dry_run) return std::unique_ptr<Source>();
  return std::make_unique<MssReceiptsSource>(context.name, std::move(*settings), context);
}

}  // namespace

kinds::DestinationKind MssanteDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<DestinationSettings>{
      .name = "mssante",
      .apply_defaults = ApplyDestinationDefaults,
      .check = CheckDestination,
      .create = CreateDestination,
      // One document per submission, two at once: an operator counts its
      // clients' connections.
      .traits = {.batch_size = 1, .default_max_in_flight = 2},
  });
}

kinds::SourceKind MssanteReceiptsSourceKind() {
  return kinds::Erase(kinds::TypedSourceKind<SourceSettings>{
      .name = "mssante_receipts",
      .apply_defaults = ApplySourceDefaults,
      .check = CheckSource,
      .create = CreateSource,
  });
}

}  // namespace navette::adapters::mssante
