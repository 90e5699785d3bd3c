// The circuit breaker's states at their exact edges, with a fake clock.
#include "engine/delivery/circuit_breaker.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace navette::engine::delivery {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;
using Transition = CircuitBreaker::Transition;

kinds::DeliveryPolicy Policy(uint32_t threshold, std::chrono::microseconds open_duration,
                             std::chrono::microseconds max_delay = 2s) {
  kinds::DeliveryPolicy policy;
  policy.failure_threshold = threshold;
  policy.open_duration = open_duration;
  policy.max_delay = max_delay;
  return policy;
}

class CircuitBreakerTest : public ::testing::Test {
 protected:
  int64_t now() const { return clock_.NowMicros(); }
  // Fails `count` times in a row; the last transition.
  Transition Fail(CircuitBreaker& breaker, int count) {
    Transition last = Transition::kNone;
    for (int i = 0; i < count; ++i) last = breaker.OnTransientFailure(now());
    return last;
  }
  FakeClock clock_;
};

TEST_F(CircuitBreakerTest, ExactlyThresholdConsecutiveFailuresOpenIt) {
  CircuitBreaker breaker(Policy(3, 500ms));
  EXPECT_EQ(Fail(breaker, 2), Transition::kNone);
  EXPECT_EQ(breaker.state(now()), State::kClosed);
  EXPECT_TRUE(breaker.Admit(now()).any);

  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kOpened);
  EXPECT_EQ(breaker.state(now()), State::kOpen);
  const CircuitBreaker::Admission shut = breaker.Admit(now());
  EXPECT_FALSE(shut.any);
  EXPECT_FALSE(shut.probe);
  EXPECT_EQ(shut.wake_at_us, now() + 500000);
}

TEST_F(CircuitBreakerTest, ADeliveryInBetweenResetsTheCount) {
  CircuitBreaker breaker(Policy(3, 500ms));
  Fail(breaker, 2);
  EXPECT_EQ(breaker.OnDelivered(), Transition::kNone);  // closed already: nothing to report
  EXPECT_EQ(breaker.consecutive_failures(), 0u);
  EXPECT_EQ(Fail(breaker, 2), Transition::kNone);
  EXPECT_EQ(breaker.state(now()), State::kClosed);
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kOpened);
}

TEST_F(CircuitBreakerTest, StaysOpenForOpenDurationThenAllowsAProbe) {
  CircuitBreaker breaker(Policy(1, 500ms));
  ASSERT_EQ(breaker.OnTransientFailure(now()), Transition::kOpened);
  clock_.Advance(500ms - 1us);
  EXPECT_EQ(breaker.state(now()), State::kOpen);
  EXPECT_FALSE(breaker.Admit(now()).probe);
  clock_.Advance(1us);
  EXPECT_EQ(breaker.state(now()), State::kHalfOpen);
  const CircuitBreaker::Admission admission = breaker.Admit(now());
  EXPECT_TRUE(admission.probe);
  EXPECT_FALSE(admission.any);
}

TEST_F(CircuitBreakerTest, HalfOpenAllowsExactlyOneProbeAtATime) {
  CircuitBreaker breaker(Policy(1, 500ms));
  breaker.OnTransientFailure(now());
  clock_.Advance(500ms);
  ASSERT_TRUE(breaker.Admit(now()).probe);
  breaker.ProbeStarted();
  const CircuitBreaker::Admission waiting = breaker.Admit(now());
  EXPECT_FALSE(waiting.probe);
  EXPECT_FALSE(waiting.any);
  EXPECT_EQ(waiting.wake_at_us, 0);  // until the probe ends, whenever that is
  clock_.Advance(1h);
  EXPECT_FALSE(breaker.Admit(now()).probe);
  // A probe that ended without an answer (its message was discarded
  // meanwhile): the next one may go.
  breaker.ProbeEnded();
  EXPECT_TRUE(breaker.Admit(now()).probe);
}

TEST_F(CircuitBreakerTest, ProbeSuccessClosesAndTheCountStartsAgain) {
  CircuitBreaker breaker(Policy(3, 500ms));
  Fail(breaker, 3);
  clock_.Advance(500ms);
  breaker.ProbeStarted();
  EXPECT_EQ(breaker.OnDelivered(), Transition::kClosed);
  EXPECT_EQ(breaker.state(now()), State::kClosed);
  EXPECT_TRUE(breaker.Admit(now()).any);
  EXPECT_EQ(Fail(breaker, 2), Transition::kNone);
  EXPECT_EQ(breaker.state(now()), State::kClosed);
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kOpened);
  EXPECT_EQ(breaker.pause(), 500ms);  // not the doubled pause of before
}

TEST_F(CircuitBreakerTest, ProbeFailureReopensWithThePauseDoubledUpToMaxDelay) {
  CircuitBreaker breaker(Policy(1, 500ms, 2s));
  breaker.OnTransientFailure(now());
  std::vector<std::chrono::microseconds> pauses;
  for (int i = 0; i < 4; ++i) {
    clock_.Set(breaker.open_until_us());
    ASSERT_TRUE(breaker.Admit(now()).probe);
    breaker.ProbeStarted();
    EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kReopened);
    breaker.ProbeEnded();
    EXPECT_EQ(breaker.state(now()), State::kOpen);
    EXPECT_EQ(breaker.open_until_us(), now() + breaker.pause().count());
    pauses.push_back(breaker.pause());
  }
  EXPECT_EQ(pauses, (std::vector<std::chrono::microseconds>{1s, 2s, 2s, 2s}));
}

TEST_F(CircuitBreakerTest, PauseCapIsOpenDurationWhenLongerThanMaxDelay) {
  CircuitBreaker breaker(Policy(1, 10s, 2s));
  breaker.OnTransientFailure(now());
  EXPECT_EQ(breaker.pause(), 10s);
  clock_.Advance(10s);
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kReopened);
  EXPECT_EQ(breaker.pause(), 10s);
}

// An attempt already in progress when the circuit opened fails too: that
// doubles the pause from its own time.
TEST_F(CircuitBreakerTest, AFailureWhileOpenDoublesThePause) {
  CircuitBreaker breaker(Policy(2, 500ms));
  Fail(breaker, 2);
  clock_.Advance(100ms);
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kReopened);
  EXPECT_EQ(breaker.open_until_us(), now() + 1000000);
}

TEST_F(CircuitBreakerTest, ThresholdZeroNeverOpens) {
  CircuitBreaker breaker(Policy(0, 500ms));
  EXPECT_EQ(Fail(breaker, 10000), Transition::kNone);
  EXPECT_EQ(breaker.state(now()), State::kClosed);
  EXPECT_TRUE(breaker.Admit(now()).any);
}

TEST_F(CircuitBreakerTest, OpenDurationZeroMeansOneAttemptAtATime) {
  CircuitBreaker breaker(Policy(1, 0s));
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kOpened);
  EXPECT_EQ(breaker.state(now()), State::kHalfOpen);
  ASSERT_TRUE(breaker.Admit(now()).probe);
  breaker.ProbeStarted();
  EXPECT_FALSE(breaker.Admit(now()).probe);
  EXPECT_EQ(breaker.OnTransientFailure(now()), Transition::kReopened);
  breaker.ProbeEnded();
  EXPECT_EQ(breaker.pause(), 0s);
  EXPECT_TRUE(breaker.Admit(now()).probe);
}

TEST_F(CircuitBreakerTest, StateNames) {
  EXPECT_STREQ(StateName(State::kClosed), "closed");
  EXPECT_STREQ(StateName(State::kOpen), "open");
  EXPECT_STREQ(StateName(State::kHalfOpen), "half-open");
}

}  // namespace
}  // namespace navette::engine::delivery
