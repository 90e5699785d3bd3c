// One HTTP exchange on a connected socket, as cpp-httplib's Stream, with
// bounds a slow or greedy client cannot stretch:
//
//   reads   one absolute deadline for the whole request (head and body),
//           fixed when the connection is accepted. httplib's own socket
//           stream has a timeout per read, which a client dripping one byte
//           every few seconds resets for ever; this one does not move.
//   bytes   at most `read_budget` bytes are read in all: httplib buffers a
//           request line or a header line whole before checking its length,
//           so without a budget a fast client could make it hold any amount
//           within the deadline.
//   writes  a deadline of their own, `write_timeout` from the first write,
//           so that a client that stops reading the response is dropped too.
//
// A read past the deadline or the budget, and a write past its deadline,
// fail (-1) as a closed socket would; the stream says which happened, so
// the listener can answer 408 or 413 when httplib had nothing to say.
// The stream neither owns nor closes the socket.
//
// Over HTTPS the bytes go through the connection's TlsSocket
// (adapters/tls/tls_socket.h), under the same deadlines and budget; bytes
// OpenSSL already decrypted count as readable.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <httplib.h>

namespace navette::adapters::tls {
class TlsSocket;
}  // namespace navette::adapters::tls

namespace navette::engine {

class DeadlineStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `tls`, when given, carries the bytes and must outlive the stream.
  DeadlineStream(int fd, Clock::time_point read_deadline, size_t read_budget,
                 std::chrono::milliseconds write_timeout, adapters::tls::TlsSocket* tls = nullptr);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

  bool read_deadline_passed() const { return read_deadline_passed_; }
  bool read_budget_spent() const { return read_budget_spent_; }
  // Whether a response was begun (a write was attempted).
  bool wrote() const { return wrote_; }
  // Starts the write deadline again from now. A response that streams for
  // as long as its client reads (GET /v1/tap) renews it before each write,
  // so that each write, not the whole response, has `write_timeout`: a
  // client that stops reading is still dropped.
  void RenewWriteDeadline() { write_deadline_ = Clock::now() + write_timeout_; }

 private:
  // Waits until `events` are ready on the socket or `deadline` passes;
  // true if ready.
  bool WaitFor(short events, Clock::time_point deadline) const;

  // The TLS forms of read and write.
  ssize_t ReadTls(char* ptr, size_t size);
  ssize_t WriteTls(const char* ptr, size_t size);

  const int fd_;
  adapters::tls::TlsSocket* const tls_;
  const Clock::time_point read_deadline_;
  size_t read_budget_;
  const std::chrono::milliseconds write_timeout_;
  Clock::time_point write_deadline_{};  // set by the first write
  bool read_deadline_passed_ = false;
  bool read_budget_spent_ = false;
  bool wrote_ = false;
};

}  // namespace navette::engine
