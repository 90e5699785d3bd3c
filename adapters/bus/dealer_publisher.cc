#include "adapters/bus/dealer_publisher.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "proto/bus.pb.h"

namespace navette::adapters::bus {

using navette::bus::BusReply;
using navette::bus::BusRequest;
using navette::bus::Confirm;

DealerPublisher::DealerPublisher(zmq::context_t& context, std::string endpoint,
                                 std::chrono::milliseconds confirm_timeout)
    : context_(context), endpoint_(std::move(endpoint)), confirm_timeout_(confirm_timeout) {}

DealerPublisher::~DealerPublisher() { Stop(); }

absl::Status DealerPublisher::Start() {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return absl::InternalError("bus: cannot create eventfd");
  // Connect on the caller's thread so that a bad endpoint is reported here.
  try {
    socket_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    socket_.set(zmq::sockopt::sndhwm, 0);
    socket_.set(zmq::sockopt::rcvhwm, 0);
    socket_.set(zmq::sockopt::linger, 0);
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
    zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0},
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
    ExpirePending();
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
    outgoing.pending.done(absl::UnavailableError("bus: publisher stopped before sending"));
  }
  for (auto& [correlation, pending] : in_flight_) {
    pending.done(absl::UnavailableError("bus: publisher stopped before the engine confirmed"));
  }
  in_flight_.clear();
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
    outbox_.push_back(
        Outgoing{correlation, request.SerializeAsString(),
                 Pending{std::move(done), std::chrono::steady_clock::now() + confirm_timeout_}});
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
    try {
      socket_.send(zmq::buffer(outgoing.payload), zmq::send_flags::none);
      in_flight_.emplace(outgoing.correlation, std::move(outgoing.pending));
    } catch (const zmq::error_t& error) {
      outgoing.pending.done(
          absl::UnavailableError(fmt::format("bus: send failed: {}", error.what())));
    }
  }
}

void DealerPublisher::ReceiveConfirms() {
  zmq::message_t frame;
  while (socket_.recv(frame, zmq::recv_flags::dontwait)) {
    BusReply reply;
    if (!reply.ParseFromArray(frame.data(), static_cast<int>(frame.size())) ||
        !reply.has_confirm()) {
      spdlog::error("bus: unreadable reply from the engine ({} bytes)", frame.size());
      continue;
    }
    const Confirm& confirm = reply.confirm();
    auto it = in_flight_.find(confirm.correlation());
    if (it == in_flight_.end()) continue;  // expired earlier; the sender got AE
    PublishCallback done = std::move(it->second.done);
    in_flight_.erase(it);
    if (!confirm.error().empty()) {
      done(absl::UnavailableError(confirm.error()));
    } else {
      done(PublishResult{confirm.message_id(), confirm.duplicate()});
    }
  }
}

void DealerPublisher::ExpirePending() {
  const auto now = std::chrono::steady_clock::now();
  while (!in_flight_.empty() && in_flight_.begin()->second.deadline <= now) {
    in_flight_.begin()->second.done(
        absl::DeadlineExceededError("bus: the engine did not confirm in time"));
    in_flight_.erase(in_flight_.begin());
  }
}

}  // namespace navette::adapters::bus
