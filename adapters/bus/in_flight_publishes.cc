#include "adapters/bus/in_flight_publishes.h"

#include <spdlog/spdlog.h>

#include "proto/bus.pb.h"

namespace navette::adapters::bus {

void InFlightPublishes::Add(uint64_t correlation, PublishCallback done) {
  pending_.emplace(correlation,
                   Pending{std::move(done), std::chrono::steady_clock::now() + timeout_});
}

void InFlightPublishes::Complete(const void* frame, size_t size) {
  navette::bus::BusReply reply;
  if (!reply.ParseFromArray(frame, static_cast<int>(size)) || !reply.has_confirm()) {
    spdlog::error("bus: unreadable reply from the engine ({} bytes)", size);
    return;
  }
  const navette::bus::Confirm& confirm = reply.confirm();
  auto it = pending_.find(confirm.correlation());
  if (it == pending_.end()) return;
  PublishCallback done = std::move(it->second.done);
  pending_.erase(it);
  if (!confirm.error().empty()) {
    // Permanent: the message is at fault (publisher.h); else the engine is,
    // and a paused intake is its own case.
    if (confirm.permanent()) {
      done(absl::InvalidArgumentError(confirm.error()));
    } else if (confirm.intake_paused()) {
      done(absl::ResourceExhaustedError(confirm.error()));
    } else {
      done(absl::UnavailableError(confirm.error()));
    }
  } else {
    done(PublishResult{confirm.message_id(), confirm.duplicate()});
  }
}

void InFlightPublishes::ExpireOverdue(std::chrono::steady_clock::time_point now) {
  while (!pending_.empty() && pending_.begin()->second.deadline <= now) {
    PublishCallback done = std::move(pending_.begin()->second.done);
    pending_.erase(pending_.begin());
    done(absl::DeadlineExceededError("bus: the engine did not confirm in time"));
  }
}

void InFlightPublishes::Fail(uint64_t correlation, const absl::Status& status) {
  auto it = pending_.find(correlation);
  if (it == pending_.end()) return;
  PublishCallback done = std::move(it->second.done);
  pending_.erase(it);
  done(status);
}

void InFlightPublishes::FailAll(const absl::Status& status) {
  std::map<uint64_t, Pending> failed;
  failed.swap(pending_);
  for (auto& [correlation, pending] : failed) pending.done(status);
}

}  // namespace navette::adapters::bus
