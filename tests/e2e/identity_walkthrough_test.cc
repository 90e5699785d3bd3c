// Runs the walkthrough of docs/identity.md as written: its fenced shell
// block is read from the document, each command is run against the real
// engine, and each line the document shows after a command ("# ...") must be
// in what that command prints. The document and the test cannot drift: a
// command, fixture or output that changes breaks the test.
//
// What the test adds to the commands, and only that: free ports instead of
// the defaults (2575, 8575) the configuration and the CLI use, and the
// engine's data directory in a fresh test directory (`--data-dir`, and a
// `navette-data` link to it for the shell commands). Fixture paths are read
// from the repository root, as the document says to run it.
//
// How a line of the block is run:
//   navette serve --config FILE &   the engine, on FILE with the ports swapped
//   navette send FILES              once (it must be answered AA)
//   navette messages ...            again until every expected line shows
//                                   (the router works after the ACK), 30 s
//   any other command               by sh in the test directory, likewise
// `ID` is the first message id the previous `messages list` printed.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

const std::filesystem::path kSourceDir = NAVETTE_SOURCE_DIR;
constexpr char kDefaultMllp[] = "127.0.0.1:2575";
constexpr char kDefaultAdmin[] = "127.0.0.1:8575";

struct Step {
  std::string command;
  std::vector<std::string> expected;  // lines it prints, in part
};

// Runs of blanks made one space, ends trimmed: the document aligns columns
// its own way.
std::string Squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool blank = c == ' ' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ' || out.back() == '\n')) continue;
    out.push_back(blank ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return std::regex_replace(out, std::regex(" \n"), "\n");
}

// The first ```sh block after the walkthrough's heading, as steps.
std::vector<Step> ReadWalkthrough(const std::string& doc) {
  const size_t section = doc.find("\n## Walkthrough");
  EXPECT_NE(section, std::string::npos) << "docs/identity.md has no Walkthrough section";
  if (section == std::string::npos) return {};
  const size_t open = doc.find("\n```sh\n", section);
  EXPECT_NE(open, std::string::npos) << "the Walkthrough section has no ```sh block";
  if (open == std::string::npos) return {};
  const size_t start = open + 7;
  const size_t end = doc.find("\n```", start);
  std::vector<Step> steps;
  std::istringstream block(doc.substr(start, end - start));
  for (std::string line; std::getline(block, line);) {
    if (line.empty()) continue;
    if (line.rfind("#", 0) == 0) {
      EXPECT_FALSE(steps.empty()) << "an expected line before any command: " << line;
      if (!steps.empty()) steps.back().expected.push_back(Squeeze(line.substr(1)));
      continue;
    }
    steps.push_back({line, {}});
  }
  return steps;
}

std::vector<std::string> Words(const std::string& command) {
  std::vector<std::string> words;
  std::istringstream stream(command);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// What `expected` lacks in `output`; empty when every line is there.
std::string Missing(const std::vector<std::string>& expected, const std::string& output) {
  const std::string squeezed = Squeeze(output);
  std::string missing;
  for (const std::string& line : expected) {
    if (squeezed.find(line) == std::string::npos) missing += "  " + line + "\n";
  }
  return missing;
}

// `command` by sh in `dir`, stdout and stderr together.
std::string Shell(const std::filesystem::path& dir, const std::string& command) {
  const std::string line = fmt::format("cd '{}' && ( {} ) 2>&1", dir.string(), command);
  std::string output;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::array<char, 4096> buffer;
  for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    output.append(buffer.data(), n);
  }
  ::pclose(pipe);
  return output;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class IdentityWalkthroughTest : public EngineTest {
 protected:
  IdentityWalkthroughTest() : EngineTest("navette-walkthrough") {}

  // `navette serve --config FILE &`: the engine on FILE, ports swapped.
  void Serve(const std::vector<std::string>& words) {
    ASSERT_TRUE(words.size() == 5 && words[1] == "serve" && words[2] == "--config" &&
                words[4] == "&")
        << "the walkthrough starts the engine with `navette serve --config FILE &`";
    const std::string config = ReadFileBytes(kSourceDir / words[3]);
    ASSERT_FALSE(config.empty()) << words[3] << " cannot be read";
    // The document relies on the CLI's defaults: the configuration must use
    // them, and the test swaps them for free ports.
    ASSERT_NE(config.find(kDefaultMllp), std::string::npos) << words[3];
    ASSERT_NE(config.find(kDefaultAdmin), std::string::npos) << words[3];
    StartEngineWith(
        ReplaceAll(ReplaceAll(config, kDefaultMllp, fmt::format("127.0.0.1:{}", mllp_port_)),
                   kDefaultAdmin, fmt::format("127.0.0.1:{}", admin_port_)));
    shell_dir_ = dir_ / "shell";
    std::filesystem::create_directories(shell_dir_);
    std::filesystem::create_directory_symlink(engine_->data_dir(), shell_dir_ / "navette-data");
    std::filesystem::create_directory_symlink(kSourceDir / "tests", shell_dir_ / "tests");
  }

  // One command of the walkthrough after `serve`; its output.
  std::string Run(const std::vector<std::string>& words) {
    std::vector<std::string> args(words.begin() + 1, words.end());
    for (std::string& arg : args) {
      if (arg.rfind("tests/", 0) == 0) arg = (kSourceDir / arg).string();  // from the repo root
    }
    if (words[1] == "send") {
      args.insert(args.begin() + 1, {"--port", std::to_string(mllp_port_)});
      CommandResult sent = RunNavette(args);
      EXPECT_EQ(sent.exit_code, 0) << sent.out << sent.err;
      return sent.out + sent.err;
    }
    EXPECT_EQ(words[1], "messages") << "a navette command the walkthrough test cannot run";
    CommandResult result = Messages(args);
    return result.out + result.err;
  }

  std::filesystem::path shell_dir_;
};

TEST_F(IdentityWalkthroughTest, DocumentedCommandsGiveTheDocumentedOutput) {
  const std::string doc = ReadFileBytes(kSourceDir / "docs" / "identity.md");
  ASSERT_FALSE(doc.empty());
  const std::vector<Step> steps = ReadWalkthrough(doc);
  ASSERT_GE(steps.size(), 2u);

  // The walkthrough must still show the flow it is about, not only run.
  std::string commands, expected;
  for (const Step& step : steps) {
    commands += step.command + "\n";
    for (const std::string& line : step.expected) expected += line + "\n";
  }
  EXPECT_NE(commands.find("send tests/fixtures/hl7/identity_walkthrough_a28.hl7\n"
                          "navette send tests/fixtures/hl7/identity_walkthrough_oru.hl7\n"
                          "navette messages list --state parked\n"
                          "navette send tests/fixtures/hl7/identity_walkthrough_a31.hl7\n"),
            std::string::npos)
      << commands;
  for (const char* outcome :
       {"route lab parked: attach_ins: identity not qualified (provisional)",
        "identity qualified by A31", "attach_ins: INS and traits written into PID-3",
        "^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"}) {
    EXPECT_NE(expected.find(outcome), std::string::npos) << outcome << " not shown in:\n"
                                                         << expected;
  }

  Serve(Words(steps[0].command));
  ASSERT_TRUE(engine_ && engine_->running());
  std::string last_id;
  for (size_t i = 1; i < steps.size(); ++i) {
    const Step& step = steps[i];
    if (step.command.rfind("navette ", 0) == 0) {
      // Run without a shell: words only, quoting is for the other lines.
      ASSERT_EQ(step.command.find_first_of("\"'`$\\"), std::string::npos) << step.command;
    }
    std::string command = step.command;
    if (std::regex_search(command, std::regex("\\bID\\b"))) {
      ASSERT_FALSE(last_id.empty()) << "`ID` before any `messages list`: " << command;
      command = std::regex_replace(command, std::regex("\\bID\\b"), last_id);
    }
    const std::vector<std::string> words = Words(command);
    const bool navette = words[0] == "navette";
    const bool once = navette && words.size() > 1 && words[1] == "send";
    std::string output;
    const bool shown = WaitFor(
        [&] {
          output = navette ? Run(words) : Shell(shell_dir_, command);
          return once || Missing(step.expected, output).empty();
        },
        std::chrono::seconds(30));
    ASSERT_TRUE(shown && Missing(step.expected, output).empty())
        << "$ " << command << "\n"
        << output << "\nnot shown:\n"
        << Missing(step.expected, output) << engine_->Log();
    if (navette && words.size() > 2 && words[1] == "messages" && words[2] == "list") {
      std::smatch id;
      ASSERT_TRUE(std::regex_search(output, id, std::regex("(^|\\n)([0-9a-f]{16}) ")))
          << command << "\n"
          << output;
      last_id = id[2];
    }
  }

  // Besides what the document shows: the delivered document carries the INS
  // of the A31, next to the IPP it was sent with.
  ASSERT_FALSE(last_id.empty());
  const std::string delivered = ReadFileBytes(engine_->data_dir() / "outbox" / (last_id + ".hl7"));
  EXPECT_NE(delivered.find("PID|||000003^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-"
                           "NIR&1.2.250.1.213.1.4.10&ISO^INS||"),
            std::string::npos)
      << delivered;
}

}  // namespace
}  // namespace navette::testing
