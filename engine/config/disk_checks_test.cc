// engine.disk as `check` reports it (disk_checks.h): each error at its key,
// the defaults filled in, and the warning for a watermark turned off.
#include "engine/config/disk_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/checks_test_support.h"

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DiskChecksTest, DefaultsAreFilledInAndHoldTogether) {
  navette::config::Config config;
  ApplyDefaults(config, BuiltinKinds());
  EXPECT_EQ(config.engine().disk().min_free_mib(), kDefaultDiskMinFreeMib);
  EXPECT_EQ(config.engine().disk().check_interval().seconds(), kDefaultDiskCheckIntervalSeconds);
  EXPECT_EQ(config.engine().disk().min_free_percent(), 0u);
  // The margin's default depends on the threshold: left unset.
  EXPECT_FALSE(config.engine().disk().has_resume_margin_mib());
  EXPECT_THAT(Check(WithBase("engine: {disk: {}}\n")).checks, IsEmpty());
  EXPECT_THAT(Check(WithBase("engine:\n  disk: {min_free_mib: 2048, min_free_percent: 90, "
                             "resume_margin_mib: 512, check_interval: 100ms}\n"))
                  .checks,
              IsEmpty());
}

TEST(DiskChecksTest, EachErrorAtItsKey) {
  Checked checked = Check(WithBase(R"(
engine:
  disk:
    min_free_percent: 95
    check_interval: 50ms
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  EXPECT_THAT(
      checked.checks,
      ElementsAre("c.yaml:10:23: engine.disk: min_free_percent must be between 0 and 90 "
                  "(it is 95)",
                  "c.yaml:11:21: engine.disk: check_interval must be between 100ms and 1m"));
  EXPECT_THAT(Check(WithBase("engine:\n  disk:\n    check_interval: 2m\n")).checks,
              ElementsAre("c.yaml:9:21: engine.disk: check_interval must be between 100ms and "
                          "1m"));
}

TEST(DiskChecksTest, AWatermarkTurnedOffIsAWarning) {
  Checked checked = Check(WithBase("engine:\n  disk:\n    min_free_mib: 0\n"));
  EXPECT_THAT(checked.checks,
              ElementsAre("c.yaml:9:19: warning: engine.disk: min_free_mib 0 without "
                          "min_free_percent turns the disk watermark off: messages are "
                          "acknowledged until the store cannot write them"));
  // A share alone is a watermark.
  EXPECT_THAT(Check(WithBase("engine:\n  disk: {min_free_mib: 0, min_free_percent: 5}\n")).checks,
              IsEmpty());
}

TEST(DiskChecksTest, AMisspeltKeyIsAConversionError) {
  Checked checked = Check(WithBase("engine:\n  disk:\n    min_free_gib: 2\n"));
  ASSERT_EQ(checked.conversion.size(), 1u);
  EXPECT_THAT(checked.conversion[0], ::testing::StartsWith("c.yaml:9:5: "));
}

}  // namespace
}  // namespace navette::engine::config
