// The numeric address of either end of a connected socket, as text
// ("127.0.0.1", "::1"), for per-peer accounting and for the request's
// REMOTE_ADDR. An IPv4 peer reaching an IPv6 socket shows as
// "::ffff:a.b.c.d", always the same way, so one peer is still one key.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

namespace navette::engine {

struct SocketAddress {
  std::string ip;
  int port = 0;
};

enum class SocketEnd { kLocal, kPeer };

inline std::optional<SocketAddress> AddressOf(int fd, SocketEnd end) {
  sockaddr_storage storage{};
  socklen_t size = sizeof storage;
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  const int got = end == SocketEnd::kPeer ? ::getpeername(fd, address, &size)
                                          : ::getsockname(fd, address, &size);
  if (got != 0) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  SocketAddress result;
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    if (::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text) == nullptr) return std::nullopt;
    result.port = ntohs(v4->sin_port);
  } else if (storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    if (::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text) == nullptr) return std::nullopt;
    result.port = ntohs(v6->sin6_port);
  } else {
    return std::nullopt;
  }
  result.ip = text;
  return result;
}

}  // namespace navette::engine
