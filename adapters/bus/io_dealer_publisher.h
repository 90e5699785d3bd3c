// Publisher over the ZeroMQ ingress bus for an adapter that runs an asio
// io_context (the MLLP source): the DEALER socket belongs to the io thread
// itself and the socket's ZMQ_FD is watched by the io_context, so a publish
// and its confirm cost no thread hop. (DealerPublisher, with a thread of its
// own, serves callers on any thread.)
//
// Threading: Connect(), Publish() and the destructor run on the io thread,
// or while it does not run; `done` callbacks run on the io thread. Handlers
// still queued when the publisher is destroyed find it gone and do nothing.
//
// ZMQ_FD is edge-triggered: it signals that the socket's state may have
// changed, not that a message is waiting. So after every wake-up and every
// send the socket is drained until ZMQ_EVENTS shows no input, and the wait is
// armed before that check so that no edge falls between the two.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <asio.hpp>
#include <zmq.hpp>

#include "adapters/bus/in_flight_publishes.h"
#include "adapters/bus/publisher.h"

namespace navette::adapters::bus {

class IoDealerPublisher : public Publisher {
 public:
  static absl::StatusOr<std::unique_ptr<IoDealerPublisher>> Connect(
      zmq::context_t& context, const std::string& endpoint, asio::io_context& io,
      std::chrono::milliseconds confirm_timeout = std::chrono::seconds(30));
  // Fails every publish still waiting for its confirm.
  ~IoDealerPublisher() override;

  void Publish(navette::Envelope envelope, PublishCallback done) override;

 private:
  IoDealerPublisher(asio::io_context& io, std::chrono::milliseconds confirm_timeout);
  void ArmWait();
  void ScheduleDrain();
  void Drain();
  bool HasInput();
  void ArmExpiryTimer();

  asio::io_context& io_;
  zmq::socket_t socket_;
  asio::posix::stream_descriptor watcher_;  // over ZMQ_FD; released, never closed
  asio::steady_timer expiry_timer_;
  InFlightPublishes in_flight_;
  uint64_t next_correlation_ = 1;
  bool drain_scheduled_ = false;
  // Set to false by the destructor; every handler holds a copy and checks it
  // before touching the publisher.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace navette::adapters::bus
