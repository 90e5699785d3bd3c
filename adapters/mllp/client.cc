#include "adapters/mllp/client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "adapters/mllp/frame.h"
#include "adapters/tls/tls_socket.h"

namespace navette::adapters::mllp {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
absl::StatusOr<bool> Wait(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd entry{fd, events, 0};
    int ready = poll(&entry, 1, RemainingMs(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return absl::InternalError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

// Connects `fd` without blocking past `deadline`.
absl::Status ConnectWithin(int fd, const addrinfo& address, Clock::time_point deadline) {
  if (connect(fd, address.ai_addr, address.ai_addrlen) == 0) return absl::OkStatus();
  if (errno != EINPROGRESS) return absl::UnavailableError(std::strerror(errno));
  auto ready = Wait(fd, POLLOUT, deadline);
  if (!ready.ok()) return ready.status();
  if (!*ready) return absl::DeadlineExceededError("connect timed out");
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) return absl::UnavailableError(std::strerror(error));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MllpClient>> MllpClient::Connect(const std::string& host,
                                                                uint16_t port,
                                                                std::chrono::milliseconds timeout,
                                                                SSL_CTX* tls) {
  Clock::time_point deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string service = std::to_string(port);
  if (int error = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses); error != 0) {
    return absl::UnavailableError(
        fmt::format("cannot resolve {}:{}: {}", host, port, gai_strerror(error)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(addresses, &freeaddrinfo);
  absl::Status last = absl::UnavailableError("no address");
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    address->ai_protocol);
    if (fd < 0) {
      last = absl::UnavailableError(std::strerror(errno));
      continue;
    }
    std::unique_ptr<MllpClient> client(new MllpClient(fd));
    last = ConnectWithin(fd, *address, deadline);
    if (!last.ok()) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (tls == nullptr) return client;
    auto secured = tls::TlsSocket::Connect(tls, fd, host, deadline);
    if (secured.ok()) {
      client->tls_ = std::move(*secured);
      return client;
    }
    // Another address of the same name would present the same certificate.
    return absl::Status(
        secured.status().code(),
        fmt::format("{}:{}: {}", host, port, std::string(secured.status().message())));
  }
  return absl::Status(last.code(), fmt::format("cannot connect to {}:{}: {}", host, port,
                                               std::string(last.message())));
}

MllpClient::MllpClient(int fd) : fd_(fd) {}

MllpClient::~MllpClient() {
  // close_notify first: the peer reads the end of a TLS stream, not a cut.
  if (tls_ != nullptr && !peer_closed_) tls_->ShutdownSend();
  tls_.reset();
  if (fd_ >= 0) close(fd_);
}

int MllpClient::ReleaseFd() {
  if (tls_ != nullptr) return -1;
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

absl::StatusOr<std::string> MllpClient::Exchange(std::string_view message,
                                                 std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  if (absl::Status sent = SendAll(EncodeFrame(message), deadline); !sent.ok()) return sent;
  return ReadFrame(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

absl::Status MllpClient::SendRaw(std::string_view bytes) {
  return SendAll(bytes, Clock::now() + kSendTimeout);
}

absl::Status MllpClient::SendAll(std::string_view bytes, Clock::time_point deadline) {
  if (tls_ != nullptr) return tls_->Write(bytes, deadline);
  while (!bytes.empty()) {
    ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return absl::UnavailableError(fmt::format("send: {}", std::strerror(errno)));
    }
    auto ready = Wait(fd_, POLLOUT, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) {
      return absl::DeadlineExceededError(
          fmt::format("send timed out with {} bytes not taken by the peer", bytes.size()));
    }
  }
  return absl::OkStatus();
}

absl::Status MllpClient::ShutdownSend() {
  if (tls_ != nullptr) {
    tls_->ShutdownSend();
    return absl::OkStatus();
  }
  if (shutdown(fd_, SHUT_WR) != 0) {
    return absl::UnavailableError(fmt::format("shutdown: {}", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MllpClient::ReadFrame(std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (received_.empty()) {
    if (absl::Status read = ReadSome(deadline); !read.ok()) return read;
  }
  DecoderEvent event = std::move(received_.front());
  received_.pop_front();
  switch (event.kind) {
    case DecoderEvent::kFrame:
      return std::move(event.content);
    case DecoderEvent::kOversize:
      return absl::ResourceExhaustedError(
          fmt::format("received a frame of {} bytes, over the client's limit", event.total_bytes));
    case DecoderEvent::kGarbage:
      break;
  }
  return absl::DataLossError(fmt::format("peer broke MLLP framing: {}", event.reason));
}

bool MllpClient::PeerClosed(std::chrono::milliseconds wait) {
  Clock::time_point deadline = Clock::now() + wait;
  while (!peer_closed_) {
    absl::Status read = ReadSome(deadline);
    if (!read.ok() && !peer_closed_) return false;  // deadline, or poll itself failed
  }
  return true;
}

absl::Status MllpClient::ReadSome(Clock::time_point deadline) {
  if (peer_closed_) return absl::UnavailableError("connection closed by peer");
  char buffer[64 * 1024];
  if (tls_ != nullptr) {
    absl::StatusOr<size_t> got = tls_->Read(buffer, sizeof buffer, deadline);
    if (got.ok() && *got > 0) {
      Decode(std::string_view(buffer, *got));
      return absl::OkStatus();
    }
    if (got.ok() || absl::IsUnavailable(got.status())) {
      peer_closed_ = true;
      return absl::UnavailableError(got.ok() ? "connection closed by peer"
                                             : std::string(got.status().message()));
    }
    if (absl::IsDeadlineExceeded(got.status())) {
      return absl::DeadlineExceededError("no frame received in time");
    }
    return got.status();
  }
  while (true) {
    ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    if (got > 0) {
      Decode(std::string_view(buffer, static_cast<size_t>(got)));
      return absl::OkStatus();
    }
    if (got == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
      std::string why = got == 0 ? "connection closed by peer"
                                 : fmt::format("connection lost: {}", std::strerror(errno));
      peer_closed_ = true;
      return absl::UnavailableError(why);
    }
    if (errno == EINTR) continue;
    auto ready = Wait(fd_, POLLIN, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("no frame received in time");
  }
}

void MllpClient::Decode(std::string_view bytes) {
  std::vector<DecoderEvent> events;
  decoder_.Feed(bytes, events);
  for (DecoderEvent& event : events) received_.push_back(std::move(event));
}

std::string NormalizeSegmentTerminators(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 1);
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out.push_back(c == '\n' ? '\r' : c);
  }
  size_t last = out.find_last_not_of('\r');
  if (last == std::string::npos) return {};
  out.resize(last + 1);
  out.push_back('\r');
  return out;
}

}  // namespace navette::adapters::mllp
