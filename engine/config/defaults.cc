#include "engine/config/defaults.h"

#include <string>

namespace navette::engine::config {
namespace {

void ApplyMllpDefaults(navette::config::MllpSource& mllp) {
  if (mllp.max_message_bytes() == 0) mllp.set_max_message_bytes(kDefaultMllpMaxMessageBytes);
  if (!mllp.has_idle_timeout()) {
    mllp.mutable_idle_timeout()->set_seconds(kDefaultMllpIdleTimeoutSeconds);
  }
  if (mllp.max_connections() == 0) mllp.set_max_connections(kDefaultMllpMaxConnections);
}

}  // namespace

void ApplyDefaults(navette::config::Config& config) {
  navette::config::Engine& engine = *config.mutable_engine();
  if (engine.admin().listen().empty()) {
    engine.mutable_admin()->set_listen(std::string(kDefaultAdminListen));
  }
  navette::config::Ingress& ingress = *engine.mutable_ingress();
  if (ingress.max_batch() == 0) ingress.set_max_batch(kDefaultIngressMaxBatch);
  if (!ingress.has_retransmission_window()) {
    ingress.mutable_retransmission_window()->set_seconds(kDefaultRetransmissionWindowSeconds);
  }

  for (navette::config::Source& source : *config.mutable_sources()) {
    if (source.default_charset().empty()) {
      source.set_default_charset(std::string(kDefaultCharset));
    }
    if (source.has_mllp()) ApplyMllpDefaults(*source.mutable_mllp());
  }

  for (navette::config::Destination& destination : *config.mutable_destinations()) {
    if (destination.has_file() && destination.file().suffix().empty()) {
      destination.mutable_file()->set_suffix(std::string(kDefaultFileSuffix));
    }
  }
}

}  // namespace navette::engine::config
