// The "host:port" syntax of listen addresses (sources' mllp.listen,
// engine.admin.listen): a host name or IPv4 address, or an IPv6 address in
// brackets, then a port from 1 to 65535: "0.0.0.0:2575", "localhost:2575",
// "[::1]:2575". The host is required; "0.0.0.0" or "[::]" listens on every
// interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette {

struct ListenAddress {
  std::string host;  // without the brackets of an IPv6 address
  uint16_t port = 0;
};

// The error says what is wrong with the text, calling it `what`. The same
// syntax serves addresses to connect to (mllp.address): then the host names
// the peer.
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text,
                                                 std::string_view what = "listen address");

}  // namespace navette
