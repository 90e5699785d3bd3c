#include "adapters/mllp/refusal_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::mllp {

void PrintTo(const RefusalLog::Summary& summary, std::ostream* out) {
  *out << "{" << summary.what << ", " << summary.count << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

constexpr char kPeer[] = "from 10.0.0.5 over the per-peer limit of 32";
constexpr char kTotal[] = "over the limit of 256 connections";

TEST(RefusalLogTest, LogsTheFirstAtOnceAndCountsTheRestUntilTheIntervalEnds) {
  RefusalLog log(10s);
  const RefusalLog::Clock::time_point start{};
  EXPECT_TRUE(log.Refused(kPeer, start));
  for (int i = 0; i < 1234; ++i) EXPECT_FALSE(log.Refused(kPeer, start + 1s));
  EXPECT_EQ(log.NextFlush(), start + 10s);
  EXPECT_THAT(log.Flush(start + 9s), IsEmpty());
  EXPECT_THAT(log.Flush(start + 10s), ElementsAre(RefusalLog::Summary{kPeer, 1234}));
}

TEST(RefusalLogTest, AFloodGivesOneLinePerIntervalAndAQuietKindIsForgotten) {
  RefusalLog log(10s);
  const RefusalLog::Clock::time_point start{};
  EXPECT_TRUE(log.Refused(kPeer, start));
  EXPECT_FALSE(log.Refused(kPeer, start + 5s));
  EXPECT_THAT(log.Flush(start + 10s), ElementsAre(RefusalLog::Summary{kPeer, 1}));
  // Still flooding: counted into the next interval, not logged at once.
  EXPECT_FALSE(log.Refused(kPeer, start + 11s));
  EXPECT_FALSE(log.Refused(kPeer, start + 12s));
  EXPECT_EQ(log.NextFlush(), start + 20s);
  EXPECT_THAT(log.Flush(start + 20s), ElementsAre(RefusalLog::Summary{kPeer, 2}));
  // A quiet interval ends the kind without a line...
  EXPECT_THAT(log.Flush(start + 30s), IsEmpty());
  EXPECT_EQ(log.NextFlush(), std::nullopt);
  // ...so that the next refusal is news again.
  EXPECT_TRUE(log.Refused(kPeer, start + 60s));
}

TEST(RefusalLogTest, KindsAreCountedApart) {
  RefusalLog log(10s);
  const RefusalLog::Clock::time_point start{};
  EXPECT_TRUE(log.Refused(kPeer, start));
  EXPECT_TRUE(log.Refused(kTotal, start + 3s));
  EXPECT_FALSE(log.Refused(kTotal, start + 4s));
  EXPECT_FALSE(log.Refused(kPeer, start + 4s));
  EXPECT_FALSE(log.Refused(kPeer, start + 5s));
  EXPECT_EQ(log.NextFlush(), start + 10s);
  EXPECT_THAT(log.Flush(start + 10s), ElementsAre(RefusalLog::Summary{kPeer, 2}));
  EXPECT_EQ(log.NextFlush(), start + 13s);
  EXPECT_THAT(log.Flush(start + 13s), ElementsAre(RefusalLog::Summary{kTotal, 1}));
}

}  // namespace
}  // namespace navette::adapters::mllp
