#include "adapters/mllp/host_port.h"

#include <charconv>

namespace navette::adapters::mllp {

absl::Status SplitHostPort(std::string_view text, std::string& host, uint16_t& port) {
  std::string_view host_part;
  std::string_view port_part;
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return absl::InvalidArgumentError("missing ']:'");
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return absl::InvalidArgumentError("the port is missing");
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
  }
  unsigned number = 0;
  auto [end, error] =
      std::from_chars(port_part.data(), port_part.data() + port_part.size(), number);
  if (host_part.empty() || error != std::errc() || end != port_part.data() + port_part.size() ||
      number < 1 || number > 65535) {
    return absl::InvalidArgumentError("expected host:port with a port from 1 to 65535");
  }
  host = std::string(host_part);
  port = static_cast<uint16_t>(number);
  return absl::OkStatus();
}

}  // namespace navette::adapters::mllp
