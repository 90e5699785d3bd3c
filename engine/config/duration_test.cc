#include "engine/config/duration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::engine::config {
namespace {

using ::testing::HasSubstr;

int64_t Millis(std::string_view text) {
  auto duration = ParseDuration(text);
  EXPECT_TRUE(duration.ok()) << text << ": " << duration.status();
  if (!duration.ok()) return -1;
  return duration->seconds() * 1000 + duration->nanos() / 1'000'000;
}

std::string Error(std::string_view text) {
  auto duration = ParseDuration(text);
  EXPECT_FALSE(duration.ok()) << text;
  return std::string(duration.status().message());
}

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(Millis("500ms"), 500);
  EXPECT_EQ(Millis("30s"), 30'000);
  EXPECT_EQ(Millis("5m"), 300'000);
  EXPECT_EQ(Millis("1h"), 3'600'000);
  EXPECT_EQ(Millis("30d"), 2'592'000'000);
  EXPECT_EQ(Millis("0s"), 0);
  EXPECT_EQ(Millis("0"), 0);
  EXPECT_EQ(Millis("1500ms"), 1500);
}

TEST(DurationTest, ParsesCombinationsLargestFirst) {
  EXPECT_EQ(Millis("1h30m"), 5'400'000);
  EXPECT_EQ(Millis("1d12h"), 129'600'000);
  EXPECT_EQ(Millis("2m30s"), 150'000);
  EXPECT_EQ(Millis("1h0m5s250ms"), 3'605'250);
  auto parsed = ParseDuration("1s250ms");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->seconds(), 1);
  EXPECT_EQ(parsed->nanos(), 250'000'000);
}

TEST(DurationTest, RejectsWhatIsNotADuration) {
  EXPECT_THAT(Error(""), HasSubstr("it is empty"));
  EXPECT_THAT(Error("30"), HasSubstr("the unit is missing"));
  EXPECT_THAT(Error("5 minutes"), HasSubstr("unknown unit at character 2"));
  EXPECT_THAT(Error("5w"), HasSubstr("unknown unit at character 2"));
  EXPECT_THAT(Error("1h2d"), HasSubstr("from the largest to the smallest"));
  EXPECT_THAT(Error("-5s"), HasSubstr("cannot be negative"));
  EXPECT_THAT(Error("1.5s"), HasSubstr("fractions are not supported"));
  EXPECT_THAT(Error("s"), HasSubstr("expected a number at character 1"));
  EXPECT_THAT(Error("30s5m"), HasSubstr("from the largest to the smallest"));
  EXPECT_THAT(Error("1h1h"), HasSubstr("from the largest to the smallest"));
  EXPECT_THAT(Error("5m "), HasSubstr("expected a number at character 3"));
  EXPECT_THAT(Error("99999999999999999999s"), HasSubstr("too long"));
  EXPECT_THAT(Error("87660001h"), HasSubstr("too long"));
  EXPECT_THAT(Error("5x"), HasSubstr("invalid duration '5x'"));
}

TEST(DurationTest, AcceptsTheLongestProtoDuration) {
  auto parsed = ParseDuration("87660000h");  // 10,000 Julian years
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->seconds(), 315'576'000'000);
}

TEST(DurationTest, FormatsLargestUnitsFirst) {
  google::protobuf::Duration duration;
  EXPECT_EQ(FormatDuration(duration), "0s");
  duration.set_seconds(5400);
  EXPECT_EQ(FormatDuration(duration), "1h30m");
  duration.set_seconds(1);
  duration.set_nanos(250'000'000);
  EXPECT_EQ(FormatDuration(duration), "1s250ms");
  duration.set_seconds(30 * 86'400 + 3600);
  duration.set_nanos(0);
  EXPECT_EQ(FormatDuration(duration), "30d1h");
  for (std::string_view text : {"24h", "500ms", "2m30s", "1h0m5s250ms", "1d12h"}) {
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(Millis(FormatDuration(*parsed)), Millis(text)) << text;
  }
}

}  // namespace
}  // namespace navette::engine::config
