// What the bus guard (bus_guard.h) decides about a connection to the
// ingress's tcp endpoints, as pure functions of what libzmq hands it, so
// that the rules are tested without sockets.
//
// Two sources tell of a connection the engine refuses:
//
//   ZAP (RFC 27), asked by libzmq once a CURVE handshake has proved that the
//   client holds the secret key of the public key it presents: the guard
//   answers 200 for an authorized key, 400 for any other (JudgeZap). The
//   request carries the peer's IP address.
//
//   The socket monitor (zmq_socket_monitor), for connections that never
//   reach ZAP: a client with no CURVE keys on a CURVE endpoint (mechanism
//   mismatch), a client holding a wrong server key (its HELLO does not
//   decrypt), any other ZMTP error, a connection dropped mid-handshake. A
//   failure event carries the bound endpoint and an error code, not the
//   peer; HandshakeWatch finds the peer by the file descriptor: libzmq
//   reports ACCEPTED(fd) when the connection comes, and the failure just
//   before DISCONNECTED(fd) of the same connection (both from the engine's
//   one I/O thread, in that order), so the failure is told with the address
//   read from fd at ACCEPTED. Best effort: a connection closed before the
//   guard reads its ACCEPTED has no address to read ("unknown peer").
//   HANDSHAKE_FAILED_AUTH follows ZAP's 400 and is not told twice.
//
// Each refusal has a reason, one of the fixed words of kBusRefusalReasons,
// used as the `reason` label of navette_bus_handshakes_refused_total and as
// the rate limit's kind in the log.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::engine {

// The reasons a bus handshake is refused.
//   unauthorized_key    ZAP: a CURVE client whose public key is not authorized
//   mechanism_mismatch  a client without CURVE on a CURVE endpoint, or the reverse
//   cryptographic       the client's CURVE HELLO does not decrypt: a wrong server key
//   protocol            any other ZMTP protocol error
//   incomplete          closed or timed out before the handshake completed
inline constexpr std::array<std::string_view, 5> kBusRefusalReasons = {
    "unauthorized_key", "mechanism_mismatch", "cryptographic", "protocol", "incomplete"};

// A ZAP request's frames (RFC 27), after the REP socket's envelope.
struct ZapRequest {
  std::string version = {};
  std::string request_id = {};
  std::string domain = {};
  std::string address = {};     // the peer's IP address
  std::string mechanism = {};   // "CURVE" for the ingress
  std::string client_key = {};  // Z85 of the CURVE client key; empty for another mechanism
};
absl::StatusOr<ZapRequest> ParseZapRequest(std::span<const std::string> frames);

struct ZapVerdict {
  bool allowed = false;
  std::string status_code = {};  // "200" or "400"
  std::string status_text = {};
  std::string user_id = {};      // the client key when allowed
  std::string_view reason = {};  // a kBusRefusalReasons word when refused
  std::string explanation = {};  // for the log when refused
};
ZapVerdict JudgeZap(const ZapRequest& request, const std::set<std::string>& authorized_keys);

// The reply's six frames (RFC 27).
std::vector<std::string> ZapReplyFrames(const ZapRequest& request, const ZapVerdict& verdict);

// One socket monitor event (zmq_socket_monitor, version 1): its first frame
// (event number, value) and second (the endpoint).
struct MonitorEvent {
  uint16_t event = 0;
  uint32_t value = 0;  // an fd, an error code or a protocol error, by event
  std::string endpoint = {};
};
std::optional<MonitorEvent> ParseMonitorEvent(std::string_view first, std::string_view second);

struct HandshakeRefusal {
  std::string_view reason = {};  // a kBusRefusalReasons word
  std::string explanation = {};
  std::string endpoint = {};  // the engine's endpoint it came to
  std::string peer = {};      // "ip:port", or "unknown peer"
};

class HandshakeWatch {
 public:
  // The peer address of an accepted connection's fd ("ip:port"); empty
  // when it cannot be read.
  using PeerOf = std::function<std::string(int fd)>;
  explicit HandshakeWatch(PeerOf peer_of) : peer_of_(std::move(peer_of)) {}

  // The refusals `event` completes: usually none or one; two when a failure
  // whose connection was never seen to close is followed by another.
  std::vector<HandshakeRefusal> Take(const MonitorEvent& event);

  size_t open_connections() const { return peers_.size(); }

 private:
  PeerOf peer_of_;
  // Invariant: an entry per accepted connection not yet disconnected; fds
  // are reused by the kernel, so an entry is replaced at each ACCEPTED.
  std::map<int, std::string> peers_;
  std::optional<HandshakeRefusal> pending_;  // failed, waiting for its fd
};

}  // namespace navette::engine
