// The intake gate on its own (intake_gate.h): who holds intake, and what
// lets a waiting batch through.
#include "engine/intake_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace navette::engine {
namespace {

using namespace std::chrono_literals;
using Duration = std::chrono::steady_clock::duration;

// Runs WaitForRoom(longest) on a thread of its own; done() once it returned.
class Waiter {
 public:
  Waiter(IntakeGate& gate, Duration longest)
      : thread_([this, &gate, longest] {
          waited_ = gate.WaitForRoom(longest);
          done_ = true;
        }) {}
  ~Waiter() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  Duration Join() {
    thread_.join();
    return waited_;
  }

 private:
  std::atomic<bool> done_{false};
  Duration waited_{};
  std::thread thread_;
};

// Reports `report(n)` with n = 1, 2, ... until the waiter returns: the
// waiter's snapshot is taken at some n, and the next one moves past it,
// without the test guessing when the waiter began to wait.
template <typename Report>
void ReportUntilDone(const Waiter& waiter, Report report) {
  for (uint64_t n = 1; !waiter.done(); ++n) {
    report(n);
    std::this_thread::yield();
  }
}

TEST(IntakeGateTest, NothingOverLetsEveryBatchThroughAtOnce) {
  IntakeGate gate;
  EXPECT_FALSE(gate.held());
  EXPECT_EQ(gate.WaitForRoom(60s), Duration{});
  gate.Report("files", false, 7);  // under its limit: no lane at all
  EXPECT_FALSE(gate.held());
  EXPECT_EQ(gate.WaitForRoom(60s), Duration{});
}

TEST(IntakeGateTest, ABatchWaitsItsLongestHoldWhenNothingMoves) {
  IntakeGate gate;
  gate.Report("files", true, 10);
  EXPECT_TRUE(gate.held());
  EXPECT_GE(gate.WaitForRoom(40ms), 40ms);
  gate.Report("files", true, 10);  // the same again: still no progress
  EXPECT_GE(gate.WaitForRoom(40ms), 40ms);
}

TEST(IntakeGateTest, ProgressOfTheDestinationLetsTheBatchThrough) {
  IntakeGate gate;
  gate.Report("files", true, 0);
  Waiter waiter(gate, 60s);
  ReportUntilDone(waiter, [&](uint64_t n) { gate.Report("files", true, n); });
  EXPECT_LT(waiter.Join(), 60s);
  EXPECT_TRUE(gate.held());  // still over: the next batch waits again
}

TEST(IntakeGateTest, ADestinationBackUnderItsLimitOrStoppedHoldsNoMore) {
  IntakeGate gate;
  gate.Report("files", true, 0);
  {
    Waiter waiter(gate, 60s);
    ReportUntilDone(waiter, [&](uint64_t) { gate.Report("files", false, 0); });
    EXPECT_LT(waiter.Join(), 60s);
  }
  gate.Report("files", false, 0);
  EXPECT_FALSE(gate.held());

  gate.Report("dmp", true, 3);
  Waiter waiter(gate, 60s);
  ReportUntilDone(waiter, [&](uint64_t) { gate.Forget("dmp"); });
  EXPECT_LT(waiter.Join(), 60s);
  EXPECT_FALSE(gate.held());
}

// Two destinations over their limits: the batch waits for both, so that
// intake follows the slower one.
TEST(IntakeGateTest, EveryDestinationOverItsLimitMustMove) {
  IntakeGate gate;
  gate.Report("files", true, 0);
  gate.Report("archive", true, 0);
  Waiter waiter(gate, 300ms);
  // Only "files" moves: the batch goes at its longest hold, not before.
  ReportUntilDone(waiter, [&](uint64_t n) { gate.Report("files", true, n); });
  EXPECT_GE(waiter.Join(), 300ms);

  Waiter both(gate, 60s);
  ReportUntilDone(both, [&](uint64_t n) {
    gate.Report("files", true, 1000 + n);
    gate.Report("archive", true, n);
  });
  EXPECT_LT(both.Join(), 60s);
}

}  // namespace
}  // namespace navette::engine
