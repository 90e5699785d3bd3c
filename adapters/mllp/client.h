// A blocking MLLP client over one TCP connection, or TLS over it, for
// `navette send`, the MLLP destination, the tests and the load benchmark.
// Every wait is bounded by a timeout (poll), so a silent peer can never hang
// the caller.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/mllp/frame_decoder.h"

namespace navette::adapters::tls {
class TlsSocket;
}  // namespace navette::adapters::tls

namespace navette::adapters::mllp {

class MllpClient {
 public:
  // Largest frame content ReadFrame accepts.
  static constexpr size_t kMaxFrameBytes = 64 << 20;
  // SendRaw gives up when the peer has not taken the bytes within this time.
  static constexpr std::chrono::seconds kSendTimeout{60};

  // Resolves `host` (name or address) and connects to the first address that
  // answers within `timeout`. With `tls` (a client context,
  // adapters/tls/tls_context.h), the TLS handshake follows within the same
  // timeout, verifying that the server's certificate is for `host`; a
  // refusal says why ("TLS handshake failed: peer's certificate refused:
  // hostname mismatch").
  static absl::StatusOr<std::unique_ptr<MllpClient>> Connect(const std::string& host, uint16_t port,
                                                             std::chrono::milliseconds timeout,
                                                             SSL_CTX* tls = nullptr);
  ~MllpClient();
  MllpClient(const MllpClient&) = delete;
  MllpClient& operator=(const MllpClient&) = delete;

  // Sends `message` in one frame and returns the content of the next frame
  // received (normally its ACK), all within `timeout`.
  absl::StatusOr<std::string> Exchange(std::string_view message, std::chrono::milliseconds timeout);

  // Sends bytes as they are, unframed: for tests that break the protocol.
  absl::Status SendRaw(std::string_view bytes);

  // Closes the sending side only (TCP half-close, or TLS close_notify), as
  // some senders do after their last message while still waiting for its
  // ACK.
  absl::Status ShutdownSend();

  // The content of the next frame. DeadlineExceeded when none arrived within
  // `timeout`; Unavailable when the peer closed the connection.
  absl::StatusOr<std::string> ReadFrame(std::chrono::milliseconds timeout);

  // True when the peer closes the connection within `wait`. Frames received
  // meanwhile are kept for ReadFrame.
  bool PeerClosed(std::chrono::milliseconds wait);

  // Hands the connected socket over to the caller (a load generator driving
  // many connections itself); the client must not be used afterwards. Plain
  // TCP only: -1 on a TLS connection.
  int ReleaseFd();

 private:
  using Clock = std::chrono::steady_clock;

  explicit MllpClient(int fd);
  absl::Status SendAll(std::string_view bytes, Clock::time_point deadline);
  // Reads once (waiting until `deadline`) and decodes what came: OK when bytes
  // arrived, DeadlineExceeded, Unavailable on close or error.
  absl::Status ReadSome(Clock::time_point deadline);
  // Feeds bytes received to the decoder and keeps the events.
  void Decode(std::string_view bytes);

  int fd_;
  std::unique_ptr<tls::TlsSocket> tls_;  // null: plain TCP
  bool peer_closed_ = false;
  FrameDecoder decoder_{kMaxFrameBytes};
  std::deque<DecoderEvent> received_;
};

// Turns LF and CRLF segment ends into CR, as MLLP receivers expect (sample
// files usually end lines with LF), and ends the message with a single CR in
// place of any trailing blank lines.
std::string NormalizeSegmentTerminators(std::string_view message);

}  // namespace navette::adapters::mllp
