// A bare TCP connection from a chosen loopback address, to stand for several
// peers on one machine: Linux routes all of 127.0.0.0/8 to `lo`, so a socket
// bound to 127.0.0.2 before connecting is, to the server, another host than
// one on 127.0.0.1. Tests of per-peer connection limits hold such connections
// idle while a client on 127.0.0.1 goes on working.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "absl/status/statusor.h"

namespace navette::testing {

class LoopbackPeer {
 public:
  // A connection from `from` (an IPv4 loopback address) to 127.0.0.1:`port`,
  // established (the server's kernel completed the handshake; the server may
  // not have accepted it yet).
  static absl::StatusOr<LoopbackPeer> Connect(const std::string& from, uint16_t port) {
    LoopbackPeer peer(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (peer.fd_ < 0)
      return absl::UnavailableError(fmt::format("socket: {}", std::strerror(errno)));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1) {
      return absl::InvalidArgumentError(fmt::format("not an IPv4 address: {}", from));
    }
    if (::bind(peer.fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      return absl::UnavailableError(fmt::format("bind {}: {}", from, std::strerror(errno)));
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(peer.fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      return absl::UnavailableError(
          fmt::format("connect from {} to port {}: {}", from, port, std::strerror(errno)));
    }
    return peer;
  }

  LoopbackPeer(LoopbackPeer&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  LoopbackPeer& operator=(LoopbackPeer&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~LoopbackPeer() {
    if (fd_ >= 0) ::close(fd_);
  }

  // True when the server closes the connection (end of stream or reset)
  // within `wait`; bytes it sends meanwhile are discarded.
  bool ClosedByServer(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd entry{fd_, POLLIN, 0};
      const int ready = ::poll(&entry, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char buffer[4096];
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) return true;
    }
  }

 private:
  explicit LoopbackPeer(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace navette::testing
