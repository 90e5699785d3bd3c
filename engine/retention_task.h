// The background task that applies engine.retention (docs/retention.md):
// a first run soon after start, then one every interval, each removing
// what the store no longer keeps (Store::ApplyRetention) and compacting what
// it emptied. One thread, idle between runs; Stop interrupts a run between
// two batches or during its compaction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "proto/config.pb.h"
#include "store/retention.h"

namespace navette::store {
class Store;
}

namespace navette::engine {

class Metrics;

// The store's policy from the configuration (after ApplyDefaults).
store::RetentionPolicy RetentionPolicyFrom(const navette::config::Retention& retention);

struct RetentionTaskOptions {
  store::RetentionPolicy policy;
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  // Before the first run: the engine's start has priority, and a restart
  // loop must not compact on each start. At most `interval`.
  std::chrono::milliseconds first_run_after{std::chrono::minutes(1)};
  Metrics* metrics = nullptr;  // may be null
  // After each run that removed something (dead letters leave the gauges).
  std::function<void(const store::RetentionReport&)> removed;
};

class RetentionTask {
 public:
  RetentionTask(store::Store& store, RetentionTaskOptions options);
  ~RetentionTask();
  RetentionTask(const RetentionTask&) = delete;
  RetentionTask& operator=(const RetentionTask&) = delete;

  void Start();
  void Stop();

 private:
  void Run();
  void RunOnce();

  store::Store& store_;
  const RetentionTaskOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;            // guarded by mu_
  std::atomic<bool> cancel_{false};  // read by the store between batches
  std::thread thread_;
};

}  // namespace navette::engine
