// Delivery worker: one thread per destination, taking that destination's
// queue in order, a batch of due tasks at a time. The outcomes of a batch are
// recorded in one atomic store write: `delivered` removes a task, a failure
// keeps it with its attempt count and the time of its next attempt.
//
// Ordering: tasks are attempted strictly in queue order, and a failed task is
// retried before any later one (head-of-line). Concurrency, per-patient
// ordering, dead letters and circuit breaking build on this later.
//
// The worker's position in its queue is kept in memory: the key of the task
// at the head. Reading the next task starts there, so it never walks over
// the tombstones of delivered tasks.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "adapters/destination.h"
#include "engine/wakeup.h"
#include "store/store.h"

namespace navette::engine {

struct RetryPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{60000};
};

struct DeliveryStats {
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> failed_attempts{0};
};

class DeliveryWorker {
 public:
  DeliveryWorker(std::string destination_name, adapters::Destination& destination,
                 store::Store& store, RetryPolicy retry = {});
  ~DeliveryWorker();

  void Start();
  void Stop();
  void Notify() { wakeup_.Notify(); }
  const std::string& name() const { return name_; }
  const DeliveryStats& stats() const { return stats_; }

 private:
  void Run();
  // Attempts the tasks and records their outcomes; returns the number of
  // leading tasks that left the queue (delivered), or 0 if the store failed.
  size_t AttemptBatch(std::span<const store::QueuedTask> tasks);

  const std::string name_;
  adapters::Destination& destination_;
  store::Store& store_;
  const RetryPolicy retry_;
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  DeliveryStats stats_;
};

}  // namespace navette::engine
