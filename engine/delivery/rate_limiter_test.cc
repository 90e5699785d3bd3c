// The rate limit's token bucket: spacing, burst and wake times, with a fake
// clock.
#include "engine/delivery/rate_limiter.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace navette::engine::delivery {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiterTest, ZeroIsUnlimited) {
  FakeClock clock;
  RateLimiter limiter(0, clock.NowMicros());
  EXPECT_TRUE(limiter.unlimited());
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.TryAcquire(clock.NowMicros()));
  EXPECT_EQ(limiter.NextAvailableUs(clock.NowMicros()), clock.NowMicros());
}

TEST(RateLimiterTest, StartsWithABurstOfRateThenWaits) {
  FakeClock clock;
  RateLimiter limiter(5, clock.NowMicros());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.TryAcquire(clock.NowMicros())) << i;
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
  // A token every 200 ms.
  const int64_t next = limiter.NextAvailableUs(clock.NowMicros());
  EXPECT_GE(next, clock.NowMicros() + 200000);
  EXPECT_LE(next, clock.NowMicros() + 200001);
  clock.Advance(199999us);
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
  clock.Set(next);
  EXPECT_TRUE(limiter.TryAcquire(clock.NowMicros()));
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
}

TEST(RateLimiterTest, AttemptsAreSpacedByOneOverTheRate) {
  FakeClock clock;
  const int64_t start = clock.NowMicros();
  RateLimiter limiter(4, start);
  int taken = 0;
  while (taken < 44) {
    if (limiter.TryAcquire(clock.NowMicros())) {
      ++taken;
    } else {
      const int64_t next = limiter.NextAvailableUs(clock.NowMicros());
      ASSERT_GT(next, clock.NowMicros());  // the dispatcher never spins
      clock.Set(next);
    }
  }
  // 4 at once, then 40 more at 250 ms each: 10 s, give or take the
  // microsecond each wake time is rounded up by.
  const int64_t elapsed = clock.NowMicros() - start;
  EXPECT_GE(elapsed, 10000000);
  EXPECT_LE(elapsed, 10000040);
}

TEST(RateLimiterTest, BurstAfterAQuietSpellIsTheRateNotMore) {
  FakeClock clock;
  RateLimiter limiter(3, clock.NowMicros());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.TryAcquire(clock.NowMicros()));
  clock.Advance(1h);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.TryAcquire(clock.NowMicros())) << i;
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
}

TEST(RateLimiterTest, BelowOnePerSecondTheBurstIsOne) {
  FakeClock clock;
  RateLimiter limiter(0.5, clock.NowMicros());
  ASSERT_TRUE(limiter.TryAcquire(clock.NowMicros()));
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
  const int64_t next = limiter.NextAvailableUs(clock.NowMicros());
  EXPECT_GE(next, clock.NowMicros() + 2000000);
  EXPECT_LE(next, clock.NowMicros() + 2000001);
  clock.Advance(1h);
  EXPECT_TRUE(limiter.TryAcquire(clock.NowMicros()));
  EXPECT_FALSE(limiter.TryAcquire(clock.NowMicros()));
}

}  // namespace
}  // namespace navette::engine::delivery
