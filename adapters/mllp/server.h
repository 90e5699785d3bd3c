// The MLLP listener of one configured source: accepts connections, decodes
// frames, publishes each message on the bus and answers it. AA goes out only
// after the engine confirmed the message committed; frame_intake.h lists every
// other answer.
//
// One io thread runs the acceptor and every connection (asio, asynchronous).
// The frames of a connection are handled strictly in order, one at a time:
// the next frame is looked at once the previous ACK is written, so a sender's
// messages reach the bus in the order it sent them.
//
// Connection limits: at most max_connections at once, and at most
// max_connections_per_peer from one remote address (whatever its ports), so
// that one sender holding idle sockets cannot lock the others out. A
// connection over either limit is closed as soon as it is accepted, before
// anything is read from it, and counted (on_rejected) and logged at a bounded
// rate (refusal_log.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "absl/status/status.h"
#include "adapters/bus/publisher.h"
#include "adapters/documents/contract.h"

namespace asio {
class io_context;
}  // namespace asio

namespace navette::adapters::mllp {

// Why a source refused a message: the fixed words passed to
// MllpServerOptions::on_rejected (and used as a metrics label, so never
// anything taken from a message).
//   framing                bytes outside MLLP framing: the connection is closed
//   too_large              over max_message_bytes: AR
//   empty                  a frame with no segment: AR
//   not_hl7                not parseable as HL7 v2: AR
//   bad_header             MSH-9 or MSH-10 missing: AR
//   bad_charset            MSH-18 names a charset navette does not read: AR
//                          (AE when MSH-18 is empty and the source's default
//                          is unusable)
//   bad_encoding           a header field not valid in the message's charset: AR
//   publish_failed         the engine could not commit it: AE
//   publish_refused        the engine refused it for good (cannot read it): AR
//   truncated              a frame cut short (the peer closed, the connection
//                          broke, or it went idle mid-frame): no answer possible
//   connection_limit       a connection over max_connections: closed at once
//   peer_connection_limit  a connection over max_connections_per_peer: closed
//                          at once
//   contract               under a profile, the message breaks the document
//                          contract (docs/document-contract.md): AR with its ERR
//   tls_handshake          a TLS source's client failed the handshake (no
//                          certificate, one refused, not TLS, too slow): the
//                          connection is closed
inline constexpr std::string_view kRejectReasons[] = {
    "framing",      "too_large",        "empty",
    "not_hl7",      "bad_header",       "bad_charset",
    "bad_encoding", "publish_failed",   "publish_refused",
    "truncated",    "connection_limit", "peer_connection_limit",
    "contract",     "tls_handshake"};

struct MllpServerOptions {
  std::string source_name;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 2575;  // 0 = ephemeral, see MllpServer::port()
  size_t max_message_bytes = 16 << 20;
  std::chrono::milliseconds idle_timeout{300000};  // 0 = none
  size_t max_connections = 256;
  // Connections from one remote address (any port) at once; at most
  // max_connections. Keeps one peer from taking every slot.
  size_t max_connections_per_peer = 32;
  // Refused connections are logged once at the first, then as one line with
  // a count per interval (see refusal_log.h).
  std::chrono::milliseconds refusal_log_interval{10000};
  std::string default_charset = "UNICODE UTF-8";  // when MSH-18 is empty
  // TLS: the listener's OpenSSL context (adapters/tls/tls_context.h,
  // MakeServerContext). Null: plain TCP.
  std::shared_ptr<SSL_CTX> tls;
  // Time a TLS client has from its connection to finish the handshake.
  std::chrono::milliseconds tls_handshake_timeout{10000};
  // The document contract's profile; none: messages are published unread.
  std::optional<documents::Profile> profile;
  // Called on the io thread for each refusal, with one of kRejectReasons;
  // must not block. Optional.
  std::function<void(std::string_view reason)> on_rejected;
};

class MllpServer {
 public:
  // Builds the server's own publisher on its io_context at Start(), so that
  // publishes and confirms run on the io thread without a hop (see
  // bus::IoDealerPublisher). The publisher is destroyed after the io thread
  // stops.
  using PublisherFactory =
      std::function<absl::StatusOr<std::unique_ptr<bus::Publisher>>(asio::io_context&)>;

  MllpServer(MllpServerOptions options, bus::Publisher& publisher);
  MllpServer(MllpServerOptions options, PublisherFactory publisher_factory);
  ~MllpServer();  // Stop()s
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  // Binds, listens and starts the io thread. The error names the address.
  absl::Status Start();
  // The bound port (the chosen one when listen_port is 0); 0 before Start.
  uint16_t port() const;
  // Closes the listener and every connection and joins the io thread; not
  // to be called from a publisher callback, which may run on that thread.
  // Publishes still in flight complete into nothing: their senders get no
  // ACK and will send again. Idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace navette::adapters::mllp
