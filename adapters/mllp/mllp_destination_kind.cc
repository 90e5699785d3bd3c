#include "adapters/mllp/mllp_destination_kind.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "adapters/mllp/mllp_destination.h"
#include "adapters/mllp/mllp_probe.h"
#include "common/listen_address.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::mllp {
namespace {

// The kind's settings, as configured.
using Settings = navette::config::MllpDestination;

void ApplyDefaults(Settings& config) {
  kinds::SetDurationIfAbsent(config, &Settings::has_connect_timeout,
                             &Settings::mutable_connect_timeout,
                             kDefaultDestinationConnectTimeoutSeconds);
  kinds::SetDurationIfAbsent(config, &Settings::has_ack_timeout, &Settings::mutable_ack_timeout,
                             kDefaultAckTimeoutSeconds);
  if (config.on_ae() == Settings::FAILURE_UNSPECIFIED) {
    config.set_on_ae(Settings::TRANSIENT);
  }
  if (config.on_ar() == Settings::FAILURE_UNSPECIFIED) {
    config.set_on_ar(Settings::PERMANENT);
  }
}

void Check(const Settings& config, kinds::CheckReporter& reporter) {
  const std::string& address = config.address();
  if (address.empty()) {
    reporter.Error("address", "mllp.address is required");
  } else if (auto parsed = ParseListenAddress(address, "address"); !parsed.ok()) {
    reporter.Error("address",
                   fmt::format("mllp.address: {}", std::string(parsed.status().message())));
  }
  kinds::CheckAtLeastOneMs(config.has_connect_timeout(), config.connect_timeout(),
                           "connect_timeout", "mllp.connect_timeout", reporter);
  kinds::CheckAtLeastOneMs(config.has_ack_timeout(), config.ack_timeout(), "ack_timeout",
                           "mllp.ack_timeout", reporter);
}

absl::StatusOr<std::unique_ptr<Destination>> Create(const Settings& config,
                                                    const kinds::DestinationContext& context) {
  if (context.dry_run) {
    // DRY RUN (`navette check`): no connection, but the TLS files are read
    // as Create would. The address was parsed by Check. `check --connect`
    // reaches the peer through Probe.
    if (config.has_tls()) {
      if (auto tls = ClientTls(config); !tls.ok()) return tls.status();
    }
    return std::unique_ptr<Destination>();
  }
  return MllpDestination::Create(config, context.policy.max_in_flight);
}

kinds::ProbeResult Probe(const Settings& config, const kinds::DestinationContext& /*context*/) {
  return ProbeMllp(config);
}

}  // namespace

kinds::DestinationKind MllpDestinationKind() {
  return kinds::Erase(kinds::TypedDestinationKind<Settings>{
      .name = "mllp",
      .apply_defaults = ApplyDefaults,
      .check = Check,
      .create = Create,
      .probe = Probe,
      // One message per exchange (send, then read its ACK); up to 4
      // exchanges at once, each on its own connection.
      .traits = {.batch_size = 1, .default_max_in_flight = 4},
  });
}

}  // namespace navette::adapters::mllp
