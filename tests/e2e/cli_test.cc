// The operator's path through the CLI against a running engine: send a
// corpus message, find it, show it; unrouted messages; retransmissions;
// `navette check` and `navette config default`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "adapters/mllp/client.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

const std::string kFixtures = NAVETTE_FIXTURES_DIR;

class CliTest : public EngineTest {
 protected:
  CliTest() : EngineTest("navette-cli") {}
  void StartEngine(const std::string& routes = "  - { name: all, to: [outbox] }\n") {
    StartEngineWith(FileEngineConfig(admin_port_, mllp_port_, routes));
  }
  CommandResult Send(const std::string& file) {
    return RunNavette({"send", "--port", std::to_string(mllp_port_), file});
  }
  std::string WriteFile(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::vector<std::string> ListJson(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"messages", "list", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult result = Messages(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Lines(result.out);
  }
};

TEST_F(CliTest, SendCorpusOruThenFindAndShowIt) {
  StartEngine();
  const std::string file = kFixtures + "/hl7/oru_r01_cr_bio_init.hl7";
  CommandResult sent = Send(file);
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  // The corpus message's MSH-10 is 015; its ACK swaps the applications.
  EXPECT_NE(sent.out.find("MSA|AA|015"), std::string::npos) << sent.out;
  EXPECT_NE(sent.out.find("MSH|^~\\&|PFI-X|Organisation-X|SIL-Y|labo|"), std::string::npos)
      << sent.out;

  const std::string id = WaitForState("015", "delivered");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  // The file destination holds the message as sent (CR segment terminators).
  const std::string delivered = ReadFileBytes(engine_->data_dir() / "outbox" / (id + ".hl7"));
  std::string expected = ReadFileBytes(file);
  std::replace(expected.begin(), expected.end(), '\n', '\r');
  EXPECT_EQ(delivered, expected);

  CommandResult shown = Messages({"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("state:        delivered"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("\n  MSH|^~\\&|SIL-Y|labo|"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("\n  PID|||279035121518989"), std::string::npos) << shown.out;
  const size_t received = shown.out.find("  received ");
  const size_t routed = shown.out.find("  routed ");
  const size_t delivered_event = shown.out.find("  delivered ");
  ASSERT_NE(received, std::string::npos) << shown.out;
  ASSERT_NE(routed, std::string::npos) << shown.out;
  ASSERT_NE(delivered_event, std::string::npos) << shown.out;
  EXPECT_LT(received, routed);
  EXPECT_LT(routed, delivered_event);

  CommandResult json = Messages({"messages", "show", id, "--json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(Lines(json.out).size(), 1u);
  EXPECT_NE(json.out.find("\"type\":\"delivered\""), std::string::npos) << json.out;
}

TEST_F(CliTest, UnmatchedMessageIsKeptAsUnrouted) {
  StartEngine("  - name: lab-results\n    match: { message_type: \"ORU^*\" }\n    to: [outbox]\n");
  ASSERT_EQ(Send(WriteFile("adt.hl7", MakeAdt("ADT-1"))).exit_code, 0);
  ASSERT_EQ(Send(WriteFile("oru.hl7", MakeOru("ORU-1"))).exit_code, 0);
  const std::string unrouted = WaitForState("ADT-1", "unrouted");
  ASSERT_FALSE(unrouted.empty()) << engine_->Log();
  ASSERT_FALSE(WaitForState("ORU-1", "delivered").empty());

  auto listed = ListJson({"--state", "unrouted"});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(JsonField(listed[0], "control_id"), "ADT-1");
  EXPECT_FALSE(std::filesystem::exists(engine_->data_dir() / "outbox" / (unrouted + ".hl7")));
  EXPECT_NE(engine_->Log().find("no route matched"), std::string::npos);

  CommandResult table = Messages({"messages", "list", "--route", "lab-results"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("ORU-1"), std::string::npos);
  EXPECT_EQ(table.out.find("ADT-1"), std::string::npos);
}

TEST_F(CliTest, RetransmissionIsAcknowledgedButStoredOnce) {
  StartEngine();
  const std::string file = WriteFile("oru.hl7", MakeOru("RT-1"));
  ASSERT_EQ(Send(file).exit_code, 0);
  CommandResult again = Send(file);
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("MSA|AA|RT-1"), std::string::npos);
  const std::string id = WaitForState("RT-1", "delivered");
  ASSERT_FALSE(id.empty());
  int count = 0;
  for (const std::string& line : ListJson()) count += JsonField(line, "control_id") == "RT-1";
  EXPECT_EQ(count, 1);
  CommandResult shown = Messages({"messages", "show", id});
  EXPECT_NE(shown.out.find("retransmission"), std::string::npos) << shown.out;
  // The history is a table: whatever its type, each event's details start in
  // the same column, two spaces at least after the longest type.
  const std::vector<std::string> history = HistoryLines(shown.out);
  ASSERT_GE(history.size(), 3u) << shown.out;
  const std::regex event_line("  (\\S+)  (\\S+)( +)(\\S.*)");
  size_t detail_column = 0;
  for (const std::string& line : history) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, event_line)) << line;
    EXPECT_GE(match[3].length(), 2) << line;
    const size_t column = static_cast<size_t>(match.position(4));
    if (detail_column == 0) detail_column = column;
    EXPECT_EQ(column, detail_column) << shown.out;
  }

  // Same MSH-10, different content: a new message, not a retransmission.
  ASSERT_EQ(Send(WriteFile("oru2.hl7", MakeOru("RT-1", "999"))).exit_code, 0);
  EXPECT_TRUE(WaitFor(
      [&] {
        int n = 0;
        for (const std::string& line : ListJson()) n += JsonField(line, "control_id") == "RT-1";
        return n == 2;
      },
      std::chrono::seconds(10)));
}

// Point 5 of issue 11: an MSH-10 holding ESC and BEL (a sender recolouring
// or ringing the operator's terminal) is printed escaped by every command,
// never as the raw bytes; --json stays JSON, escaped by its writer.
TEST_F(CliTest, ControlCharactersFromThePeerArePrintedEscaped) {
  StartEngine();
  const std::string control_id = "X\x1B[31mY\x07Z";
  CommandResult sent = Send(WriteFile("esc.hl7", MakeOru(control_id)));
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  const std::string escaped = "X\\x1B[31mY\\x07Z";
  auto has_raw = [](const std::string& text) {
    return text.find('\x1B') != std::string::npos || text.find('\x07') != std::string::npos;
  };
  EXPECT_FALSE(has_raw(sent.out)) << sent.out;  // the ACK echoes MSH-10
  EXPECT_NE(sent.out.find("MSA|AA|" + escaped), std::string::npos) << sent.out;

  const std::string id = WaitForState("X\\u001b[31mY\\u0007Z", "delivered");  // as in JSON
  ASSERT_FALSE(id.empty()) << engine_->Log();
  CommandResult listed = Messages({"messages", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_FALSE(has_raw(listed.out)) << listed.out;
  const std::vector<std::string> rows = Lines(listed.out);
  ASSERT_EQ(rows.size(), 2u) << listed.out;  // the header, the message
  EXPECT_EQ(rows[1].rfind(id, 0), 0u) << listed.out;
  EXPECT_NE(rows[1].find(escaped), std::string::npos) << listed.out;

  CommandResult shown = Messages({"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_FALSE(has_raw(shown.out)) << shown.out;
  EXPECT_NE(shown.out.find("control id: " + escaped), std::string::npos) << shown.out;
  // Still one segment a line: split on the terminators, then escaped.
  EXPECT_NE(shown.out.find("\n  MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|20260101120000||"
                           "ORU^R01^ORU_R01|" +
                           escaped + "|P|2.5|"),
            std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("\n  PID|||000123^^^"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("\\x0D"), std::string::npos) << shown.out;

  CommandResult json = Messages({"messages", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_FALSE(has_raw(json.out)) << json.out;
  EXPECT_NE(json.out.find("\"control_id\":\"X\\u001b[31mY\\u0007Z\""), std::string::npos)
      << json.out;
  CommandResult shown_json = Messages({"messages", "show", id, "--json"});
  EXPECT_FALSE(has_raw(shown_json.out)) << shown_json.out;
}

TEST_F(CliTest, SendExitsNonZeroOnRejection) {
  StartEngine();
  CommandResult sent = Send(WriteFile("not-hl7.txt", "this is not an HL7 message\n"));
  EXPECT_EQ(sent.exit_code, 1);
  EXPECT_NE(sent.out.find("MSA|AR"), std::string::npos) << sent.out;
  EXPECT_NE(sent.out.find("ERR|"), std::string::npos) << sent.out;
}

TEST_F(CliTest, CliWithoutEngineSaysSo) {
  CommandResult listed = RunNavette({"messages", "list", "--admin", Admin()});
  EXPECT_EQ(listed.exit_code, 1);
  EXPECT_NE(listed.err.find("cannot reach the admin API"), std::string::npos) << listed.err;
  CommandResult shown = RunNavette({"messages", "show", "nope", "--admin", Admin()});
  EXPECT_EQ(shown.exit_code, 1);
}

TEST_F(CliTest, ShowUnknownMessageIsNotFound) {
  StartEngine();
  CommandResult shown = Messages({"messages", "show", "00000000000000ff"});
  EXPECT_EQ(shown.exit_code, 1);
  EXPECT_NE(shown.err.find("no message 00000000000000ff"), std::string::npos) << shown.err;
  CommandResult bad_state = Messages({"messages", "list", "--state", "lost"});
  EXPECT_EQ(bad_state.exit_code, 1);
  EXPECT_NE(bad_state.err.find("unknown state 'lost'"), std::string::npos) << bad_state.err;
}

TEST(CheckCommandTest, ThreeErrorsWithTheirLines) {
  const std::string file = kFixtures + "/config/three_errors.yaml";
  CommandResult result = RunNavette({"check", file});
  EXPECT_EQ(result.exit_code, 1);
  std::vector<std::string> errors = Lines(result.err);
  ASSERT_EQ(errors.size(), 3u) << result.err;
  const std::regex located(".*three_errors\\.yaml:[0-9]+:[0-9]+: error: .*");
  for (const std::string& error : errors) EXPECT_TRUE(std::regex_match(error, located)) << error;
  EXPECT_NE(result.err.find("unknown key"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("unknown destination"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("RE2"), std::string::npos) << result.err;
}

TEST(CheckCommandTest, ServeRefusesABadConfigurationWithTheSameErrors) {
  CommandResult result =
      RunNavette({"serve", "--config", kFixtures + "/config/three_errors.yaml", "--data-dir",
                  (std::filesystem::temp_directory_path() / "navette-never-created").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(Lines(result.err).size(), 3u) << result.err;
  EXPECT_FALSE(
      std::filesystem::exists(std::filesystem::temp_directory_path() / "navette-never-created"));
}

TEST(CheckCommandTest, EmbeddedDefaultAndExampleAreValid) {
  CommandResult printed = RunNavette({"config", "default"});
  ASSERT_EQ(printed.exit_code, 0);
  const auto path = std::filesystem::temp_directory_path() /
                    ("navette-default-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << printed.out;
  CommandResult checked = RunNavette({"check", path.string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find(": ok"), std::string::npos) << checked.out;
  std::filesystem::remove(path);
  CommandResult example = RunNavette({"check", kFixtures + "/config/example.yaml"});
  EXPECT_EQ(example.exit_code, 0) << example.err;
}

}  // namespace
}  // namespace navette::testing
