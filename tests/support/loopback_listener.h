// A TCP socket on 127.0.0.1 at a port of the system's choosing, for tests of
// what connects to a peer: listening (the kernel completes a connection's
// handshake before any accept), or only bound, so that a connection to its
// port is refused for as long as it lives (no other test can take the port
// meanwhile, unlike a port found free and closed).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

namespace navette::testing {

class LoopbackListener {
 public:
  enum class Mode { kListening, kBoundOnly };

  explicit LoopbackListener(Mode mode = Mode::kListening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        (mode == Mode::kListening && ::listen(fd_, 16) != 0)) {
      Close();
      return;
    }
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() { Close(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  bool ok() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }

  // Accepts one connection and reads it to its end: the number of bytes the
  // peer sent before closing, or -1 when no connection came or it did not
  // end within `timeout` at each step.
  long BytesUntilClosed(std::chrono::milliseconds timeout) {
    const int wait = static_cast<int>(timeout.count());
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, wait) != 1) return -1;
    const int connection = ::accept(fd_, nullptr, nullptr);
    if (connection < 0) return -1;
    long total = 0;
    char buffer[4096];
    while (true) {
      pollfd readable{connection, POLLIN, 0};
      if (::poll(&readable, 1, wait) != 1) {
        total = -1;
        break;
      }
      const ssize_t n = ::read(connection, buffer, sizeof buffer);
      if (n <= 0) break;
      total += n;
    }
    ::close(connection);
    return total;
  }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace navette::testing
