#include "engine/delivery_worker.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "store/message_id.h"

namespace navette::engine {
namespace {

// Most tasks attempted together: large enough to share a flush across many
// messages, small enough to keep a batch's latency low.
constexpr size_t kBatchSize = 64;

}  // namespace

DeliveryWorker::DeliveryWorker(std::string destination_name, adapters::Destination& destination,
                               store::Store& store, RetryPolicy retry)
    : name_(std::move(destination_name)), destination_(destination), store_(store), retry_(retry) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  thread_ = std::thread([this] {
    SetThreadName("deliver-" + name_);
    LowerThreadPriority(5);
    Run();
  });
}

void DeliveryWorker::Stop() {
  stopping_ = true;
  wakeup_.Notify();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Run() {
  // Key of the first task still in the queue; empty = start of the queue.
  std::string head;
  while (!stopping_) {
    auto tasks = store_.PeekQueue(name_, head, kBatchSize);
    if (!tasks.ok()) {
      spdlog::error("delivery: destination={}: {}", name_, tasks.status().message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    if (tasks->empty()) {
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    // Head-of-line: only the tasks before the first one waiting for its
    // retry time are attempted; nothing later goes before that retry.
    const int64_t now = NowMicros();
    size_t due = 0;
    while (due < tasks->size() && (*tasks)[due].task.not_before_us() <= now) ++due;
    if (due == 0) {
      // Stop() and new work interrupt the wait; the loop then looks again.
      wakeup_.WaitFor(std::chrono::microseconds((*tasks)[0].task.not_before_us() - now));
      continue;
    }
    const size_t left = AttemptBatch(std::span(tasks->data(), due));
    if (left == 0) continue;
    head = (*tasks)[left - 1].key;
    head.push_back('\0');  // just past the last task that left the queue
  }
}

size_t DeliveryWorker::AttemptBatch(std::span<const store::QueuedTask> tasks) {
  std::vector<store::StoredMessage> messages(tasks.size());
  std::vector<adapters::DeliveryRequest> requests;
  requests.reserve(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    const uint64_t id = tasks[i].task.message_id();
    auto message = store_.GetMessage(id);
    if (!message.ok()) {
      spdlog::error("delivery: destination={} id={}: {}", name_, store::FormatMessageId(id),
                    message.status().message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      return 0;
    }
    messages[i] = std::move(*message);
    requests.push_back({id, tasks[i].task.route(), &messages[i], tasks[i].task.attempt()});
  }

  const auto started = std::chrono::steady_clock::now();
  std::vector<adapters::DeliveryResult> results = destination_.DeliverBatch(requests);
  // The batch shares its cost; each message is charged its share.
  const int64_t duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count() /
                              static_cast<int64_t>(tasks.size());

  std::vector<store::DeliveryOutcome> outcomes(tasks.size());
  size_t leading_delivered = 0;
  bool failed_before = false;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const adapters::DeliveryResult& result = results[i];
    store::DeliveryOutcome& outcome = outcomes[i];
    outcome.task = &tasks[i];
    outcome.duration_us = duration_us;
    outcome.detail = result.detail;
    outcome.delivered = result.outcome == adapters::DeliveryResult::Outcome::kDelivered;
    if (outcome.delivered) {
      if (!failed_before) ++leading_delivered;
      continue;
    }
    failed_before = true;
    // Until dead letters exist, every failure is retried with a capped
    // exponential backoff; permanent ones are logged as such.
    const uint32_t attempt = tasks[i].task.attempt() + 1;
    const auto backoff = std::min<std::chrono::milliseconds>(
        retry_.max, retry_.initial * (int64_t{1} << std::min<uint32_t>(attempt - 1, 20)));
    outcome.next_attempt_us = NowMicros() + std::chrono::microseconds(backoff).count();
    spdlog::warn(
        "delivery: attempt {} failed id={} destination={}{}: {}; next in {} ms", attempt,
        store::FormatMessageId(tasks[i].task.message_id()), name_,
        result.outcome == adapters::DeliveryResult::Outcome::kPermanent ? " (permanent)" : "",
        result.detail, backoff.count());
  }
  absl::Status committed = store_.CommitDeliveryOutcomes(name_, outcomes);
  if (!committed.ok()) {
    // Delivered but not recorded: delivered again later (at-least-once).
    spdlog::error("delivery: destination={}: {}", name_, committed.message());
    wakeup_.WaitFor(std::chrono::seconds(1));
    return 0;
  }
  for (const store::DeliveryOutcome& outcome : outcomes) {
    if (outcome.delivered) {
      ++stats_.delivered;
    } else {
      ++stats_.failed_attempts;
    }
  }
  return leading_delivered;
}

}  // namespace navette::engine
