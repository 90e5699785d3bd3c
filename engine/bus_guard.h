// The bus guard: the thread that decides, for the ingress's CURVE
// endpoints, which adapters may connect, and tells of every connection
// refused at its handshake (the rules are in bus_handshakes.h).
//
// It holds two sockets in the ingress's ZeroMQ context:
//   - the ZAP handler, a REP socket on inproc://zeromq.zap.01, which libzmq
//     asks about every CURVE client; it must be bound before the ingress
//     binds a CURVE endpoint (the ingress also sets ZMQ_ZAP_ENFORCE_DOMAIN,
//     so that a handshake with no handler to ask is refused rather than let
//     through);
//   - a PAIR connected to the ingress socket's monitor, for the handshakes
//     that never reach ZAP.
//
// Every refusal is counted (navette_bus_handshakes_refused_total{reason})
// and logged with the peer's address and the reason, nothing else. The log
// is rate-limited per reason (adapters/mllp/refusal_log.h): the first
// refusal of a reason is logged at once, the next ones are counted and
// summed up once per interval, so a client retrying a refused handshake ten
// times a second, or a flood, cannot fill the log.
//
// Threading: Start() on the thread that owns the watched socket, before the
// socket binds (zmq_socket_monitor is called on it); then the guard's
// sockets belong to its thread. Stop() after the watched socket is closed.
#pragma once

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/status/status.h"
#include "adapters/mllp/refusal_log.h"
#include "engine/bus_handshakes.h"

namespace navette::engine {

class Metrics;

inline constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
inline constexpr char kIngressMonitorEndpoint[] = "inproc://navette-ingress-monitor";
// The ZAP domain of the ingress's CURVE endpoints (RFC 27).
inline constexpr char kIngressZapDomain[] = "navette-ingress";

struct BusGuardOptions {
  std::vector<std::string> authorized_keys = {};  // Z85 public keys
  Metrics* metrics = nullptr;                     // optional; must outlive the guard
  std::chrono::milliseconds refusal_log_interval{10000};
};

class BusGuard {
 public:
  BusGuard(zmq::context_t& context, BusGuardOptions options);
  ~BusGuard();
  BusGuard(const BusGuard&) = delete;
  BusGuard& operator=(const BusGuard&) = delete;

  // Binds the ZAP handler, starts monitoring `watched` and the guard's
  // thread. `watched` must not have bound yet.
  absl::Status Start(zmq::socket_t& watched);
  void Stop();

 private:
  void Run();
  void AnswerZap();
  void ReadMonitor();
  void Refused(std::string_view reason, const std::string& line);
  void FlushLog();

  zmq::context_t& context_;
  const BusGuardOptions options_;
  const std::set<std::string> authorized_;
  // Created by Start(), then used by the guard's thread only.
  zmq::socket_t zap_;
  zmq::socket_t monitor_;
  HandshakeWatch watch_;
  adapters::mllp::RefusalLog log_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace navette::engine
