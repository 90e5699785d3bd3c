#include "adapters/mllp/connection.h"

#include <utility>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/mllp/frame.h"
#include "adapters/mllp/frame_intake.h"
#include "adapters/tls/tls_context.h"
#include "common/printable.h"

namespace navette::adapters::mllp {

std::string PeerName(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

Connection::Connection(MllpStream stream, std::string peer, const MllpServerOptions& options,
                       bus::Publisher& publisher, std::shared_ptr<IoGate> gate,
                       std::function<void(Connection*)> on_closed)
    : stream_(std::move(stream)),
      idle_timer_(stream_.socket().get_executor()),
      peer_(std::move(peer)),
      options_(options),
      publisher_(publisher),
      gate_(std::move(gate)),
      on_closed_(std::move(on_closed)),
      decoder_(options.max_message_bytes),
      last_activity_(SteadyClock::now()) {}

void Connection::Start() {
  if (!stream_.tls()) {
    Serve();
    return;
  }
  handshaking_ = true;
  ArmIdleTimer(options_.tls_handshake_timeout);
  stream_.AsyncHandshake(
      [self = shared_from_this()](const std::error_code& error) { self->OnHandshake(error); });
}

void Connection::OnHandshake(const std::error_code& error) {
  if (closed_) return;
  handshaking_ = false;
  if (error) {
    // The peer's address and OpenSSL's reason (with the certificate's
    // subject when that was refused); nothing the peer sent is readable yet.
    spdlog::warn("mllp source {}: peer {}: TLS handshake refused: {}", options_.source_name, peer_,
                 tls::HandshakeRefusal(stream_.ssl(), error.message()));
    Rejected("tls_handshake");
    Close();
    return;
  }
  spdlog::info("mllp source {}: peer {}: TLS established ({})", options_.source_name, peer_,
               tls::SessionSummary(stream_.ssl()));
  idle_timer_.cancel();
  Serve();
}

void Connection::Serve() {
  last_activity_ = SteadyClock::now();
  if (options_.idle_timeout.count() > 0) ArmIdleTimer(options_.idle_timeout);
  Read();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  idle_timer_.cancel();
  stream_.Close();
  pending_.clear();
  pending_bytes_ = 0;
  if (on_closed_) std::exchange(on_closed_, nullptr)(this);
}

void Connection::Rejected(std::string_view reason) {
  if (options_.on_rejected) options_.on_rejected(reason);
}

bool Connection::QueueFull() const {
  // One message of the largest size may wait; more would let a pipelining
  // sender hold several times the limit in memory per connection.
  return pending_.size() >= kMaxPendingFrames || pending_bytes_ >= options_.max_message_bytes;
}

void Connection::Read() {
  if (closed_ || reading_ || peer_done_ || QueueFull()) return;
  reading_ = true;
  stream_.AsyncReadSome(asio::buffer(read_buffer_),
                        [self = shared_from_this()](const std::error_code& error, size_t size) {
                          self->OnRead(error, size);
                        });
}

void Connection::OnRead(const std::error_code& error, size_t size) {
  reading_ = false;
  if (closed_) return;
  if (error) {
    OnPeerGone(error);
    return;
  }
  last_activity_ = SteadyClock::now();
  std::vector<DecoderEvent> events;
  decoder_.Feed(std::string_view(read_buffer_.data(), size), events);
  auto received_at = std::chrono::system_clock::now();
  for (DecoderEvent& event : events) {
    if (event.kind == DecoderEvent::kGarbage) {
      spdlog::warn("mllp source {}: peer {}: closing connection: {}", options_.source_name, peer_,
                   event.reason);
      Rejected("framing");
      Close();
      return;
    }
    pending_bytes_ += event.content.size();
    pending_.push_back(PendingFrame{std::move(event), received_at});
  }
  ProcessNext();
  Read();
}

void Connection::OnPeerGone(const std::error_code& error) {
  const bool closed_by_peer = error == asio::error::eof;
  std::string how = closed_by_peer ? "peer close" : fmt::format("read error ({})", error.message());
  if (decoder_.in_frame()) {
    spdlog::warn("mllp source {}: peer {}: frame truncated by {} after {} bytes",
                 options_.source_name, peer_, how, decoder_.frame_bytes());
    Rejected("truncated");
  } else {
    spdlog::info("mllp source {}: peer {}: connection ended by {}", options_.source_name, peer_,
                 how);
  }
  if (!closed_by_peer) {
    Close();
    return;
  }
  // The peer may only have shut down its sending side and still wait for the
  // ACKs of what it sent: answer the queued frames before closing.
  peer_done_ = true;
  ProcessNext();
}

void Connection::ProcessNext() {
  if (closed_ || busy_) return;
  if (pending_.empty()) {
    if (peer_done_) Close();
    return;
  }
  PendingFrame frame = std::move(pending_.front());
  pending_.pop_front();
  pending_bytes_ -= frame.event.content.size();
  busy_ = true;

  FrameOrigin origin{options_.source_name,     peer_,
                     options_.default_charset, options_.max_message_bytes,
                     frame.received_at,        options_.profile};
  auto taken = TakeFrame(std::move(frame.event), origin);
  if (auto* refusal = std::get_if<Refusal>(&taken)) {
    spdlog::warn("mllp source {}: peer {}: refused message (MSH-10 {}): {}", options_.source_name,
                 peer_, refusal->control_id.empty() ? "unknown" : Printable(refusal->control_id),
                 Printable(refusal->reason));
    Rejected(refusal->kind);
    WriteAck(std::move(refusal->ack));
    return;
  }
  Publish(std::move(std::get<navette::Envelope>(taken)));
}

void Connection::Publish(navette::Envelope envelope) {
  // What the ACK needs once the engine answered: the envelope itself moves
  // onto the bus.
  auto acked =
      std::make_shared<const AckedMessage>(AckedMessage{envelope.hl7(), envelope.charset()});
  std::weak_ptr<Connection> weak = weak_from_this();
  publisher_.Publish(std::move(envelope),
                     [weak, gate = gate_, acked](absl::StatusOr<bus::PublishResult> result) {
                       // Any thread: hop back onto the io thread before touching the connection.
                       gate->Post([weak, acked, result = std::move(result)] {
                         if (auto self = weak.lock()) self->OnPublished(*acked, result);
                       });
                     });
}

void Connection::OnPublished(const AckedMessage& message,
                             const absl::StatusOr<bus::PublishResult>& result) {
  const std::string control_id = Printable(message.header.control_id());
  if (closed_) {
    spdlog::warn("mllp source {}: peer {}: message MSH-10 {} {} but the connection closed first",
                 options_.source_name, peer_, control_id, result.ok() ? "was stored" : "failed");
    return;
  }
  if (result.ok()) {
    spdlog::debug("mllp source {}: peer {}: message MSH-10 {} committed as {}{}",
                  options_.source_name, peer_, control_id, result->message_id,
                  result->duplicate ? " (retransmission)" : "");
  } else if (absl::IsInvalidArgument(result.status())) {
    // The engine cannot take this message whatever the number of tries.
    spdlog::warn(
        "mllp source {}: peer {}: message MSH-10 {} refused by the engine, answering AR: {}",
        options_.source_name, peer_, control_id, Printable(std::string(result.status().message())));
    Rejected("publish_refused");
  } else if (absl::IsResourceExhausted(result.status())) {
    // Intake paused (disk low): the engine counted this refusal and logged
    // the pause once; a line per message would flood the log while senders
    // retry.
    spdlog::debug("mllp source {}: peer {}: message MSH-10 {} not taken, intake paused: AE",
                  options_.source_name, peer_, control_id);
  } else {
    spdlog::error("mllp source {}: peer {}: message MSH-10 {} not stored, answering AE: {}",
                  options_.source_name, peer_, control_id, result.status().ToString());
    Rejected("publish_failed");
  }
  WriteAck(PublishAck(message.header, message.charset, result.status()));
}

void Connection::WriteAck(std::string ack) {
  auto frame = std::make_shared<std::string>(EncodeFrame(ack));
  stream_.AsyncWrite(asio::buffer(*frame),
                     [self = shared_from_this(), frame](const std::error_code& error, size_t) {
                       self->OnAckWritten(error);
                     });
}

void Connection::OnAckWritten(const std::error_code& error) {
  if (closed_) return;
  if (error) {
    spdlog::info("mllp source {}: peer {}: cannot send ACK ({}), closing", options_.source_name,
                 peer_, error.message());
    Close();
    return;
  }
  busy_ = false;
  last_activity_ = SteadyClock::now();
  ProcessNext();
  Read();
}

void Connection::ArmIdleTimer(SteadyClock::duration after) {
  idle_timer_.expires_after(after);
  idle_timer_.async_wait(
      [self = shared_from_this()](const std::error_code& error) { self->OnIdleTimer(error); });
}

void Connection::OnIdleTimer(const std::error_code& error) {
  if (closed_ || error == asio::error::operation_aborted) return;
  if (handshaking_) {
    spdlog::warn("mllp source {}: peer {}: TLS handshake refused: not completed within {} ms",
                 options_.source_name, peer_, options_.tls_handshake_timeout.count());
    Rejected("tls_handshake");
    Close();
    return;
  }
  // A frame in progress is activity too, however long the engine takes.
  if (busy_) last_activity_ = SteadyClock::now();
  SteadyClock::duration idle = SteadyClock::now() - last_activity_;
  if (idle < options_.idle_timeout) {
    ArmIdleTimer(options_.idle_timeout - idle);
    return;
  }
  const auto idle_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_timeout).count();
  if (decoder_.in_frame()) {
    // A sender that stalls mid-frame loses that frame: it gets no answer and
    // must send it again, like one whose connection broke.
    spdlog::warn(
        "mllp source {}: peer {}: closing connection idle for {} ms, frame truncated after {} "
        "bytes",
        options_.source_name, peer_, idle_ms, decoder_.frame_bytes());
    Rejected("truncated");
  } else {
    spdlog::info("mllp source {}: peer {}: closing connection idle for {} ms", options_.source_name,
                 peer_, idle_ms);
  }
  Close();
}

}  // namespace navette::adapters::mllp
