// Edit and resend, and resend to another destination (issue 16, acceptance
// 6), against the real binary: a message a producer got wrong (MSH-5 names
// the wrong application, so the RIS route takes it and it dies) is
// corrected with `--file` and through $EDITOR; the correction is a new
// message, routed with the current routes and delivered; the original
// stays as received and says it was superseded; the audit names who did it
// and which fields changed, without values. A delivered message is resent
// to a destination no route gave it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kOperator = "operator-token-for-the-edit-test";
const std::string kAdmin = "admin-token-for-the-edit-test";

// MakeOru with MSH-5 "RISX" in place of "PFI-X": the producer's mistake.
std::string WrongOru(const std::string& control_id) {
  std::string message = MakeOru(control_id);
  message.replace(message.find("PFI-X"), 5, "RISX");
  return message;
}

class EditTest : public EngineTest {
 protected:
  EditTest() : EngineTest("navette-edit") {}
  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(fmt::format(R"(engine:
  admin:
    listen: "127.0.0.1:{}"
    tokens:
      - {{ user: otto, sha256: "{}", role: operator }}
      - {{ user: ada, sha256: "{}", role: admin }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
  - name: archive
    file: {{ directory: archive }}
  - name: ris
    mllp: {{ address: "127.0.0.1:{}", connect_timeout: 200ms }}
    delivery: {{ retry: {{ max_attempts: 1 }} }}
routes:
  - {{ name: wrong, match: {{ fields: {{ "MSH-5": "^RISX$" }} }}, to: [ris] }}
  - {{ name: right, match: {{ fields: {{ "MSH-5": "^PFI-X$" }} }}, to: [outbox] }}
)",
                                admin_port_, Sha256Hex(kOperator), Sha256Hex(kAdmin), mllp_port_,
                                FreePort()));
  }
  CommandResult As(const std::string& token, std::vector<std::string> args) const {
    args.insert(args.end(), {"--admin", Admin(), "--token", token});
    return RunNavette(args);
  }
  // The new id `messages edit` printed: "<old> edited into <new> (…)".
  static std::string NewId(const std::string& out) {
    const size_t at = out.find(" edited into ");
    return at == std::string::npos ? "" : out.substr(at + 13, 16);
  }
  bool Delivered(const std::string& directory, const std::string& id) const {
    return std::filesystem::exists(dir_ / "data" / directory / (id + ".hl7"));
  }
};

TEST_F(EditTest, ACorrectedMessageIsDeliveredAndTheOriginalStaysSuperseded) {
  Send(mllp_port_, WrongOru("ED-1"));
  const std::string original = WaitForState("ED-1", "dead");
  ASSERT_FALSE(original.empty()) << Diagnostics();
  const std::string before = Show(original);

  const auto corrected = dir_ / "corrected.hl7";
  std::ofstream(corrected, std::ios::binary) << MakeOru("ED-1");
  CommandResult edited = As(kOperator, {"messages", "edit", original, "--file", corrected});
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  const std::string fresh = NewId(edited.out);
  ASSERT_EQ(fresh.size(), 16u) << edited.out;
  EXPECT_THAT(edited.out, HasSubstr("MSH-5 changed"));
  EXPECT_TRUE(WaitFor([&] { return Delivered("outbox", fresh); }, std::chrono::seconds(20)))
      << Diagnostics();

  // The original: its text as received, and a pointer to the correction.
  const std::string after = Show(original);
  EXPECT_THAT(after, HasSubstr(fmt::format("superseded:   by {}", fresh)));
  const size_t hl7 = before.find("\nHL7:");
  ASSERT_NE(hl7, std::string::npos);
  const std::string text_before = before.substr(hl7, before.find("\nHistory:") - hl7);
  EXPECT_THAT(after, HasSubstr(text_before));
  EXPECT_THAT(text_before, HasSubstr("RISX"));
  EXPECT_THAT(Show(fresh), HasSubstr(fmt::format("edited from:  {}", original)));
  // Found like any message: by its patient and its MSH-10, the correction
  // first.
  CommandResult found =
      Messages({"messages", "list", "--json", "--ipp", "000123", "--control-id", "ED-1"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  std::vector<std::string> ids;
  for (const std::string& line : Lines(found.out)) {
    if (!line.empty()) ids.push_back(JsonField(line, "id"));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{fresh, original}));
  // A superseded message is not edited twice.
  CommandResult again = As(kOperator, {"messages", "edit", original, "--file", corrected});
  EXPECT_EQ(again.exit_code, 1);

  CommandResult audit = As(kAdmin, {"audit", "list", "--json", "--message", original});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("\"action\":\"edit\""));
  EXPECT_THAT(audit.out, HasSubstr("\"user\":\"otto\""));
  EXPECT_THAT(audit.out, HasSubstr("MSH-5 changed"));
  for (const char* value : {"RISX", "PFI-X", "PAT-TROIS"}) {
    EXPECT_THAT(audit.out, Not(HasSubstr(value))) << value;
  }
}

TEST_F(EditTest, TheEditorPathSendsWhatTheEditorWrote) {
  Send(mllp_port_, WrongOru("ED-2"));
  const std::string original = WaitForState("ED-2", "dead");
  ASSERT_FALSE(original.empty()) << Diagnostics();
  // An "editor" that fixes MSH-5 in the file it is given.
  const auto editor = dir_ / "fix-msh5.sh";
  std::ofstream(editor) << "#!/bin/sh\nsed -i 's/|RISX|/|PFI-X|/' \"$1\"\n";
  ::chmod(editor.c_str(), 0755);
  ::setenv("EDITOR", editor.c_str(), 1);
  CommandResult edited = As(kOperator, {"messages", "edit", original});
  ::unsetenv("EDITOR");
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  const std::string fresh = NewId(edited.out);
  ASSERT_EQ(fresh.size(), 16u) << edited.out;
  EXPECT_TRUE(WaitFor([&] { return Delivered("outbox", fresh); }, std::chrono::seconds(20)))
      << Diagnostics();
  // An editor that changes nothing: nothing is sent.
  Send(mllp_port_, WrongOru("ED-3"));
  const std::string other = WaitForState("ED-3", "dead");
  ASSERT_FALSE(other.empty());
  ::setenv("EDITOR", "true", 1);
  CommandResult unchanged = As(kOperator, {"messages", "edit", other});
  ::unsetenv("EDITOR");
  EXPECT_EQ(unchanged.exit_code, 1);
  EXPECT_THAT(unchanged.err, HasSubstr("not changed"));
}

TEST_F(EditTest, AMessageIsResentToADestinationNoRouteGaveIt) {
  Send(mllp_port_, MakeOru("RS-1"));
  const std::string id = WaitForState("RS-1", "delivered");
  ASSERT_FALSE(id.empty()) << Diagnostics();
  CommandResult resent = As(kOperator, {"messages", "resend", id, "--to", "archive"});
  ASSERT_EQ(resent.exit_code, 0) << resent.err;
  EXPECT_TRUE(WaitFor([&] { return Delivered("archive", id); }, std::chrono::seconds(20)))
      << Diagnostics();
  EXPECT_THAT(HistoryOf(Show(id)), HasSubstr("by otto"));

  CommandResult unknown = As(kOperator, {"messages", "resend", id, "--to", "nowhere"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("archive"));  // the known destinations are named
  CommandResult already = As(kOperator, {"messages", "resend", id, "--to", "outbox"});
  EXPECT_EQ(already.exit_code, 1);
  EXPECT_THAT(already.err, HasSubstr("messages replay"));

  CommandResult audit = As(kAdmin, {"audit", "list", "--json", "--message", id});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("\"action\":\"resend\""));
  EXPECT_THAT(audit.out, HasSubstr("\"detail\":\"archive\""));
}

}  // namespace
}  // namespace navette::testing
