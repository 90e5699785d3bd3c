// engine.retention as `check` reports it (retention_checks.h): the defaults,
// each error at its key, and the warning for a short audit trail.
#include "engine/config/retention_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/config/checks_test_support.h"

namespace navette::engine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RetentionChecksTest, DefaultsAreFilledInAndHoldTogether) {
  navette::config::Config config;
  ApplyDefaults(config, BuiltinKinds());
  const navette::config::Retention& retention = config.engine().retention();
  EXPECT_EQ(retention.delivered().seconds(), 30 * 86'400);
  EXPECT_EQ(retention.dead().seconds(), 90 * 86'400);
  EXPECT_EQ(retention.discarded().seconds(), 30 * 86'400);
  EXPECT_EQ(retention.unrouted().seconds(), 30 * 86'400);
  EXPECT_EQ(retention.consumed().seconds(), 30 * 86'400);
  EXPECT_TRUE(retention.has_history());
  EXPECT_EQ(retention.history().seconds(), 0);
  EXPECT_EQ(retention.audit().seconds(), 365 * 86'400);
  EXPECT_EQ(retention.interval().seconds(), 3'600);
  EXPECT_THAT(Check(WithBase("engine: {retention: {}}\n")).checks, IsEmpty());
  // "0s" keeps for ever; days are a unit.
  EXPECT_THAT(Check(WithBase("engine:\n  retention: {delivered: 0s, dead: 180d, history: 7d, "
                             "audit: 3650d, interval: 10m}\n"))
                  .checks,
              IsEmpty());
}

TEST(RetentionChecksTest, AnAgeUnderTheRetransmissionWindowIsRefusedAtItsKey) {
  Checked checked = Check(WithBase(R"(
engine:
  ingress:
    retransmission_window: 2d
  retention:
    delivered: 1d
    unrouted: 2d
    interval: 500ms
)"));
  EXPECT_THAT(checked.conversion, IsEmpty());
  ASSERT_EQ(checked.checks.size(), 2u);
  EXPECT_THAT(checked.checks[0],
              ::testing::StartsWith("c.yaml:12:16: engine.retention: delivered (1d) is shorter "
                                    "than engine.ingress.retransmission_window (2d): a "
                                    "retransmission of a message already removed would be "
                                    "routed again"));
  EXPECT_EQ(checked.checks[1],
            "c.yaml:14:15: engine.retention: interval must be between 1s and 1d");
}

TEST(RetentionChecksTest, AShortAuditTrailIsAWarning) {
  EXPECT_THAT(Check(WithBase("engine:\n  retention:\n    audit: 7d\n")).checks,
              ElementsAre("c.yaml:9:12: warning: engine.retention: audit entries are kept only "
                          "7d: access traces of health data are usually kept a year or more, "
                          "and cannot come back"));
}

}  // namespace
}  // namespace navette::engine::config
