#include "adapters/bus/dealer_publisher.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "proto/bus.pb.h"

namespace navette::adapters::bus {

using navette::bus::BusRequest;

DealerPublisher::DealerPublisher(zmq::context_t& context, std::string endpoint,
                                 std::chrono::milliseconds confirm_timeout,
                                 std::optional<CurveClientKeys> curve)
    : context_(context),
      endpoint_(std::move(endpoint)),
      curve_(std::move(curve)),
      in_flight_(confirm_timeout) {}

DealerPublisher::~DealerPublisher() { Stop(); }

absl::Status DealerPublisher::Start() {
  if (curve_) {
    for (const std::string* key :
         {&curve_->server_public_key, &curve_->public_key, &curve_->secret_key}) {
      if (absl::Status valid = CheckCurveKey(*key); !valid.ok()) {
        return absl::InvalidArgumentError(fmt::format("bus: {}", valid.message()));
      }
    }
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return absl::InternalError("bus: cannot create eventfd");
  // Connect on the caller's thread so that a bad endpoint is reported here.
  try {
    socket_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    socket_.set(zmq::sockopt::sndhwm, 0);
    socket_.set(zmq::sockopt::rcvhwm, 0);
    socket_.set(zmq::sockopt::linger, 0);
    if (curve_) {
      // Options are taken at connect: set before it.
      socket_.set(zmq::sockopt::curve_serverkey, curve_->server_public_key);
      socket_.set(zmq::sockopt::curve_publickey, curve_->public_key);
      socket_.set(zmq::sockopt::curve_secretkey, curve_->secret_key);
    }
    socket_.connect(endpoint_);
  } catch (const zmq::error_t& error) {
    return absl::UnavailableError(
        fmt::format("bus: cannot connect to {}: {}", endpoint_, error.what()));
  }
  thread_ = std::thread([this] {
    SetThreadName("bus-publisher");
    Run();
  });
  return absl::OkStatus();
}

void DealerPublisher::Run() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    // POLLOUT only while a request waits for a connection: it is always set
    // otherwise, and would spin the loop.
    const short socket_events = unsent_.empty() ? ZMQ_POLLIN : ZMQ_POLLIN | ZMQ_POLLOUT;
    zmq::pollitem_t items[] = {{socket_.handle(), 0, socket_events, 0},
                               {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    try {
      // The timeout only bounds how late an expired publish is failed.
      zmq::poll(items, 2, std::chrono::milliseconds(250));
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) break;
      spdlog::error("bus: poll failed: {}", error.what());
      continue;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof(count));
    }
    SendQueued();
    if (items[0].revents & ZMQ_POLLIN) ReceiveConfirms();
    in_flight_.ExpireOverdue(std::chrono::steady_clock::now());
  }
  FailAll();
  socket_.close();
}

void DealerPublisher::FailAll() {
  std::deque<Outgoing> unsent;
  {
    std::lock_guard lock(mu_);
    unsent.swap(outbox_);
  }
  for (Outgoing& outgoing : unsent) {
    outgoing.done(absl::UnavailableError("bus: publisher stopped before sending"));
  }
  unsent_.clear();
  in_flight_.FailAll(absl::UnavailableError("bus: publisher stopped before the engine confirmed"));
}

void DealerPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
}

void DealerPublisher::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void DealerPublisher::Publish(navette::Envelope envelope, PublishCallback done) {
  BusRequest request;
  *request.mutable_publish()->mutable_envelope() = std::move(envelope);
  bool wake = false;
  {
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      done(absl::UnavailableError("bus: publisher is stopping"));
      return;
    }
    const uint64_t correlation = next_correlation_++;
    request.mutable_publish()->set_correlation(correlation);
    // The bus thread takes the whole outbox each time it wakes, so a
    // non-empty outbox already has a wake-up pending: one syscall per burst
    // rather than one per message.
    wake = outbox_.empty();
    outbox_.push_back(Outgoing{correlation, request.SerializeAsString(), std::move(done)});
  }
  if (wake) Wake();
}

void DealerPublisher::SendQueued() {
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(outbox_);
  }
  for (Outgoing& outgoing : batch) {
    in_flight_.Add(outgoing.correlation, std::move(outgoing.done));
    unsent_.push_back(Unsent{outgoing.correlation, std::move(outgoing.payload)});
  }
  while (!unsent_.empty()) {
    Unsent& next = unsent_.front();
    // Expired or failed while waiting: its sender was already answered, and
    // sending it now would commit a message the sender will send again.
    if (!in_flight_.Contains(next.correlation)) {
      unsent_.pop_front();
      continue;
    }
    try {
      // No high-water mark, so the socket refuses only when it has no
      // connection's pipe at all (EAGAIN: an empty result); never block on it.
      if (!socket_.send(zmq::buffer(next.payload), zmq::send_flags::dontwait)) return;
    } catch (const zmq::error_t& error) {
      in_flight_.Fail(next.correlation,
                      absl::UnavailableError(fmt::format("bus: send failed: {}", error.what())));
    }
    unsent_.pop_front();
  }
}

void DealerPublisher::ReceiveConfirms() {
  zmq::message_t frame;
  while (socket_.recv(frame, zmq::recv_flags::dontwait)) {
    in_flight_.Complete(frame.data(), frame.size());
  }
}

}  // namespace navette::adapters::bus
