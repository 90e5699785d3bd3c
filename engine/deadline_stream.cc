#include "engine/deadline_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "adapters/tls/tls_socket.h"
#include "engine/socket_address.h"

namespace navette::engine {

DeadlineStream::DeadlineStream(int fd, Clock::time_point read_deadline, size_t read_budget,
                               std::chrono::milliseconds write_timeout,
                               adapters::tls::TlsSocket* tls)
    : fd_(fd),
      tls_(tls),
      read_deadline_(read_deadline),
      read_budget_(read_budget),
      write_timeout_(write_timeout) {}

bool DeadlineStream::WaitFor(short events, Clock::time_point deadline) const {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd entry{fd_, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (ready > 0) return true;  // ready, or an error/hang-up the next call reports
    if (ready < 0 && errno != EINTR) return false;
  }
}

bool DeadlineStream::is_readable() const {
  if (read_budget_ == 0) return false;
  if (tls_ != nullptr && SSL_pending(tls_->ssl()) > 0) return true;
  return WaitFor(POLLIN, read_deadline_);
}

bool DeadlineStream::is_writable() const {
  const Clock::time_point deadline = wrote_ ? write_deadline_ : Clock::now() + write_timeout_;
  return WaitFor(POLLOUT, deadline);
}

ssize_t DeadlineStream::read(char* ptr, size_t size) {
  if (read_budget_ == 0) {
    read_budget_spent_ = true;
    return -1;
  }
  if (tls_ != nullptr) return ReadTls(ptr, size);
  for (;;) {
    if (!WaitFor(POLLIN, read_deadline_)) {
      read_deadline_passed_ = Clock::now() >= read_deadline_;
      return -1;
    }
    const ssize_t got = ::recv(fd_, ptr, std::min(size, read_budget_), MSG_DONTWAIT);
    if (got >= 0) {
      read_budget_ -= static_cast<size_t>(got);
      return got;
    }
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
  }
}

ssize_t DeadlineStream::write(const char* ptr, size_t size) {
  if (!wrote_) {
    wrote_ = true;
    write_deadline_ = Clock::now() + write_timeout_;
  }
  if (tls_ != nullptr) return WriteTls(ptr, size);
  for (;;) {
    if (!WaitFor(POLLOUT, write_deadline_)) return -1;
    const ssize_t sent = ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
  }
}

ssize_t DeadlineStream::ReadTls(char* ptr, size_t size) {
  absl::StatusOr<size_t> got = tls_->Read(ptr, std::min(size, read_budget_), read_deadline_);
  if (!got.ok()) {
    read_deadline_passed_ = absl::IsDeadlineExceeded(got.status());
    return -1;
  }
  read_budget_ -= *got;
  return static_cast<ssize_t>(*got);
}

ssize_t DeadlineStream::WriteTls(const char* ptr, size_t size) {
  if (!tls_->Write(std::string_view(ptr, size), write_deadline_).ok()) return -1;
  return static_cast<ssize_t>(size);
}

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  if (auto address = AddressOf(fd_, SocketEnd::kPeer)) {
    ip = std::move(address->ip);
    port = address->port;
  }
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  if (auto address = AddressOf(fd_, SocketEnd::kLocal)) {
    ip = std::move(address->ip);
    port = address->port;
  }
}

}  // namespace navette::engine
