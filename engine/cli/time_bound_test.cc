#include "engine/cli/time_bound.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;

// 2026-11-22T12:00:00Z
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795348800));

int64_t Seconds(std::string_view text) {
  auto at = ParseTimeBound(text, kNow);
  EXPECT_TRUE(at.ok()) << text << ": " << at.status();
  return at.ok() ? at->seconds() : -1;
}

TEST(TimeBoundTest, Rfc3339WithZoneOrOffset) {
  EXPECT_EQ(Seconds("2026-11-22T08:30:00Z"), 1795348800 - 3 * 3600 - 1800);
  EXPECT_EQ(Seconds("2026-11-22T09:30:00+01:00"), 1795348800 - 3 * 3600 - 1800);
}

TEST(TimeBoundTest, DurationsCountBackFromNow) {
  EXPECT_EQ(Seconds("30s"), 1795348800 - 30);
  EXPECT_EQ(Seconds("45m"), 1795348800 - 45 * 60);
  EXPECT_EQ(Seconds("6h"), 1795348800 - 6 * 3600);
  EXPECT_EQ(Seconds("2d"), 1795348800 - 2 * 86400);
}

TEST(TimeBoundTest, DateIsLocalMidnight) {
  setenv("TZ", "Europe/Paris", 1);
  tzset();
  EXPECT_EQ(Seconds("2026-11-22"), 1795302000);  // 2026-11-21T23:00:00Z
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(Seconds("2026-11-22"), 1795305600);
}

TEST(TimeBoundTest, RefusalsSayWhatIsAccepted) {
  for (const char* bad :
       {"yesterday", "2026-11-22 08:30", "12", "5y", "2026-02-30", "99999999999d", ""}) {
    auto at = ParseTimeBound(bad, kNow);
    EXPECT_FALSE(at.ok()) << bad;
  }
  EXPECT_THAT(ParseTimeBound("5y", kNow).status().message(), HasSubstr("unknown unit 'y'"));
  EXPECT_THAT(ParseTimeBound("yesterday", kNow).status().message(), HasSubstr("RFC 3339"));
  EXPECT_THAT(ParseTimeBound("2026-02-30", kNow).status().message(), HasSubstr("no such date"));
  EXPECT_THAT(ParseTimeBound("99999999999d", kNow).status().message(), HasSubstr("before 1970"));
}

}  // namespace
}  // namespace navette::engine::cli
