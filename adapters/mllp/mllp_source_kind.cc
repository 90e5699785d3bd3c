#include "adapters/mllp/mllp_source_kind.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "adapters/mllp/mllp_source.h"
#include "adapters/mllp/server.h"
#include "common/listen_address.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::mllp {
namespace {

using MllpSourceConfig = navette::config::MllpSource;

// A dry run reads the settings as Start would, and binds nothing.
absl::StatusOr<std::unique_ptr<Source>> CreateMllpSource(const MllpSourceConfig& config,
                                                         const kinds::SourceContext& context) {
  auto options = MllpSourceOptions(config, context);
  if (!options.ok()) return options.status();
  if (context.dry_run) return nullptr;
  if (!context.connect_publisher) {
    return absl::InvalidArgumentError("an mllp source needs a bus publisher to start");
  }
  return std::make_unique<MllpSource>(std::move(*options), context.connect_publisher);
}

std::vector<std::string> ListenAddresses(const MllpSourceConfig& config) {
  if (config.listen().empty()) return {};
  return {config.listen()};
}

}  // namespace

void ApplyMllpSourceDefaults(MllpSourceConfig& config) {
  if (config.has_tls() && !config.tls().has_handshake_timeout()) {
    config.mutable_tls()->mutable_handshake_timeout()->set_seconds(
        kDefaultTlsHandshakeTimeoutSeconds);
  }
  if (config.max_message_bytes() == 0) config.set_max_message_bytes(kDefaultMaxMessageBytes);
  if (!config.has_idle_timeout()) {
    config.mutable_idle_timeout()->set_seconds(kDefaultIdleTimeoutSeconds);
  }
  if (config.max_connections() == 0) config.set_max_connections(kDefaultMaxConnections);
  if (config.max_connections_per_peer() == 0) {
    // A source configured for fewer connections than the per-peer default
    // lets one peer use them all, as it did before the option existed.
    config.set_max_connections_per_peer(
        std::min(kDefaultMaxConnectionsPerPeer, config.max_connections()));
  }
}

void CheckMllpSource(const MllpSourceConfig& config, kinds::CheckReporter& reporter) {
  if (config.listen().empty()) {
    reporter.Error("listen", "mllp.listen is required");
  } else if (auto address = ParseListenAddress(config.listen()); !address.ok()) {
    reporter.Error("listen", std::string(address.status().message()));
  }
  if (config.has_tls()) {
    kinds::CheckAtLeastOneMs(config.tls().has_handshake_timeout(), config.tls().handshake_timeout(),
                             "tls.handshake_timeout", "mllp.tls.handshake_timeout", reporter);
  }
  if (config.max_connections_per_peer() > config.max_connections()) {
    reporter.Error("max_connections_per_peer",
                   fmt::format("mllp.max_connections_per_peer ({}) must not exceed "
                               "mllp.max_connections ({})",
                               config.max_connections_per_peer(), config.max_connections()));
  }
}

kinds::SourceKind MllpSourceKind() {
  return kinds::Erase(kinds::TypedSourceKind<MllpSourceConfig>{
      .name = "mllp",
      .apply_defaults = ApplyMllpSourceDefaults,
      .check = CheckMllpSource,
      .create = CreateMllpSource,
      .listen_addresses = ListenAddresses,
      .reject_reasons = {std::begin(kRejectReasons), std::end(kRejectReasons)},
  });
}

}  // namespace navette::adapters::mllp
