#include "common/listen_address.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace navette {
namespace {

absl::Status Invalid(std::string_view what, std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("invalid {} '{}': {} (expected host:port, e.g. \"0.0.0.0:2575\" or "
                  "\"[::1]:2575\")",
                  what, text, why));
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Loose on purpose: the resolver has the last word; this only catches what
// can never be an IPv6 address, such as a stray space. Letters beyond hex
// digits are allowed for a zone ("fe80::1%eth0").
bool IsIpv6Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '%';
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text, std::string_view what) {
  if (text.empty()) return Invalid(what, text, "it is empty");
  if (text.find("://") != std::string_view::npos) {
    return Invalid(what, text, "write host:port without a scheme");
  }
  ListenAddress address;
  std::string_view port_text;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Invalid(what, text, "missing ']' after the IPv6 address");
    std::string_view host = text.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos) {
      return Invalid(what, text, "an IPv6 address is expected between the brackets");
    }
    for (char c : host) {
      if (!IsIpv6Char(c))
        return Invalid(what, text, fmt::format("unexpected '{}' in the IPv6 address", c));
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return Invalid(what, text, "missing ':port' after the IPv6 address");
    }
    address.host = std::string(host);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Invalid(what, text, "the port is missing");
    std::string_view host = text.substr(0, colon);
    if (host.empty()) return Invalid(what, text, "the host is missing");
    if (host.find(':') != std::string_view::npos) {
      return Invalid(what, text, "an IPv6 address must be written in brackets");
    }
    for (char c : host) {
      if (!IsHostNameChar(c))
        return Invalid(what, text, fmt::format("unexpected '{}' in the host", c));
    }
    address.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return Invalid(what, text, "the port is missing");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return Invalid(what, text, "the port must be a number from 1 to 65535");
  }
  address.port = static_cast<uint16_t>(port);
  return address;
}

}  // namespace navette
