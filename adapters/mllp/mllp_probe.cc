#include "adapters/mllp/mllp_probe.h"

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "adapters/mllp/client.h"
#include "adapters/mllp/host_port.h"
#include "adapters/mllp/mllp_destination.h"
#include "common/fmt_absl.h"

namespace navette::adapters::mllp {

kinds::ProbeResult ProbeMllp(const navette::config::MllpDestination& config) {
  std::string host;
  uint16_t port = 0;
  if (absl::Status split = SplitHostPort(config.address(), host, port); !split.ok()) {
    return {false, fmt::format("mllp.address '{}': {}", config.address(), split.message())};
  }
  std::chrono::milliseconds timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(config.connect_timeout().seconds()) +
      std::chrono::nanoseconds(config.connect_timeout().nanos()));
  if (timeout.count() <= 0) timeout = std::chrono::seconds(5);  // the documented default
  // The client's error already says "cannot connect to host:port: why".
  std::shared_ptr<SSL_CTX> tls;
  if (config.has_tls()) {
    auto context = ClientTls(config);
    if (!context.ok()) return {false, std::string(context.status().message())};
    tls = std::move(*context);
  }
  absl::StatusOr<std::unique_ptr<MllpClient>> client =
      MllpClient::Connect(host, port, timeout, tls.get());
  if (!client.ok()) return {false, std::string(client.status().message())};
  return {true, fmt::format("connected to {}{}", config.address(), tls ? " (TLS)" : "")};
}

}  // namespace navette::adapters::mllp
