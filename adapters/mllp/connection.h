// One accepted connection of an MllpServer: reads bytes, decodes frames, hands
// each message to the publisher in turn and writes its ACK.
//
// A TLS connection first completes its handshake, within the source's
// handshake timeout; one that fails it is logged with the peer's address and
// the reason, counted (tls_handshake) and closed, before any byte of HL7 is
// read.
//
// Life of a frame: decoded -> queued (pending_) -> taken when no other frame
// of this connection is in progress (busy_) -> refused at once, or published
// and answered when the publisher calls back -> ACK written -> next frame.
// Reading pauses while the queue is full, so a sender that pipelines faster
// than the engine commits cannot grow memory without bound.
//
// Threading: every member function runs on the server's io thread, the only
// thread running its io_context, which is why the state below needs no lock.
// Publisher callbacks (any thread) come back through the IoGate and hold only
// a weak pointer: a connection that closed is not kept alive by the bus.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <asio.hpp>

#include "absl/status/statusor.h"
#include "adapters/bus/publisher.h"
#include "adapters/mllp/frame_decoder.h"
#include "adapters/mllp/io_gate.h"
#include "adapters/mllp/mllp_stream.h"
#include "adapters/mllp/server.h"
#include "proto/envelope.pb.h"

namespace navette::adapters::mllp {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `on_closed` runs once, on the io thread, when the connection closes.
  Connection(MllpStream stream, std::string peer, const MllpServerOptions& options,
             bus::Publisher& publisher, std::shared_ptr<IoGate> gate,
             std::function<void(Connection*)> on_closed);

  void Start();
  // Closes the socket and drops queued frames; idempotent.
  void Close();

 private:
  using SteadyClock = std::chrono::steady_clock;

  struct PendingFrame {
    DecoderEvent event;
    std::chrono::system_clock::time_point received_at;
  };

  // Frames waiting behind the one in progress before reading pauses.
  static constexpr size_t kMaxPendingFrames = 64;

  void OnHandshake(const std::error_code& error);
  // Reading begins, under the idle timeout.
  void Serve();
  void Read();
  void OnRead(const std::error_code& error, size_t size);
  void OnPeerGone(const std::error_code& error);
  void ProcessNext();
  // What the ACK of a published message is built from (frame_intake.h).
  struct AckedMessage {
    navette::Hl7Header header;
    std::string charset;
  };

  void Publish(navette::Envelope envelope);
  void OnPublished(const AckedMessage& message, const absl::StatusOr<bus::PublishResult>& result);
  void WriteAck(std::string ack);
  void OnAckWritten(const std::error_code& error);
  void ArmIdleTimer(SteadyClock::duration after);
  void OnIdleTimer(const std::error_code& error);
  bool QueueFull() const;
  // Reports a refusal (one of kRejectReasons) to options_.on_rejected.
  void Rejected(std::string_view reason);

  MllpStream stream_;
  asio::steady_timer idle_timer_;
  const std::string peer_;
  const MllpServerOptions& options_;
  bus::Publisher& publisher_;
  const std::shared_ptr<IoGate> gate_;
  std::function<void(Connection*)> on_closed_;

  FrameDecoder decoder_;
  std::array<char, 64 * 1024> read_buffer_;
  std::deque<PendingFrame> pending_;
  size_t pending_bytes_ = 0;
  bool reading_ = false;    // an async read is outstanding
  bool peer_done_ = false;  // the peer closed its side: finish the queue, then close
  bool busy_ = false;       // a frame is being published or its ACK written
  bool closed_ = false;
  bool handshaking_ = false;  // the idle timer is the handshake's deadline
  SteadyClock::time_point last_activity_;
};

// "10.1.2.3:40122" or "[fe80::1]:40122".
std::string PeerName(const asio::ip::tcp::endpoint& endpoint);

}  // namespace navette::adapters::mllp
