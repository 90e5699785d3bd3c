#include "engine/delivery_worker.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "store/message_id.h"

namespace navette::engine {
namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DeliveryWorker::DeliveryWorker(std::string destination_name, adapters::Destination& destination,
                               store::Store& store, RetryPolicy retry)
    : name_(std::move(destination_name)), destination_(destination), store_(store), retry_(retry) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  thread_ = std::thread([this] {
    SetThreadName("deliver-" + name_);
    Run();
  });
}

void DeliveryWorker::Stop() {
  stopping_ = true;
  wakeup_.Notify();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Run() {
  std::string head;  // key of the first pending task; empty = start of queue
  while (!stopping_) {
    auto tasks = store_.PeekQueue(name_, head, 64);
    if (!tasks.ok()) {
      spdlog::error("delivery: destination={}: {}", name_, tasks.status().message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    if (tasks->empty()) {
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    for (const store::QueuedTask& task : *tasks) {
      if (stopping_) return;
      head = task.key;
      const int64_t wait_us = task.task.not_before_us() - NowUs();
      if (wait_us > 0) {
        // Head-of-line: nothing later goes before this task's retry. Stop()
        // interrupts the wait.
        wakeup_.WaitFor(std::chrono::microseconds(wait_us));
        break;
      }
      if (!Attempt(task)) break;  // re-read: the task was rewritten
      head.push_back('\0');       // just past the delivered task
    }
  }
}

bool DeliveryWorker::Attempt(const store::QueuedTask& task) {
  const uint64_t id = task.task.message_id();
  auto message = store_.GetMessage(id);
  if (!message.ok()) {
    spdlog::error("delivery: destination={} id={}: {}", name_, store::FormatMessageId(id),
                  message.status().message());
    wakeup_.WaitFor(std::chrono::seconds(1));
    return false;
  }
  adapters::DeliveryRequest request{id, task.task.route(), &*message, task.task.attempt()};
  const auto started = std::chrono::steady_clock::now();
  adapters::DeliveryResult result = destination_.Deliver(request);
  const int64_t duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();

  if (result.outcome == adapters::DeliveryResult::Outcome::kDelivered) {
    absl::Status committed = store_.CommitDelivered(name_, task, duration_us, result.detail);
    if (!committed.ok()) {
      // Delivered but not recorded: it will be delivered again (at-least-once).
      spdlog::error("delivery: destination={} id={}: {}", name_, store::FormatMessageId(id),
                    committed.message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      return false;
    }
    ++stats_.delivered;
    spdlog::debug("delivery: delivered id={} destination={}", store::FormatMessageId(id), name_);
    return true;
  }

  // Until dead letters exist, every failure is retried with a capped
  // exponential backoff; permanent ones are logged as such.
  ++stats_.failed_attempts;
  const uint32_t attempt = task.task.attempt() + 1;
  const auto backoff = std::min<std::chrono::milliseconds>(
      retry_.max, retry_.initial * (int64_t{1} << std::min<uint32_t>(attempt - 1, 20)));
  const int64_t next_us =
      NowUs() + std::chrono::duration_cast<std::chrono::microseconds>(backoff).count();
  spdlog::warn("delivery: attempt {} failed id={} destination={}: {}; next in {} ms", attempt,
               store::FormatMessageId(id), name_, result.detail, backoff.count());
  absl::Status committed =
      store_.CommitAttemptFailed(name_, task, duration_us, result.detail, next_us);
  if (!committed.ok()) {
    spdlog::error("delivery: destination={} id={}: {}", name_, store::FormatMessageId(id),
                  committed.message());
    wakeup_.WaitFor(std::chrono::seconds(1));
  }
  return false;
}

}  // namespace navette::engine
