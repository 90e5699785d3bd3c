// Publisher over the ZeroMQ ingress bus: a DEALER socket connected to the
// engine's ROUTER (inproc inside `navette serve`, tcp from another process).
//
// ZeroMQ sockets are not thread-safe, so one thread owns the socket. Publish()
// may be called from any thread: it queues the request and wakes the bus
// thread through an eventfd that the thread polls beside the socket. The
// engine answers each Publish with a Confirm carrying the same correlation id;
// the bus thread then calls the publisher's callback. A publish that gets no
// answer within `confirm_timeout` fails, so a sender is never left waiting on
// an engine that went away (the sender then gets AE and sends again).
//
// Over tcp to an engine that requires CURVE (engine.ingress.curve), the
// publisher is given its own key pair and the engine's public key. A
// handshake the engine refuses (a key it does not authorize, a wrong server
// key) is not an error libzmq reports to the connecting side: the socket
// retries in the background, and each publish fails after
// `confirm_timeout`, as for an engine that is down. The engine logs the
// refusal. After a refused handshake libzmq may drop the connection's pipe,
// and a DEALER without a pipe cannot take a message: the bus thread then
// keeps the request and sends it when a connection is back, never blocking,
// and it fails at its deadline like any other.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "adapters/bus/curve_keys.h"
#include "adapters/bus/in_flight_publishes.h"
#include "adapters/bus/publisher.h"

namespace navette::adapters::bus {

class DealerPublisher : public Publisher {
 public:
  // `curve`: the CURVE client keys, for an engine endpoint that requires
  // them; none: plain ZMTP (inproc, ipc, a loopback tcp endpoint the engine
  // allows plain).
  DealerPublisher(zmq::context_t& context, std::string endpoint,
                  std::chrono::milliseconds confirm_timeout = std::chrono::seconds(30),
                  std::optional<CurveClientKeys> curve = std::nullopt);
  ~DealerPublisher() override;

  absl::Status Start();
  // Fails every publish still waiting for its confirm, then joins the thread.
  void Stop();

  void Publish(navette::Envelope envelope, PublishCallback done) override;

 private:
  struct Outgoing {
    uint64_t correlation;
    std::string payload;  // serialized BusRequest
    PublishCallback done;
  };
  struct Unsent {
    uint64_t correlation;
    std::string payload;
  };
  void Run();
  // Moves the outbox to the unsent queue (each publish's deadline starts
  // here) and sends what the socket takes without blocking.
  void SendQueued();
  void ReceiveConfirms();
  void FailAll();
  void Wake();

  zmq::context_t& context_;
  const std::string endpoint_;
  const std::optional<CurveClientKeys> curve_;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;                // guards outbox_, next_correlation_, stopping_
  std::deque<Outgoing> outbox_;  // requests not yet sent
  uint64_t next_correlation_ = 1;
  bool stopping_ = false;

  // Created by Start(), then used by the bus thread only.
  zmq::socket_t socket_;
  InFlightPublishes in_flight_;  // bus thread only: every publish taken from the outbox
  std::deque<Unsent> unsent_;    // bus thread only: taken, not yet accepted by the socket
};

}  // namespace navette::adapters::bus
