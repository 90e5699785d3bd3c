#include "engine/bus_handshakes.h"

#include <zmq.h>

#include <cstring>

#include <fmt/format.h>

namespace navette::engine {
namespace {

constexpr std::string_view kUnknownPeer = "unknown peer";

HandshakeRefusal ProtocolFailure(const MonitorEvent& event) {
  HandshakeRefusal refusal;
  refusal.endpoint = event.endpoint;
  switch (event.value) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      refusal.reason = "mechanism_mismatch";
      refusal.explanation =
          "its security mechanism is not the endpoint's (a client without CURVE keys on a CURVE "
          "endpoint, or the reverse)";
      break;
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
      refusal.reason = "cryptographic";
      refusal.explanation =
          "its CURVE handshake does not decrypt (the adapter likely holds a wrong server public "
          "key)";
      break;
    default:
      refusal.reason = "protocol";
      refusal.explanation = fmt::format("ZMTP protocol error 0x{:08x}", event.value);
      break;
  }
  return refusal;
}

}  // namespace

absl::StatusOr<ZapRequest> ParseZapRequest(std::span<const std::string> frames) {
  // version, request id, domain, address, identity, mechanism, credentials…
  if (frames.size() < 6) {
    return absl::InvalidArgumentError(
        fmt::format("ZAP request of {} frames, expected at least 6", frames.size()));
  }
  ZapRequest request;
  request.version = frames[0];
  request.request_id = frames[1];
  request.domain = frames[2];
  request.address = frames[3];
  request.mechanism = frames[5];
  if (request.mechanism == "CURVE") {
    if (frames.size() != 7 || frames[6].size() != 32) {
      return absl::InvalidArgumentError("ZAP CURVE request without a 32-byte client key");
    }
    char z85[41] = {};
    zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(frames[6].data()), 32);
    request.client_key = z85;
  }
  return request;
}

ZapVerdict JudgeZap(const ZapRequest& request, const std::set<std::string>& authorized_keys) {
  ZapVerdict verdict;
  if (request.version != "1.0") {
    verdict.status_code = "400";
    verdict.status_text = "unsupported ZAP version";
    verdict.reason = "protocol";
    verdict.explanation = "a ZAP request of an unknown version";
  } else if (request.mechanism != "CURVE") {
    // Only CURVE endpoints name a ZAP domain; another mechanism here is a
    // configuration libzmq should not produce.
    verdict.status_code = "400";
    verdict.status_text = "CURVE required";
    verdict.reason = "mechanism_mismatch";
    verdict.explanation = fmt::format("mechanism {} where CURVE is required",
                                      request.mechanism.empty() ? "none" : request.mechanism);
  } else if (authorized_keys.count(request.client_key) == 0) {
    verdict.status_code = "400";
    verdict.status_text = "key not authorized";
    verdict.reason = "unauthorized_key";
    verdict.explanation =
        fmt::format("its CURVE public key {} is not in engine.ingress.curve.authorized_keys",
                    request.client_key);
  } else {
    verdict.allowed = true;
    verdict.status_code = "200";
    verdict.status_text = "OK";
    verdict.user_id = request.client_key;
  }
  return verdict;
}

std::vector<std::string> ZapReplyFrames(const ZapRequest& request, const ZapVerdict& verdict) {
  return {"1.0", request.request_id, verdict.status_code, verdict.status_text, verdict.user_id, ""};
}

std::optional<MonitorEvent> ParseMonitorEvent(std::string_view first, std::string_view second) {
  if (first.size() != 6) return std::nullopt;
  MonitorEvent event;
  std::memcpy(&event.event, first.data(), sizeof(event.event));
  std::memcpy(&event.value, first.data() + 2, sizeof(event.value));
  event.endpoint = std::string(second);
  return event;
}

std::vector<HandshakeRefusal> HandshakeWatch::Take(const MonitorEvent& event) {
  std::vector<HandshakeRefusal> refusals;
  // A failure is told with the fd's peer at the DISCONNECTED that follows
  // it; one still waiting when another event comes is told without it.
  auto flush_pending = [&] {
    if (!pending_) return;
    pending_->peer = std::string(kUnknownPeer);
    refusals.push_back(std::move(*pending_));
    pending_.reset();
  };
  const int fd = static_cast<int>(event.value);
  switch (event.event) {
    case ZMQ_EVENT_ACCEPTED: {
      flush_pending();
      std::string peer = peer_of_(fd);
      peers_[fd] = peer.empty() ? std::string(kUnknownPeer) : std::move(peer);
      break;
    }
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      flush_pending();
      pending_ = ProtocolFailure(event);
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
      flush_pending();
      pending_ = HandshakeRefusal{
          .reason = "incomplete",
          .explanation = fmt::format("the connection ended before its handshake completed ({})",
                                     std::strerror(static_cast<int>(event.value))),
          .endpoint = event.endpoint,
          .peer = {}};
      break;
    case ZMQ_EVENT_DISCONNECTED:
    case ZMQ_EVENT_CLOSED: {
      auto known = peers_.find(fd);
      if (pending_) {
        pending_->peer = known != peers_.end() ? known->second : std::string(kUnknownPeer);
        refusals.push_back(std::move(*pending_));
        pending_.reset();
      }
      if (known != peers_.end()) peers_.erase(known);
      break;
    }
    case ZMQ_EVENT_MONITOR_STOPPED:
      flush_pending();
      peers_.clear();
      break;
    default:  // HANDSHAKE_FAILED_AUTH (told by ZAP), successes, listening…
      break;
  }
  return refusals;
}

}  // namespace navette::engine
