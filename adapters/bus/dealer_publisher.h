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
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <zmq.hpp>

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
  struct Pending {
    PublishCallback done;
    std::chrono::steady_clock::time_point deadline;
  };
  struct Outgoing {
    uint64_t correlation;
    std::string payload;  // serialized BusRequest
    Pending pending;
  };
  void Run();
  void SendQueued();
  void ReceiveConfirms();
  void ExpirePending();
  void FailAll();
  void Wake();

  zmq::context_t& context_;
  const std::string endpoint_;
  const std::chrono::milliseconds confirm_timeout_;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;                // guards outbox_, next_correlation_, stopping_
  std::deque<Outgoing> outbox_;  // requests not yet sent
  uint64_t next_correlation_ = 1;
  bool stopping_ = false;

  // Created by Start(), then used by the bus thread only.
  zmq::socket_t socket_;
  // Bus thread only. Correlations grow with time and share one timeout, so
  // the map is also in deadline order.
  std::map<uint64_t, Pending> in_flight_;
};

}  // namespace navette::adapters::bus
