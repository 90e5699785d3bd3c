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
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "adapters/bus/in_flight_publishes.h"
#include "adapters/bus/publisher.h"

namespace navette::adapters::bus {

class DealerPublisher : public Publisher {
 public:
  DealerPublisher(zmq::context_t& context, std::string endpoint,
                  std::chrono::milliseconds confirm_timeout = std::chrono::seconds(30));
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
  void Run();
  void SendQueued();
  void ReceiveConfirms();
  void FailAll();
  void Wake();

  zmq::context_t& context_;
  const std::string endpoint_;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;                // guards outbox_, next_correlation_, stopping_
  std::deque<Outgoing> outbox_;  // requests not yet sent
  uint64_t next_correlation_ = 1;
  bool stopping_ = false;

  // Created by Start(), then used by the bus thread only.
  zmq::socket_t socket_;
  InFlightPublishes in_flight_;  // bus thread only
};

}  // namespace navette::adapters::bus
