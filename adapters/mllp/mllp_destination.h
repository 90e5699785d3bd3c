// MLLP destination: forwards each message, framed, to another MLLP listener
// and waits for its ACK, as a sending HL7 system does.
//
// One attempt = send <VT>raw<FS><CR>, read one frame within ack_timeout, parse
// it as an ACK (MSA). Outcomes and their detail (kept in the history; only
// the ACK code, the peer's own error text, control ids and socket errors,
// never the message's content):
//
//   peer's answer / failure               outcome                 connection
//   ------------------------------------  ----------------------  ----------
//   AA, CA                                delivered "AA"          kept
//   AE, CE                                on_ae (default          kept
//                                         transient) "AE: <text>"
//   AR, CR                                on_ar (default          kept
//                                         permanent) "AR: <text>"
//   MSA-2 != the message's MSH-10         transient "ACK for      closed
//                                         another message ..."
//   not an ACK, unknown MSA-1, broken     transient               closed
//   framing, oversized frame
//   no ACK within ack_timeout             transient               closed
//   refused, reset, closed before ACK,    transient               closed
//   connect or send timeout
//
// <text> is MSA-3, else ERR-8 (else "condition <ERR-3>"), on one line and cut
// to about 100 bytes. Connecting is bounded by connect_timeout, handing the
// frame to a peer that does not read by MllpClient::kSendTimeout, and the
// wait for the ACK, once the frame is sent, by ack_timeout.
//
// A connection is closed whenever the byte stream may be out of step: after
// a timeout a late ACK would otherwise be read as the next message's.
//
// Connections: Deliver() runs on up to max_in_flight threads at once. Idle
// connections wait in a pool (at most max_in_flight of them); an attempt
// takes one, or connects when none is idle, and gives it back when the
// exchange ended cleanly. Nothing connects before the first delivery, so the
// engine starts while the peer is down.
//
// A pooled connection the peer closed while idle (receivers drop idle
// connections) is replaced by a fresh one within the same attempt. This never
// sends a message twice: it happens only when the old connection is known dead
// before the message was handed to it, or when handing it over failed (see
// SendOnSomeConnection() in the .cc). Once the frame is fully sent, any
// failure is reported as transient and left to the engine's retry: the peer
// may have processed the message, so only the engine, which counts attempts,
// decides to send it again.

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "absl/status/statusor.h"
#include "adapters/destination.h"
#include "proto/config.pb.h"

namespace navette::adapters::mllp {

class MllpClient;

// The client context of a destination's `tls` block (adapters/tls), its
// files read; a kinds::SettingError at the setting at fault.
absl::StatusOr<std::shared_ptr<SSL_CTX>> ClientTls(const navette::config::MllpDestination& config);

class MllpDestination : public Destination {
 public:
  // `config` has its defaults applied (engine/config/defaults.cc) and its
  // address checked. Does not connect. InvalidArgument when the address is
  // not host:port; a kinds::SettingError when the tls files are unusable.
  static absl::StatusOr<std::unique_ptr<MllpDestination>> Create(
      const navette::config::MllpDestination& config, uint32_t max_in_flight);
  ~MllpDestination() override;

  DeliveryResult Deliver(const DeliveryRequest& request) override;

 private:
  struct Settings {
    std::string host;
    uint16_t port = 0;
    std::chrono::milliseconds connect_timeout{0};
    std::chrono::milliseconds ack_timeout{0};
    DeliveryResult::Outcome on_ae = DeliveryResult::Outcome::kTransient;
    DeliveryResult::Outcome on_ar = DeliveryResult::Outcome::kPermanent;
    size_t max_idle = 1;
    std::shared_ptr<SSL_CTX> tls = {};  // null: plain TCP
  };

  explicit MllpDestination(Settings settings);

  // An idle pooled connection, or null when there is none.
  std::unique_ptr<MllpClient> TakeIdle();
  // Pools a connection whose stream is in step (ACK read, nothing pending).
  void ReturnIdle(std::unique_ptr<MllpClient> client);
  absl::StatusOr<std::unique_ptr<MllpClient>> Connect() const;
  // Sends `frame` on a pooled connection or, failing that, a fresh one;
  // returns the connection the frame was fully sent on.
  absl::StatusOr<std::unique_ptr<MllpClient>> SendOnSomeConnection(const std::string& frame);
  // Reads the ACK a connection answered and maps it to an outcome; the
  // connection is pooled again when its stream is still in step.
  DeliveryResult AwaitAck(std::unique_ptr<MllpClient> client, const std::string& control_id);

  const Settings settings_;
  std::mutex idle_mutex_;
  // Connections no attempt is using; each one is owned by the pool while in
  // here and by exactly one attempt while out.
  std::vector<std::unique_ptr<MllpClient>> idle_;  // guarded by idle_mutex_
};

}  // namespace navette::adapters::mllp
