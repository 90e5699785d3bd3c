// Delivery scheduler: works one destination's durable queue.
//
// One dispatcher thread decides what to attempt and when; `max_in_flight`
// attempt threads carry the attempts out (a batch of tasks each for a
// destination that shares the cost of durability, such as files; one task
// each otherwise). Each attempt ends as delivered, retry or dead, recorded
// with its history event in one store batch.
//
// The dispatcher holds a window of the queue in memory (at most kWindow
// tasks, read in key order from a position kept in memory, so it never
// walks over tombstones and memory stays bounded however long the queue).
// Within the window:
//   - ordering `none`: a retrying task holds nothing up;
//   - ordering `per_patient`: a task waits while an earlier task of the
//     same patient key is in the window (in flight, or waiting to retry);
//   - the circuit breaker (delivery/circuit_breaker.h): after
//     `failure_threshold` consecutive transient failures the destination
//     pauses as a whole; after `open_duration` one probe attempt goes out;
//     success closes the circuit (and tasks waiting on their backoff are
//     tried at once), failure doubles the pause up to the retry policy's max
//     delay. Opening and closing are logged once, and shown by the metrics
//     navette_circuit_open and navette_circuit_opened_total.
//   - the rate limit (delivery/rate_limiter.h): a token bucket of
//     `rate_limit` attempts per second.
// A failed attempt is retried or given up on as delivery/backoff.h says.
// Every decision by the time reads the injected clock.
//
// After a restart the window is read from the start of the queue: attempts
// that were in flight are simply attempted again (at-least-once).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/destination.h"
#include "common/clock.h"
#include "engine/delivery/backoff.h"
#include "engine/delivery/circuit_breaker.h"
#include "engine/delivery/rate_limiter.h"
#include "engine/wakeup.h"
#include "kinds/delivery_policy.h"
#include "proto/config.pb.h"
#include "store/store.h"

namespace navette::engine {

class IntakeGate;
class Metrics;

using DeliveryPolicy = kinds::DeliveryPolicy;

class DeliveryScheduler {
 public:
  // `metrics` may be null. `clock` tells the time of every decision (retry
  // times, the circuit's pause, the rate limit); it must outlive the
  // scheduler.
  DeliveryScheduler(std::string destination_name, adapters::Destination& destination,
                    store::Store& store, DeliveryPolicy policy, Metrics* metrics,
                    const Clock& clock);
  ~DeliveryScheduler();

  // Counts the queue (for the gauges) and starts the threads;
  // `dead_letters` is this destination's count at start.
  absl::Status Start(uint64_t dead_letters);
  void Stop();

  // New tasks were queued (by the router or a replay).
  void Notify(uint64_t queued);
  // Operator actions moved tasks or dead letters of this destination.
  void TasksRemoved(uint64_t count);
  void DeadLettersChanged(int64_t delta);

  const std::string& name() const { return name_; }
  // The circuit breaker's state now, for tests and diagnostics.
  delivery::CircuitBreaker::State breaker_state() const;
  // The destination's state now, for the admin API's GET /v1/status. Any
  // thread.
  struct Status {
    uint64_t queue_depth = 0;
    double oldest_age_seconds = 0;  // the window's oldest task; 0 when empty
    uint64_t dead_letters = 0;
    bool circuit_open = false;  // open or half-open: paused but for a probe
    std::string last_error;     // the last failed attempt's detail; empty: none since start
    int64_t last_error_at_us = 0;
  };
  Status status() const;

  // Business acknowledgements (engine/business_acks.h): for an attempt that
  // ends delivered or dead with a receipt, `make` gives the deliveries to
  // queue in the outcome's batch; once committed, `queued` is told of each
  // (for its destination's scheduler). Before Start().
  using FollowUpMaker = std::function<std::vector<store::FollowUpDelivery>(
      const store::StoredMessage& message, const std::string& destination,
      const google::protobuf::Any& receipt)>;
  using FollowUpQueued = std::function<void(const store::ActionEffect& effect)>;
  void set_follow_ups(FollowUpMaker make, FollowUpQueued queued) {
    make_follow_ups_ = std::move(make);
    follow_up_queued_ = std::move(queued);
  }

  // Backpressure (engine/intake_gate.h): with a policy's max_backlog, the
  // dispatcher tells `gate` whenever the queue is past it while the
  // destination is delivering. Before Start(); the gate must outlive the
  // scheduler.
  void set_intake_gate(IntakeGate* gate) { intake_gate_ = gate; }

  // Called on the dispatcher thread right after each read of the queue, so
  // that a test can commit a task at the moment a race needs. Before Start().
  void set_after_queue_read_for_test(std::function<void()> hook) {
    after_queue_read_for_test_ = std::move(hook);
  }

 private:
  struct Slot {
    store::QueuedTask queued;
    bool in_flight = false;
  };
  struct Completion {
    std::string key;
    // kDeferred: not attempted (the batch was full); eligible again at once.
    enum class Kind { kDelivered, kRetry, kDead, kGone, kStoreFailed, kDeferred } kind;
    int64_t next_attempt_us = 0;
    bool transient_failure = false;  // counts toward the circuit breaker
    std::string detail;
  };

  void RunDispatcher();
  void RunAttempts();
  // Under mu_: applies finished attempts to the window and the breaker.
  void ApplyCompletions(int64_t now);
  // Under mu_: hands eligible tasks to the attempt threads; returns when the
  // dispatcher should look again (0: only when woken).
  int64_t Dispatch(int64_t now);
  bool LoadMore();
  std::vector<Completion> Attempt(std::vector<store::QueuedTask> batch);
  // The outcome of a failed attempt: retry at some time, or dead.
  void DecideFailure(const store::QueuedTask& queued, const adapters::DeliveryResult& result,
                     int64_t received_at_us, store::DeliveryOutcome& outcome,
                     Completion& completion);
  void PublishGauges(int64_t now);
  // Under mu_: whether the queue is past max_backlog while the destination
  // is delivering (circuit closed, last attempt delivered).
  bool OverBacklog(int64_t now) const;
  double OldestAgeSeconds(int64_t now) const;  // under mu_
  // Under mu_: logs and counts what the breaker reports.
  void CircuitOpened(const Completion& completion);
  void CircuitClosed(int64_t now);

  const std::string name_;
  adapters::Destination& destination_;
  store::Store& store_;
  const DeliveryPolicy policy_;
  Metrics* const metrics_;
  const Clock& clock_;
  const delivery::Backoff backoff_;  // thread-safe: used by the attempt threads

  mutable std::mutex mu_;
  std::condition_variable work_ready_;
  std::deque<std::vector<store::QueuedTask>> work_;  // batches for the attempt threads
  std::vector<Completion> completions_;
  bool stopping_ = false;

  // Dispatcher-owned, under mu_ (breaker_ is also read by breaker_state()).
  std::map<std::string, Slot> window_;
  std::unordered_map<std::string, std::deque<std::string>> patients_;  // patient -> keys
  std::string position_;  // key after the last task loaded
  size_t in_flight_batches_ = 0;
  delivery::CircuitBreaker breaker_;
  std::string probe_key_;   // the breaker's probe while in flight; empty: none
  std::string last_error_;  // for status(): the last retry or dead outcome's detail
  int64_t last_error_at_us_ = 0;
  delivery::RateLimiter rate_limiter_;
  std::atomic<bool> queue_has_more_{true};
  std::function<void()> after_queue_read_for_test_;
  FollowUpMaker make_follow_ups_;  // set before Start(), then read-only
  FollowUpQueued follow_up_queued_;

  // Backpressure: the gate is set before Start(); the next two are under
  // mu_; reported_over_ is the dispatcher thread's own.
  IntakeGate* intake_gate_ = nullptr;
  bool last_attempt_delivered_ = false;  // not delivering until shown
  uint64_t left_ = 0;                    // tasks delivered or dead since Start()
  bool reported_over_ = false;

  std::atomic<int64_t> depth_{0};
  std::atomic<int64_t> dead_letters_{0};

  Wakeup wakeup_;
  std::thread dispatcher_;
  std::vector<std::thread> attempt_threads_;
};

}  // namespace navette::engine
