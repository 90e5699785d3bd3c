// Wording of the CLI (issue 11, point 12), each checked on the real
// binary's output: a retry shows the time of the next attempt rather than a
// delay that goes stale, attempts are counted in words that agree, the
// states are listed whole, and configuration enum errors use the YAML's own
// lowercase words with a suggestion.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using google::protobuf::util::TimeUtil;

// Microseconds since the epoch of an RFC 3339 time; -1 if it does not read.
int64_t Micros(const std::string& rfc3339) {
  google::protobuf::Timestamp at;
  if (!TimeUtil::FromString(rfc3339, &at)) return -1;
  return TimeUtil::TimestampToMicroseconds(at);
}

class CliWordingTest : public EngineTest {
 protected:
  CliWordingTest() : EngineTest("navette-cli-wording") {}
};

TEST_F(CliWordingTest, RetryShowsWhenTheNextAttemptIs) {
  // An HTTP destination nobody listens on, retried in an hour exactly.
  StartEngineWith(SingleDestinationConfig(
      admin_port_, mllp_port_, "web",
      fmt::format("http: {{ url: \"http://127.0.0.1:{}/in\" }}\n"
                  "    delivery: {{ retry: {{ initial_delay: 1h, max_delay: 2h, jitter: 0 }} }}",
                  FreePort())));
  const auto path = dir_ / "oru.hl7";
  std::ofstream(path, std::ios::binary) << MakeOru("RETRY-1");
  ASSERT_EQ(RunNavette({"send", "--port", std::to_string(mllp_port_), path.string()}).exit_code, 0);
  std::string id;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const std::string& line : Lines(Messages({"messages", "list", "--json"}).out)) {
          if (JsonField(line, "state") == "retrying") id = JsonField(line, "id");
        }
        return !id.empty();
      },
      std::chrono::seconds(20)))
      << engine_->Log();

  CommandResult shown = Messages({"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out.find("retry in"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("attempt(s)"), std::string::npos) << shown.out;
  const std::regex destination_line(
      "  destination:  web via all: retrying after 1 attempt, next attempt at (\\S+Z) \\(last "
      "error: [^\n]*Connection refused\\)\n");
  std::smatch destination;
  ASSERT_TRUE(std::regex_search(shown.out, destination, destination_line)) << shown.out;
  const std::regex retry_line(
      "\n  (\\S+Z)  retry +route=all  destination=web  attempt=1  "
      "[^\n]*; next attempt at (\\S+Z)\n");
  std::smatch retry;
  ASSERT_TRUE(std::regex_search(shown.out, retry, retry_line)) << shown.out;
  // One hour after the failed attempt, in the history and in the queue.
  const int64_t failed_at = Micros(retry[1]);
  const int64_t hour = int64_t{3600} * 1000000;
  ASSERT_GT(failed_at, 0) << retry[1];
  EXPECT_NEAR(static_cast<double>(Micros(retry[2]) - failed_at), static_cast<double>(hour), 2e3)
      << retry[0];
  EXPECT_NEAR(static_cast<double>(Micros(destination[1]) - failed_at), static_cast<double>(hour),
              1e6)
      << destination[0];
}

TEST(CliWordingStatesTest, EveryStateIsListedInHelpAndErrors) {
  const std::vector<std::string> states = {"received",  "routed",  "queued",   "retrying",
                                           "delivered", "dead",    "unrouted", "parked",
                                           "discarded", "consumed"};
  CommandResult help = RunNavette({"messages", "list", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  const std::vector<std::string> state_help = LinesWith(help.out, "--state");
  ASSERT_EQ(state_help.size(), 1u) << help.out;
  for (const std::string& state : states) {
    EXPECT_NE(state_help[0].find(state), std::string::npos) << state << ": " << state_help[0];
  }
  EXPECT_EQ(state_help[0].find("..."), std::string::npos) << state_help[0];
}

class CliStateErrorTest : public EngineTest {
 protected:
  CliStateErrorTest() : EngineTest("navette-cli-state-error") {}
};

TEST_F(CliStateErrorTest, UnknownStateErrorListsThemAll) {
  StartEngineWith(FileEngineConfig(admin_port_, mllp_port_));
  CommandResult listed = Messages({"messages", "list", "--state", "lost"});
  EXPECT_EQ(listed.exit_code, 1);
  EXPECT_NE(listed.err.find("unknown state 'lost' (expected one of: received, routed, queued, "
                            "retrying, delivered, dead, unrouted, parked, discarded, consumed)"),
            std::string::npos)
      << listed.err;
}

TEST(CliWordingConfigTest, EnumErrorsUseTheYamlWordsAndSuggestTheNearest) {
  const auto path = FreshTestDir("navette-cli-enum") / "navette.yaml";
  std::ofstream(path) << "sources:\n"
                         "  - name: lab\n"
                         "    mllp: { listen: \"127.0.0.1:2575\" }\n"
                         "destinations:\n"
                         "  - name: outbox\n"
                         "    file: { directory: outbox }\n"
                         "    delivery: { ordering: per-patient }\n"
                         "routes:\n"
                         "  - { name: all, to: [outbox] }\n";
  CommandResult checked = RunNavette({"check", path.string()});
  EXPECT_EQ(checked.exit_code, 1);
  EXPECT_NE(checked.err.find("navette.yaml:7:"), std::string::npos) << checked.err;
  EXPECT_NE(checked.err.find(": error: destinations[0].delivery.ordering: "
                             "expected one of: none, per_patient, got 'per-patient'; did you mean "
                             "'per_patient'?"),
            std::string::npos)
      << checked.err;
  std::filesystem::remove_all(path.parent_path());
}

}  // namespace
}  // namespace navette::testing
