#include "adapters/bus/io_dealer_publisher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proto/bus.pb.h"

namespace navette::adapters::bus {

using navette::bus::BusRequest;

IoDealerPublisher::IoDealerPublisher(asio::io_context& io,
                                     std::chrono::milliseconds confirm_timeout)
    : io_(io), watcher_(io), expiry_timer_(io), in_flight_(confirm_timeout) {}

absl::StatusOr<std::unique_ptr<IoDealerPublisher>> IoDealerPublisher::Connect(
    zmq::context_t& context, const std::string& endpoint, asio::io_context& io,
    std::chrono::milliseconds confirm_timeout) {
  std::unique_ptr<IoDealerPublisher> publisher(new IoDealerPublisher(io, confirm_timeout));
  try {
    publisher->socket_ = zmq::socket_t(context, zmq::socket_type::dealer);
    publisher->socket_.set(zmq::sockopt::sndhwm, 0);
    publisher->socket_.set(zmq::sockopt::rcvhwm, 0);
    publisher->socket_.set(zmq::sockopt::linger, 0);
    publisher->socket_.connect(endpoint);
    publisher->watcher_.assign(publisher->socket_.get(zmq::sockopt::fd));
  } catch (const zmq::error_t& error) {
    return absl::UnavailableError(
        fmt::format("bus: cannot connect to {}: {}", endpoint, error.what()));
  } catch (const std::system_error& error) {
    return absl::InternalError(fmt::format("bus: cannot watch the bus socket: {}", error.what()));
  }
  publisher->ArmWait();
  publisher->ArmExpiryTimer();
  return publisher;
}

IoDealerPublisher::~IoDealerPublisher() {
  *alive_ = false;
  std::error_code ignored;
  watcher_.cancel(ignored);
  watcher_.release();  // the descriptor is ZeroMQ's
  expiry_timer_.cancel();
  in_flight_.FailAll(absl::UnavailableError("bus: publisher stopped before the engine confirmed"));
}

void IoDealerPublisher::Publish(navette::Envelope envelope, PublishCallback done) {
  BusRequest request;
  const uint64_t correlation = next_correlation_++;
  request.mutable_publish()->set_correlation(correlation);
  *request.mutable_publish()->mutable_envelope() = std::move(envelope);
  const std::string payload = request.SerializeAsString();
  try {
    // No high-water mark: a send never blocks or fails for lack of room. It
    // is refused (an empty result) only when libzmq dropped the connection's
    // pipe after a refused handshake; the publish then fails at its deadline.
    socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& error) {
    done(absl::UnavailableError(fmt::format("bus: send failed: {}", error.what())));
    return;
  }
  in_flight_.Add(correlation, std::move(done));
  // A send can consume the edge of ZMQ_FD: look at the socket again.
  ScheduleDrain();
}

void IoDealerPublisher::ArmWait() {
  watcher_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this, alive = alive_](std::error_code error) {
                        if (error || !*alive) return;  // cancelled: going away
                        Drain();
                        ArmWait();
                      });
  if (HasInput()) ScheduleDrain();
}

void IoDealerPublisher::ScheduleDrain() {
  if (drain_scheduled_) return;
  drain_scheduled_ = true;
  // Posted rather than run inline so that callbacks never run inside
  // Publish(), whose caller may not expect re-entry.
  asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    drain_scheduled_ = false;
    Drain();
  });
}

bool IoDealerPublisher::HasInput() {
  try {
    return (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  } catch (const zmq::error_t&) {
    return false;
  }
}

void IoDealerPublisher::Drain() {
  zmq::message_t frame;
  while (true) {
    zmq::recv_result_t received;
    try {
      received = socket_.recv(frame, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& error) {
      spdlog::error("bus: receive failed: {}", error.what());
      return;
    }
    if (!received) return;
    in_flight_.Complete(frame.data(), frame.size());
  }
}

void IoDealerPublisher::ArmExpiryTimer() {
  expiry_timer_.expires_after(std::chrono::milliseconds(250));
  expiry_timer_.async_wait([this, alive = alive_](std::error_code error) {
    if (error || !*alive) return;
    in_flight_.ExpireOverdue(std::chrono::steady_clock::now());
    ArmExpiryTimer();
  });
}

}  // namespace navette::adapters::bus
