// Retention against the real engine: with short ages, delivered messages
// disappear from the store (list, search by MSH-10 and IPP, show) while one
// still retrying to a peer that is down stays whole; the metric counts them
// and the log says so without patient data.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"
#include "tests/support/metrics_text.h"

namespace navette::testing {
namespace {

using namespace std::chrono_literals;

class RetentionTest : public EngineTest {
 protected:
  RetentionTest() : EngineTest("navette-retention") {}

  std::string Config() const {
    return fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "  ingress: {{ retransmission_window: 2s }}\n"
        "  retention: {{ delivered: 2s, interval: 1s }}\n"
        "sources:\n"
        "  - name: lab\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "destinations:\n"
        "  - name: outbox\n"
        "    file: {{ directory: outbox }}\n"
        "  - name: down\n"
        "    mllp: {{ address: \"127.0.0.1:{}\", connect_timeout: 200ms }}\n"
        "    delivery: {{ retry: {{ initial_delay: 1s, max_delay: 1s }} }}\n"
        "routes:\n"
        "  - {{ name: results, match: {{ message_type: [\"ORU^R01\"] }}, to: [outbox] }}\n"
        "  - {{ name: movements, match: {{ message_type: [\"ADT^A28\"] }}, to: [down] }}\n",
        admin_port_, mllp_port_, FreePort());
  }
  std::string Listed(const std::vector<std::string>& filter) const {
    std::vector<std::string> args = {"messages", "list"};
    args.insert(args.end(), filter.begin(), filter.end());
    return Messages(args).out;
  }
};

TEST_F(RetentionTest, DeliveredMessagesPastTheirAgeGoAndARetryingOneStays) {
  StartEngineWith(Config());
  for (int i = 1; i <= 3; ++i) Send(mllp_port_, MakeOru(fmt::format("RET-{}", i), "IPP-RET-9"));
  Send(mllp_port_, MakeAdt("RET-PENDING"));
  const std::string pending = WaitForState("RET-PENDING", "retrying");
  ASSERT_FALSE(pending.empty()) << Listed({}) << Diagnostics();
  ASSERT_FALSE(WaitForState("RET-3", "delivered").empty()) << Listed({}) << Diagnostics();

  // Retention runs every second and removes what was delivered 2 s ago.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Listed({"--ipp", "IPP-RET-9"}).find("RET-") == std::string::npos;
      },
      30s))
      << Listed({}) << Diagnostics();
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(Listed({"--control-id", fmt::format("RET-{}", i)}).find("RET-"), std::string::npos);
  }
  EXPECT_EQ(Listed({"--state", "delivered"}).find("RET-"), std::string::npos);

  // The retrying message is whole: listed, shown with its history.
  EXPECT_NE(Listed({"--control-id", "RET-PENDING"}).find("retrying"), std::string::npos);
  const std::string shown = Show(pending);
  EXPECT_NE(shown.find("RET-PENDING"), std::string::npos);
  EXPECT_NE(HistoryOf(shown).find("received"), std::string::npos);

  // The counters and the log line come at the end of the run, after its
  // compaction: a little after the messages left the listings.
  std::string metrics;
  const auto removed_delivered = [&] {
    auto scraped = HttpGet(admin_port_, "/metrics");
    if (!scraped.ok()) return false;
    metrics = scraped->second;
    return Sample(metrics, "navette_retention_removed_total{status=\"delivered\"}") == 3.0;
  };
  ASSERT_TRUE(WaitFor(removed_delivered, 30s)) << metrics;
  EXPECT_GT(Sample(metrics, "navette_retention_last_run_timestamp_seconds").value_or(0), 0.0);
  EXPECT_EQ(Sample(metrics, "navette_retention_interval_seconds"), 1.0);
  // One line per run that removed something, with counts only (the three
  // may have been removed by one run or two).
  const std::string log = engine_->Log();
  EXPECT_NE(log.find("retention: removed "), std::string::npos) << log;
  EXPECT_NE(log.find("(delivered "), std::string::npos) << log;
  EXPECT_EQ(log.find("IPP-RET-9"), std::string::npos);
}

}  // namespace
}  // namespace navette::testing
