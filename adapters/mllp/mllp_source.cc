#include "adapters/mllp/mllp_source.h"

#include <chrono>
#include <utility>

#include "adapters/tls/tls_context.h"
#include "common/listen_address.h"
#include "kinds/duration_setting.h"

namespace navette::adapters::mllp {

absl::StatusOr<MllpServerOptions> MllpSourceOptions(const navette::config::MllpSource& config,
                                                    const kinds::SourceContext& context) {
  auto address = ParseListenAddress(config.listen());
  if (!address.ok()) return kinds::SettingError("listen", std::string(address.status().message()));
  MllpServerOptions options;
  options.source_name = context.name;
  options.listen_host = address->host;
  options.listen_port = address->port;
  options.max_message_bytes = config.max_message_bytes();
  options.idle_timeout = kinds::Milliseconds(config.idle_timeout());
  options.max_connections = config.max_connections();
  options.max_connections_per_peer = config.max_connections_per_peer();
  options.default_charset = context.default_charset;
  options.profile = documents::ProfileOf(context.profile);
  if (config.has_tls()) {
    // Read here, dry run included: `check` reports an unusable certificate,
    // key, CA or cipher list at its key, as `serve` would.
    auto tls = tls::MakeServerContext(config.tls(), "tls");
    if (!tls.ok()) return kinds::SettingErrorFromText(tls.status(), "tls");
    options.tls = std::shared_ptr<SSL_CTX>(tls->release(), SSL_CTX_free);
    options.tls_handshake_timeout = kinds::Milliseconds(config.tls().handshake_timeout());
  }
  if (kinds::MetricsScope* metrics = context.metrics) {
    options.on_rejected = [metrics](std::string_view reason) { metrics->Rejected(reason); };
  }
  return options;
}

MllpSource::MllpSource(MllpServerOptions options, MllpServer::PublisherFactory publishers)
    : server_(std::move(options), std::move(publishers)) {}

MllpSource::~MllpSource() { Stop(); }

absl::Status MllpSource::Start() {
  absl::Status started = server_.Start();
  ready_ = started.ok();
  return started;
}

void MllpSource::Stop() {
  ready_ = false;
  server_.Stop();
}

bool MllpSource::Ready() const { return ready_; }

}  // namespace navette::adapters::mllp
