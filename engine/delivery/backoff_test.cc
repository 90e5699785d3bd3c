// Backoff and giving up, at their exact edges, with a pinned jitter draw and
// times from a fake clock.
#include "engine/delivery/backoff.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/fake_clock.h"

namespace navette::engine::delivery {
namespace {

using std::chrono::microseconds;
using namespace std::chrono_literals;

kinds::DeliveryPolicy Policy() {
  kinds::DeliveryPolicy policy;
  policy.initial_delay = 1s;
  policy.factor = 2;
  policy.max_delay = 300s;
  policy.jitter = 0.2;
  policy.max_attempts = 0;
  policy.max_age = microseconds(0);
  return policy;
}

// The draw the jitter takes: 0 leaves the whole delay, 1 takes off all the
// jitter's share.
Backoff::Random Pinned(double draw) {
  return [draw] { return draw; };
}

TEST(BackoffTest, DelayGrowsByTheFactorUpToMaxDelay) {
  const Backoff backoff(Policy(), Pinned(0));
  EXPECT_EQ(backoff.BaseDelay(1), 1s);
  EXPECT_EQ(backoff.BaseDelay(2), 2s);
  EXPECT_EQ(backoff.BaseDelay(3), 4s);
  EXPECT_EQ(backoff.BaseDelay(9), 256s);
  EXPECT_EQ(backoff.BaseDelay(10), 300s);    // 512 s capped
  EXPECT_EQ(backoff.BaseDelay(5000), 300s);  // factor^(n-1) overflows a double: still the cap
}

TEST(BackoffTest, MaxDelayBoundsEveryDelayWithoutRetryAfter) {
  kinds::DeliveryPolicy policy = Policy();
  policy.initial_delay = 700ms;
  policy.factor = 3;
  policy.max_delay = 10s;
  const Backoff backoff(policy, Pinned(0));
  microseconds longest{0};
  for (uint32_t attempts = 1; attempts <= 100; ++attempts) {
    const microseconds delay = backoff.Delay(attempts, microseconds(0));
    EXPECT_LE(delay, 10s) << attempts;
    longest = std::max(longest, delay);
  }
  EXPECT_EQ(longest, 10s);                               // and it is reached
  EXPECT_EQ(backoff.Delay(3, microseconds(0)), 6300ms);  // below the cap: not cut
}

TEST(BackoffTest, JitterShortensTheDelayByUpToItsShare) {
  const Backoff whole(Policy(), Pinned(0));
  const Backoff shortest(Policy(), Pinned(1));
  const Backoff halfway(Policy(), Pinned(0.5));
  EXPECT_EQ(whole.Delay(3, microseconds(0)), 4s);
  EXPECT_EQ(shortest.Delay(3, microseconds(0)), 3200ms);  // 4 s × (1 - 0.2)
  EXPECT_EQ(halfway.Delay(3, microseconds(0)), 3600ms);
  kinds::DeliveryPolicy no_jitter = Policy();
  no_jitter.jitter = 0;
  EXPECT_EQ(Backoff(no_jitter, Pinned(1)).Delay(3, microseconds(0)), 4s);
}

TEST(BackoffTest, RetryAfterLongerThanTheBackoffIsHonouredEvenBeyondMaxDelay) {
  kinds::DeliveryPolicy policy = Policy();
  policy.max_delay = 5s;
  const Backoff backoff(policy, Pinned(0));
  EXPECT_EQ(backoff.Delay(1, 30s), 30s);   // backoff 1 s
  EXPECT_EQ(backoff.Delay(20, 60s), 60s);  // backoff capped at 5 s
}

TEST(BackoffTest, RetryAfterShorterThanTheBackoffIsNotACeiling) {
  const Backoff backoff(Policy(), Pinned(0));
  EXPECT_EQ(backoff.Delay(3, 100ms), 4s);
  const Backoff jittered(Policy(), Pinned(1));
  EXPECT_EQ(jittered.Delay(3, 3500ms), 3500ms);  // above the drawn 3.2 s: a floor
}

TEST(BackoffTest, RetryIsScheduledAtNowPlusTheDelay) {
  FakeClock clock;
  const Backoff backoff(Policy(), Pinned(0));
  const int64_t received = clock.NowMicros();
  clock.Advance(10s);
  const Backoff::Decision decision =
      backoff.AfterFailure(2, false, received, clock.NowMicros(), microseconds(0));
  EXPECT_FALSE(decision.dead);
  EXPECT_EQ(decision.why_dead, "");
  EXPECT_EQ(decision.next_attempt_us, clock.NowMicros() + 2000000);
}

// max_attempts 3: attempts 1 and 2 are retried, the third failure is the
// last. Counted the way the scheduler counts: attempt n is the n-th call.
TEST(BackoffTest, MaxAttemptsThreeMakesExactlyThreeAttempts) {
  kinds::DeliveryPolicy policy = Policy();
  policy.max_attempts = 3;
  const Backoff backoff(policy, Pinned(0));
  FakeClock clock;
  const int64_t received = clock.NowMicros();
  uint32_t attempts = 0;
  Backoff::Decision decision;
  while (!decision.dead && attempts < 100) {
    ++attempts;
    decision = backoff.AfterFailure(attempts, false, received, clock.NowMicros(), microseconds(0));
    if (!decision.dead) clock.Set(decision.next_attempt_us);
  }
  EXPECT_EQ(attempts, 3u);
  EXPECT_EQ(decision.why_dead, "gave up after 3 attempts");

  policy.max_attempts = 1;
  EXPECT_EQ(Backoff(policy, Pinned(0))
                .AfterFailure(1, false, received, clock.NowMicros(), microseconds(0))
                .why_dead,
            "gave up after 1 attempt");
}

TEST(BackoffTest, MaxAgeGivesUpAtExactlyThatAgeSinceReceipt) {
  kinds::DeliveryPolicy policy = Policy();
  policy.max_age = 72h;
  const Backoff backoff(policy, Pinned(0));
  FakeClock clock;
  const int64_t received = clock.NowMicros();
  clock.Advance(72h - 1us);
  const Backoff::Decision young =
      backoff.AfterFailure(40, false, received, clock.NowMicros(), microseconds(0));
  EXPECT_FALSE(young.dead);
  clock.Advance(1us);
  const Backoff::Decision old =
      backoff.AfterFailure(41, false, received, clock.NowMicros(), microseconds(0));
  EXPECT_TRUE(old.dead);
  EXPECT_EQ(old.why_dead, "gave up: older than retry.max_age");
}

TEST(BackoffTest, NoLimitsMeansRetryForever) {
  const Backoff backoff(Policy(), Pinned(0));  // max_attempts 0, max_age 0
  FakeClock clock;
  const int64_t received = clock.NowMicros();
  clock.Advance(24h * 365);
  EXPECT_FALSE(backoff.AfterFailure(100000, false, received, clock.NowMicros(), 0us).dead);
}

TEST(BackoffTest, PermanentFailureIsRefusedWhateverTheCount) {
  kinds::DeliveryPolicy policy = Policy();
  policy.max_attempts = 3;
  policy.max_age = 1h;
  const Backoff backoff(policy, Pinned(0));
  FakeClock clock;
  const int64_t received = clock.NowMicros();
  EXPECT_EQ(backoff.AfterFailure(1, true, received, clock.NowMicros(), 0us).why_dead, "refused");
  clock.Advance(2h);
  const Backoff::Decision last = backoff.AfterFailure(3, true, received, clock.NowMicros(), 0us);
  EXPECT_TRUE(last.dead);
  EXPECT_EQ(last.why_dead, "refused");
}

TEST(BackoffTest, SystemRandomDrawsAcrossZeroToOne) {
  const Backoff::Random random = Backoff::SystemRandom();
  bool low = false, high = false;
  for (int i = 0; i < 1000; ++i) {
    const double draw = random();
    ASSERT_GE(draw, 0.0);
    ASSERT_LE(draw, 1.0);
    low = low || draw < 0.5;
    high = high || draw >= 0.5;
  }
  EXPECT_TRUE(low && high);
}

}  // namespace
}  // namespace navette::engine::delivery
