// The delivery scheduler against a real store: tasks the router commits
// reach the destination, whenever they are committed.
#include "engine/delivery_scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "engine/intake_gate.h"
#include "store/message_id.h"
#include "tests/support/fake_clock.h"
#include "tests/support/store_inspector.h"

namespace navette::engine {
namespace {

// Records the ids it is given; always delivers.
class RecordingDestination : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    std::lock_guard lock(mu_);
    delivered_.insert(request.message_id);
    changed_.notify_all();
    return adapters::DeliveryResult::Delivered("recorded");
  }
  bool WaitForDelivery(uint64_t id, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return delivered_.count(id) > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::set<uint64_t> delivered_;
};

// Records the size of each batch it is given; always delivers.
class BatchRecordingDestination : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    return DeliverBatch({&request, 1}).front();
  }
  std::vector<adapters::DeliveryResult> DeliverBatch(
      std::span<const adapters::DeliveryRequest> requests) override {
    std::lock_guard lock(mu_);
    batches_.push_back(requests.size());
    delivered_ += requests.size();
    changed_.notify_all();
    return std::vector<adapters::DeliveryResult>(requests.size(),
                                                 adapters::DeliveryResult::Delivered("recorded"));
  }
  // The batch sizes seen, once `count` messages have been delivered.
  std::vector<size_t> WaitForDeliveries(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return delivered_ >= count; });
    return batches_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<size_t> batches_;
  size_t delivered_ = 0;
};

// Fails every attempt as transient; counts them.
class FailingDestination : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest&) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    changed_.notify_all();
    return adapters::DeliveryResult::Transient("down");
  }
  bool WaitForAttempts(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return attempts_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  size_t attempts_ = 0;
};

// Fails every attempt as transient until told to deliver; counts attempts
// and deliveries.
class SwitchableDestination : public adapters::Destination {
 public:
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest&) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (up_) ++delivered_;
    changed_.notify_all();
    return up_ ? adapters::DeliveryResult::Delivered("ok")
               : adapters::DeliveryResult::Transient("down");
  }
  void SetUp(bool up) {
    std::lock_guard lock(mu_);
    up_ = up;
  }
  size_t attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  bool WaitForDeliveries(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return delivered_ >= count; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool up_ = false;
  size_t attempts_ = 0;
  size_t delivered_ = 0;
};

// Records the size of each batch it is given; lets the first `free`
// batches through at once and holds every later one until Open().
class HeldBatchDestination : public adapters::Destination {
 public:
  explicit HeldBatchDestination(size_t free = 0) : free_(free) {}
  adapters::DeliveryResult Deliver(const adapters::DeliveryRequest& request) override {
    return DeliverBatch({&request, 1}).front();
  }
  std::vector<adapters::DeliveryResult> DeliverBatch(
      std::span<const adapters::DeliveryRequest> requests) override {
    std::unique_lock lock(mu_);
    batches_.push_back(requests.size());
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_ || batches_.size() <= free_; });
    return std::vector<adapters::DeliveryResult>(requests.size(),
                                                 adapters::DeliveryResult::Delivered("ok"));
  }
  std::vector<size_t> WaitForBatches(size_t count) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] { return batches_.size() >= count; });
    return batches_;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  const size_t free_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<size_t> batches_;
  bool open_ = false;
};

// Polls `condition` until it holds or `timeout` passes (real time: the
// scheduler's threads run at their own pace whatever the fake clock says).
template <typename Condition>
bool Eventually(Condition condition, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class DeliverySchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("navette-scheduler-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"out"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  uint64_t Ingest(const std::string& control_id, size_t padding = 0) {
    const uint64_t id = ids_.Next();
    navette::Envelope envelope;
    envelope.set_source("lab");
    envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|" + control_id + "|P|2.5\r" +
                     std::string(padding, 'x'));
    envelope.mutable_hl7()->set_control_id(control_id);
    store::IngressRecord record{id, &envelope, "hash-" + control_id};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    return id;
  }
  absl::Status Route(uint64_t id) {
    store::RoutedDelivery delivery;
    delivery.route = "r";
    delivery.destination = "out";
    return store::CommitRouting(*store_, id, {"r"}, {delivery}, "v");
  }

  // The message's state at the destination, once its attempts recorded in
  // the store reach `attempts`.
  std::optional<store::DestinationState> WaitForRecordedAttempts(uint64_t id, uint32_t attempts) {
    std::optional<store::DestinationState> found;
    Eventually([&] {
      auto state = store_->GetState(id);
      if (!state.ok() || state->destinations_size() != 1) return false;
      if (state->destinations(0).attempts() < attempts) return false;
      found = state->destinations(0);
      return true;
    });
    return found;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
};

// The router commits a task and notifies while the dispatcher is reading an
// empty queue: the task must still be read and delivered, although no
// further notification comes (the last message of a burst).
TEST_F(DeliverySchedulerTest, TaskCommittedDuringAnEmptyReadIsDelivered) {
  const uint64_t id = Ingest("late");
  RecordingDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, DeliveryPolicy{}, nullptr,
                              Clock::System());
  bool committed = false;
  scheduler.set_after_queue_read_for_test([&] {
    if (committed) return;  // only inside the first (empty) read
    committed = true;
    ASSERT_TRUE(Route(id).ok());
    scheduler.Notify(1);
  });
  ASSERT_TRUE(scheduler.Start(0).ok());
  EXPECT_TRUE(destination.WaitForDelivery(id, std::chrono::seconds(10)));
  scheduler.Stop();
}

// The ordinary path: a task committed and notified after the start.
TEST_F(DeliverySchedulerTest, NotifiedTaskIsDelivered) {
  RecordingDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, DeliveryPolicy{}, nullptr,
                              Clock::System());
  ASSERT_TRUE(scheduler.Start(0).ok());
  const uint64_t id = Ingest("c1");
  ASSERT_TRUE(Route(id).ok());
  scheduler.Notify(1);
  EXPECT_TRUE(destination.WaitForDelivery(id, std::chrono::seconds(10)));
  scheduler.Stop();
}

// A batch stops taking messages at its byte budget; the rest wait for the
// next batch, not for a retry delay, and are not counted as attempts.
TEST_F(DeliverySchedulerTest, BatchStopsAtItsByteBudgetAndTheRestFollow) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(Ingest("big" + std::to_string(i), 3000));
    ASSERT_TRUE(Route(ids.back()).ok());
  }
  DeliveryPolicy policy;
  policy.batch_size = 64;
  policy.max_batch_bytes = 10000;  // reached by the fourth message of ~3 KB
  BatchRecordingDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, Clock::System());
  ASSERT_TRUE(scheduler.Start(0).ok());
  const std::vector<size_t> batches = destination.WaitForDeliveries(12, std::chrono::seconds(10));
  scheduler.Stop();

  size_t delivered = 0;
  for (size_t size : batches) {
    EXPECT_LE(size, 4u);
    delivered += size;
  }
  EXPECT_EQ(delivered, 12u);
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches.front(), 4u);  // all twelve were due at once
  for (uint64_t id : ids) {
    auto state = store_->GetState(id);
    ASSERT_TRUE(state.ok());
    ASSERT_EQ(state->destinations_size(), 1);
    EXPECT_EQ(state->destinations(0).attempts(), 1u) << store::FormatMessageId(id);
  }
}

// jitter 1 (its largest allowed value) draws each retry delay anywhere in
// [0, delay]: none before the failure, none after the full delay, and both
// halves of the range used. The delay (1000 s) dwarfs the time the attempts
// take, so the bounds hold whatever the machine's load.
TEST_F(DeliverySchedulerTest, JitterOneDrawsDelaysFromZeroToTheFullDelay) {
  constexpr size_t kTasks = 16;
  constexpr int64_t kDelayUs = 1000 * 1000000LL;
  for (size_t i = 0; i < kTasks; ++i) ASSERT_TRUE(Route(Ingest("j" + std::to_string(i))).ok());
  DeliveryPolicy policy;
  policy.initial_delay = std::chrono::microseconds(kDelayUs);
  policy.max_delay = policy.initial_delay;
  policy.jitter = 1;
  policy.failure_threshold = 0;  // every task gets its first attempt
  FailingDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, Clock::System());
  const int64_t started_us = NowMicros();
  ASSERT_TRUE(scheduler.Start(0).ok());
  ASSERT_TRUE(destination.WaitForAttempts(kTasks, std::chrono::seconds(30)));
  scheduler.Stop();  // the attempt threads record their outcomes before they end
  const int64_t stopped_us = NowMicros();

  auto tasks = store_->PeekQueue("out", "", 2 * kTasks);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), kTasks);
  int64_t shortest_us = kDelayUs, longest_us = 0;
  for (const store::QueuedTask& queued : *tasks) {
    const std::string id = store::FormatMessageId(queued.task.message_id());
    ASSERT_EQ(queued.task.attempt(), 1u) << id;
    // Decided at some time in [started, stopped]: the delay is at most
    // not_before - started and at least not_before - stopped.
    const int64_t not_before_us = queued.task.not_before_us();
    EXPECT_GE(not_before_us, started_us) << id << ": a negative delay";
    EXPECT_LE(not_before_us, stopped_us + kDelayUs) << id << ": longer than the delay";
    shortest_us = std::min(shortest_us, not_before_us - started_us);
    longest_us = std::max(longest_us, not_before_us - stopped_us);
  }
  // jitter 0.2 would keep every delay above 0.8 of it.
  EXPECT_LT(shortest_us, kDelayUs / 2);
  EXPECT_GT(longest_us, kDelayUs / 2);
}

// The breaker through the scheduler, on a fake clock: three failures open
// it (attempts stop at three while the clock stands still), the pause ends
// only when the clock says so, and a delivered probe closes it and lets the
// tasks waiting on their own (hour-long) backoff go at once.
TEST_F(DeliverySchedulerTest, BreakerOpensAtTheThresholdAndADeliveredProbeReleasesTheRest) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Ingest("b" + std::to_string(i)));
    ASSERT_TRUE(Route(ids.back()).ok());
  }
  DeliveryPolicy policy;
  policy.max_in_flight = 1;
  policy.failure_threshold = 3;
  policy.open_duration = std::chrono::seconds(10);
  policy.initial_delay = std::chrono::hours(1);
  policy.max_delay = std::chrono::hours(1);
  policy.jitter = 0;
  FakeClock clock;
  SwitchableDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, clock);
  using State = delivery::CircuitBreaker::State;
  EXPECT_EQ(scheduler.breaker_state(), State::kClosed);
  ASSERT_TRUE(scheduler.Start(0).ok());

  ASSERT_TRUE(Eventually([&] { return scheduler.breaker_state() == State::kOpen; }));
  // Each attempt's completion is applied before the next is dispatched, and
  // the third opened the circuit: no fourth while the clock stands still.
  EXPECT_EQ(destination.attempts(), 3u);

  clock.Advance(std::chrono::seconds(10) - std::chrono::microseconds(1));
  EXPECT_EQ(scheduler.breaker_state(), State::kOpen);
  clock.Advance(std::chrono::microseconds(1));
  EXPECT_EQ(scheduler.breaker_state(), State::kHalfOpen);
  destination.SetUp(true);
  scheduler.Notify(0);  // the dispatcher slept for the pause in real time: wake it
  ASSERT_TRUE(destination.WaitForDeliveries(5, std::chrono::seconds(20)));
  EXPECT_EQ(scheduler.breaker_state(), State::kClosed);
  // Three failures, then each message delivered once: one probe, and no
  // message waited for its hour.
  EXPECT_EQ(destination.attempts(), 8u);
  scheduler.Stop();
}

// max_attempts 3 through the scheduler: each retry waits for its delay on
// the fake clock, and the third failure makes the message dead with the
// reason in its detail.
TEST_F(DeliverySchedulerTest, MaxAttemptsThreeMakesExactlyThreeAttemptsThenDead) {
  const uint64_t id = Ingest("m1");
  ASSERT_TRUE(Route(id).ok());
  DeliveryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_delay = std::chrono::seconds(1);
  policy.jitter = 0;
  policy.failure_threshold = 0;
  FakeClock clock;
  SwitchableDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, clock);
  ASSERT_TRUE(scheduler.Start(0).ok());

  std::optional<store::DestinationState> state = WaitForRecordedAttempts(id, 1);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status(), store::DELIVERY_RETRYING);
  clock.Advance(std::chrono::seconds(1));  // the first delay
  scheduler.Notify(0);
  state = WaitForRecordedAttempts(id, 2);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status(), store::DELIVERY_RETRYING);
  clock.Advance(std::chrono::seconds(2));  // the second, doubled
  scheduler.Notify(0);
  state = WaitForRecordedAttempts(id, 3);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status(), store::DELIVERY_DEAD);
  EXPECT_EQ(state->last_error(), "down; gave up after 3 attempts");
  scheduler.Stop();
  EXPECT_EQ(destination.attempts(), 3u);
}

// Two batches in flight: a full one goes out beside another, a part batch
// waits for the one out and takes the tasks that arrive meanwhile, so that a
// light load does not pay each flush twice.
TEST_F(DeliverySchedulerTest, APartBatchWaitsWhileAnotherIsOutAndAFullOneDoesNot) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Route(Ingest("p" + std::to_string(i))).ok());
  DeliveryPolicy policy;
  policy.batch_size = 4;
  policy.max_in_flight = 2;
  HeldBatchDestination destination;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, Clock::System());
  ASSERT_TRUE(scheduler.Start(0).ok());
  ASSERT_EQ(destination.WaitForBatches(1).size(), 1u);  // 4 out, 2 waiting: not sent as 2
  for (int i = 6; i < 8; ++i) ASSERT_TRUE(Route(Ingest("p" + std::to_string(i))).ok());
  scheduler.Notify(2);
  // The two waiting and the two new make a full batch, out beside the first.
  EXPECT_THAT(destination.WaitForBatches(2), ::testing::ElementsAre(4u, 4u));
  destination.Open();
  EXPECT_TRUE(Eventually([&] { return scheduler.status().queue_depth == 0; }));
  scheduler.Stop();
}

// Backpressure (intake_gate.h): a destination that delivers and has more
// than max_backlog queued holds intake until its queue moves; once it has
// drained, nothing is held.
TEST_F(DeliverySchedulerTest, DeliveringPastItsBacklogHoldsIntakeUntilItDrains) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Route(Ingest("b" + std::to_string(i))).ok());
  DeliveryPolicy policy;
  policy.max_backlog = 2;
  HeldBatchDestination destination(/*free=*/1);
  IntakeGate gate;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, Clock::System());
  scheduler.set_intake_gate(&gate);
  ASSERT_TRUE(scheduler.Start(0).ok());

  // One delivered (it delivers), four queued (past 2), the next held.
  ASSERT_TRUE(Eventually([&] { return gate.held(); }));
  // Nothing can move out while the destination holds its attempt: a
  // batch waits for its longest hold.
  EXPECT_GE(gate.WaitForRoom(std::chrono::milliseconds(50)), std::chrono::milliseconds(50));
  destination.Open();
  EXPECT_TRUE(Eventually([&] { return scheduler.status().queue_depth == 0; }));
  EXPECT_TRUE(Eventually([&] { return !gate.held(); }));
  EXPECT_EQ(gate.WaitForRoom(std::chrono::seconds(60)), std::chrono::steady_clock::duration{});
  scheduler.Stop();
}

// A destination that fails keeps its messages, however many, and holds
// intake back for none of them: it is not the machine that is short.
TEST_F(DeliverySchedulerTest, FailingDestinationHoldsNothingWhateverItsBacklog) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Route(Ingest("f" + std::to_string(i))).ok());
  DeliveryPolicy policy;
  policy.max_backlog = 2;
  policy.failure_threshold = 0;  // no breaker: every task is attempted
  policy.initial_delay = std::chrono::hours(1);
  FailingDestination destination;
  IntakeGate gate;
  DeliveryScheduler scheduler("out", destination, *store_, policy, nullptr, Clock::System());
  scheduler.set_intake_gate(&gate);
  ASSERT_TRUE(scheduler.Start(0).ok());
  ASSERT_TRUE(destination.WaitForAttempts(5, std::chrono::seconds(10)));
  EXPECT_EQ(scheduler.status().queue_depth, 5u);
  EXPECT_FALSE(gate.held());
  scheduler.Stop();
}

}  // namespace
}  // namespace navette::engine
