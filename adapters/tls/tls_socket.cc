#include "adapters/tls/tls_socket.h"

#include <openssl/err.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "adapters/tls/tls_context.h"
#include "common/sigpipe_blocked.h"

namespace navette::adapters::tls {
namespace {

using Clock = TlsSocket::Clock;

int RemainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 1 << 30));
}

// OpenSSL's reason for the last failure on this thread, and the queue
// emptied for the next call.
std::string LastReason(int ssl_error) {
  const unsigned long last = ERR_peek_last_error();
  std::string reason;
  if (last != 0 && ERR_reason_error_string(last) != nullptr) {
    reason = ERR_reason_error_string(last);
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    reason = errno != 0 ? std::strerror(errno) : "connection closed by peer";
  } else {
    reason = fmt::format("TLS error {}", ssl_error);
  }
  ERR_clear_error();
  return reason;
}

// A TCP close without close_notify. OpenSSL 3 reports it as an error; for
// the callers here the framing (MLLP's end block, HTTP's length) says
// whether anything was cut short, so it reads as the end of the stream.
bool UnexpectedEof(int ssl_error) {
  if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0 && errno == 0) return true;
  return ssl_error == SSL_ERROR_SSL &&
         ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

}  // namespace

absl::StatusOr<bool> TlsSocket::WaitFor(int error, Clock::time_point deadline) const {
  const short events = error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
  while (true) {
    pollfd entry{fd_, events, 0};
    const int ready = poll(&entry, 1, RemainingMs(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return absl::InternalError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

template <class Step>
absl::Status TlsSocket::Handshake(Step step, Clock::time_point deadline) {
  const SigpipeBlocked no_sigpipe;
  while (true) {
    ERR_clear_error();
    errno = 0;
    const int done = step(ssl_);
    if (done == 1) return absl::OkStatus();
    const int error = SSL_get_error(ssl_, done);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      return absl::UnavailableError(
          fmt::format("TLS handshake failed: {}", HandshakeRefusal(ssl_, LastReason(error))));
    }
    auto ready = WaitFor(error, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("TLS handshake timed out");
  }
}

absl::StatusOr<std::unique_ptr<TlsSocket>> TlsSocket::Connect(SSL_CTX* context, int fd,
                                                              const std::string& host,
                                                              Clock::time_point deadline) {
  SSL* ssl = SSL_new(context);
  if (ssl == nullptr) return absl::InternalError("cannot create an OpenSSL connection");
  std::unique_ptr<TlsSocket> socket(new TlsSocket(ssl, fd));
  if (SSL_set_fd(ssl, fd) != 1) return absl::InternalError("cannot attach TLS to the socket");
  if (absl::Status expected = ExpectServer(ssl, host); !expected.ok()) return expected;
  if (absl::Status done = socket->Handshake(SSL_connect, deadline); !done.ok()) return done;
  return socket;
}

absl::StatusOr<std::unique_ptr<TlsSocket>> TlsSocket::Accept(SSL_CTX* context, int fd,
                                                             Clock::time_point deadline) {
  SSL* ssl = SSL_new(context);
  if (ssl == nullptr) return absl::InternalError("cannot create an OpenSSL connection");
  std::unique_ptr<TlsSocket> socket(new TlsSocket(ssl, fd));
  if (SSL_set_fd(ssl, fd) != 1) return absl::InternalError("cannot attach TLS to the socket");
  if (absl::Status done = socket->Handshake(SSL_accept, deadline); !done.ok()) return done;
  return socket;
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

absl::StatusOr<size_t> TlsSocket::Read(char* buffer, size_t size, Clock::time_point deadline) {
  const SigpipeBlocked no_sigpipe;  // reading may write (a key update's answer)
  const int want = static_cast<int>(std::min<size_t>(size, 1 << 30));
  while (true) {
    ERR_clear_error();
    errno = 0;
    const int got = SSL_read(ssl_, buffer, want);
    if (got > 0) return static_cast<size_t>(got);
    const int error = SSL_get_error(ssl_, got);
    if (error == SSL_ERROR_ZERO_RETURN || UnexpectedEof(error)) {
      ERR_clear_error();
      return 0;
    }
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      return absl::UnavailableError(fmt::format("TLS read failed: {}", LastReason(error)));
    }
    auto ready = WaitFor(error, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("nothing received in time");
  }
}

absl::Status TlsSocket::Write(std::string_view bytes, Clock::time_point deadline) {
  const SigpipeBlocked no_sigpipe;
  while (!bytes.empty()) {
    ERR_clear_error();
    errno = 0;
    // After WANT_*, OpenSSL wants the same call again, same buffer and
    // length: the loop repeats it until it writes.
    const int chunk = static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30));
    const int written = SSL_write(ssl_, bytes.data(), chunk);
    if (written > 0) {
      bytes.remove_prefix(static_cast<size_t>(written));
      continue;
    }
    const int error = SSL_get_error(ssl_, written);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      return absl::UnavailableError(fmt::format("TLS write failed: {}", LastReason(error)));
    }
    auto ready = WaitFor(error, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) {
      return absl::DeadlineExceededError(
          fmt::format("send timed out with {} bytes not taken by the peer", bytes.size()));
    }
  }
  return absl::OkStatus();
}

void TlsSocket::ShutdownSend() {
  const SigpipeBlocked no_sigpipe;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace navette::adapters::tls
