// How the receipts source paces itself while the mailbox cannot be polled:
// the delay doubles with each failure in a row up to its ceiling, and the
// log warns at the first failure and then every kFailuresPerWarning.
#include "adapters/mssante/mss_receipts_source.h"

#include <gtest/gtest.h>

namespace navette::adapters::mssante {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(PollDelayTest, TheIntervalWhileThePollsSucceed) {
  EXPECT_EQ(PollDelay(seconds(30), 0), seconds(30));
  EXPECT_EQ(PollDelay(milliseconds(200), 0), milliseconds(200));
}

TEST(PollDelayTest, DoublesWithEachFailureUpToFiveMinutes) {
  EXPECT_EQ(PollDelay(seconds(30), 1), seconds(60));
  EXPECT_EQ(PollDelay(seconds(30), 2), seconds(120));
  EXPECT_EQ(PollDelay(seconds(30), 3), seconds(240));
  EXPECT_EQ(PollDelay(seconds(30), 4), minutes(5));
  EXPECT_EQ(PollDelay(seconds(30), 1000), minutes(5));  // no overflow
}

TEST(PollDelayTest, AnIntervalLongerThanTheCeilingIsKept) {
  EXPECT_EQ(PollDelay(minutes(10), 3), minutes(10));
}

TEST(WarnAboutFailureTest, TheFirstAndThenEveryTenth) {
  EXPECT_FALSE(WarnAboutFailure(0));
  EXPECT_TRUE(WarnAboutFailure(1));
  for (int failures = 2; failures < kFailuresPerWarning; ++failures) {
    EXPECT_FALSE(WarnAboutFailure(failures)) << failures;
  }
  EXPECT_TRUE(WarnAboutFailure(kFailuresPerWarning));
  EXPECT_FALSE(WarnAboutFailure(kFailuresPerWarning + 1));
  EXPECT_TRUE(WarnAboutFailure(2 * kFailuresPerWarning));
}

}  // namespace
}  // namespace navette::adapters::mssante
