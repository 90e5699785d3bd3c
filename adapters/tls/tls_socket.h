// TLS over a connected non-blocking socket, each wait bounded by a deadline
// (poll): for the blocking-style callers, the MLLP client and the admin
// API's connection threads. asio's ssl::stream serves the MLLP listener.
//
// OpenSSL may need to write while the caller reads (a TLS 1.3 key update)
// and read while it writes: each call waits for whichever the library asks
// for, never past its deadline. The socket stays the caller's: TlsSocket
// neither closes it nor changes its mode (it must be non-blocking).
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace navette::adapters::tls {

class TlsSocket {
 public:
  using Clock = std::chrono::steady_clock;

  // The client's handshake, verifying that the server is `host`
  // (tls_context.h, ExpectServer). Unavailable with the reason
  // (HandshakeRefusal), DeadlineExceeded.
  static absl::StatusOr<std::unique_ptr<TlsSocket>> Connect(SSL_CTX* context, int fd,
                                                            const std::string& host,
                                                            Clock::time_point deadline);
  // The server's handshake; the same errors.
  static absl::StatusOr<std::unique_ptr<TlsSocket>> Accept(SSL_CTX* context, int fd,
                                                           Clock::time_point deadline);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  // Bytes read into `buffer` (at least 1); 0 when the peer closed the
  // connection (close_notify, or TCP close); DeadlineExceeded when nothing
  // came in time; Unavailable on a broken connection.
  absl::StatusOr<size_t> Read(char* buffer, size_t size, Clock::time_point deadline);
  // Writes all of `bytes`; DeadlineExceeded when the peer did not take them
  // in time (the connection is then unusable), Unavailable when it broke.
  absl::Status Write(std::string_view bytes, Clock::time_point deadline);
  // Sends close_notify: the peer reads the end of the stream, and this side
  // may still read. Best effort, without waiting.
  void ShutdownSend();

  SSL* ssl() const { return ssl_; }

 private:
  TlsSocket(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  // Runs `step` (SSL_connect, SSL_accept) until done or the deadline.
  template <class Step>
  absl::Status Handshake(Step step, Clock::time_point deadline);
  // Waits for what OpenSSL's `error` (SSL_ERROR_WANT_READ / _WRITE) asks;
  // false at the deadline.
  absl::StatusOr<bool> WaitFor(int error, Clock::time_point deadline) const;

  SSL* ssl_;
  int fd_;
};

}  // namespace navette::adapters::tls
