#include "adapters/http/http_kind.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/http/http_destination.h"
#include "common/http_header.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::http {
namespace {

// The kind's settings, as configured.
using Settings = navette::config::HttpDestination;

void ApplyDefaults(Settings& config) {
  kinds::SetDurationIfAbsent(config, &Settings::has_connect_timeout,
                             &Settings::mutable_connect_timeout, kDefaultConnectTimeoutSeconds);
  kinds::SetDurationIfAbsent(config, &Settings::has_timeout, &Settings::mutable_timeout,
                             kDefaultTimeoutSeconds);
}

void Check(const Settings& config, kinds::CheckReporter& reporter) {
  const std::string& url = config.url();
  if (url.empty()) {
    reporter.Error("url", "http.url is required");
  } else if (!url.starts_with("http://") && !url.starts_with("https://")) {
    reporter.Error("url", fmt::format("http.url '{}' must start with http:// or https://", url));
  }
  for (const auto& [name, value] : config.headers()) {
    if (!IsValidHttpHeader(name, value)) {
      reporter.Error("headers",
                     fmt::format("http.headers: invalid header '{}' (a name is letters, digits "
                                 "and -_.!#$%&'*+^`|~; a value holds no line break)",
                                 name));
    }
  }
  kinds::CheckAtLeastOneMs(config.has_connect_timeout(), config.connect_timeout(),
                           "connect_timeout", "http.connect_timeout", reporter);
  kinds::CheckAtLeastOneMs(config.has_timeout(), config.timeout(), "timeout", "http.timeout",
                           reporter);
  const navette::config::Tls& tls = config.tls();
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    reporter.Error(tls.cert_file().empty() ? "tls.key_file" : "tls.cert_file",
                   "tls.cert_file and tls.key_file go together (a client certificate needs its "
                   "key)");
  }
}

absl::StatusOr<std::unique_ptr<Destination>> Create(const Settings& config,
                                                    const kinds::DestinationContext& context) {
  if (context.dry_run) {
    // DRY RUN (`navette check`): no curl handle, no connection. h5: open
    // the TLS files here (tls.ca_file must hold a certificate, tls.cert_file
    // and tls.key_file must be readable) and report each failure as
    // kinds::SettingError("tls.ca_file", ...) etc.
    return std::unique_ptr<Destination>();
  }
  return HttpDestination::Create(config, context.policy.max_in_flight);
}

}  // namespace

kinds::DestinationKind HttpDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = "http",
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      // One message per exchange; up to 4 exchanges at once, each on its
      // own keep-alive connection.
      .traits = {.batch_size = 1, .default_max_in_flight = 4},
  });
}

}  // namespace navette::adapters::http
