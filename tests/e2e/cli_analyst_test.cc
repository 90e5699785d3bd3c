// What an analyst reads about documents that go through attach_ins (issue
// 11, points 9 and 12):
// - `messages show ID --as-delivered DEST` prints the message as the
//   destination got it, after the route's steps (attach_ins writes the INS
//   into PID-3), and `show` folds the long base64 OBX-5 of the ANS corpus ORU
//   unless asked for --raw;
// - a document dead at a step says so, with its reason, in `show` and
//   `list`; `release` reports where the document ended, not `received`;
//   `discard` says what it dropped.
//
// Only the ANS test identity appears (PAT-TROIS, test OID .10).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

const std::string kFixtures = NAVETTE_FIXTURES_DIR;
// The corpus ORU whose OBX-5 carries a CDA document in base64: 609,005
// characters on one line.
const std::string kBase64Oru = kFixtures +
                               "/hl7/corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement_ORU/"
                               "message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7";
constexpr char kIns[] = "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";

// An A28 making PAT-TROIS (IPP 000123, the patient of MakeOru) qualified
// with her INS: documents for 000123 then get the INS.
std::string QualifiedA28() {
  return fmt::format(
      "MSH|^~\\&|GAM|CHU-X|PFI|CHU-X|20261122120000||ADT^A28^ADT_A05|ADT-Q|P|2.5^FRA^2.11|||||"
      "FRA|UNICODE UTF-8|FR\r"
      "EVN||20261122120000\r"
      "PID|1||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI~{}||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||"
      "19790328|F|||^^^^^^BDL^^63220{}QUAL\r",
      kIns, std::string(21, '|'));
}

// Documents of IPPs starting with 0 take `lab` (attach_ins, parked when the
// identity cannot carry the INS); those starting with 1 take `strict`
// (attach_ins, dead at once). Both deliver to `outbox`.
constexpr char kRoutes[] =
    "  - name: identities\n"
    "    match: { message_type: \"ADT^*\" }\n"
    "    steps: [ { identity_feed: {} } ]\n"
    "  - name: lab\n"
    "    match: { message_type: \"ORU^*\", fields: { \"PID-3.1\": \"^0\" } }\n"
    "    steps: [ { attach_ins: {} } ]\n"
    "    to: [outbox]\n"
    "  - name: strict\n"
    "    match: { message_type: \"ORU^*\", fields: { \"PID-3.1\": \"^1\" } }\n"
    "    steps: [ { attach_ins: { on_missing: dead } } ]\n"
    "    to: [outbox]\n";

class CliAnalystTest : public EngineTest {
 protected:
  CliAnalystTest() : EngineTest("navette-cli-analyst") {}
  void StartEngine(const std::string& routes = kRoutes) {
    StartEngineWith("identity: { environment: test }\n" +
                    FileEngineConfig(admin_port_, mllp_port_, routes));
  }
  void Send(const std::string& message) {
    const auto path = dir_ / fmt::format("m{}.hl7", sent_++);
    std::ofstream(path, std::ios::binary) << message;
    SendFile(path.string());
  }
  void SendFile(const std::string& path) {
    CommandResult result = RunNavette({"send", "--port", std::to_string(mllp_port_), path});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }

  int sent_ = 0;
};

TEST_F(CliAnalystTest, AsDeliveredShowsWhatAttachInsWroteForTheDestination) {
  StartEngine();
  Send(QualifiedA28());
  ASSERT_FALSE(WaitForState("ADT-Q", "consumed").empty()) << engine_->Log();
  Send(MakeOru("ORU-1"));
  const std::string id = WaitForState("ORU-1", "delivered");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  // `show` prints the message as received: no INS in its PID.
  CommandResult received = Messages({"messages", "show", id});
  ASSERT_EQ(received.exit_code, 0) << received.err;
  const std::string hl7 = received.out.substr(0, received.out.find("\nHistory:"));
  EXPECT_EQ(hl7.find(kIns), std::string::npos) << received.out;

  CommandResult delivered = Messages({"messages", "show", id, "--as-delivered", "outbox"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_NE(delivered.out.find("rewritten by the route's steps"), std::string::npos)
      << delivered.out;
  EXPECT_NE(
      delivered.out.find("\n  PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI~" + std::string(kIns)),
      std::string::npos)
      << delivered.out;
  // Segment for segment what the destination wrote to its file.
  const std::string file = ReadFileBytes(engine_->data_dir() / "outbox" / (id + ".hl7"));
  ASSERT_FALSE(file.empty());
  size_t segments = 0;
  for (size_t start = 0; start < file.size();) {
    size_t end = file.find('\r', start);
    if (end == std::string::npos) end = file.size();
    if (end > start) {
      ++segments;
      EXPECT_NE(delivered.out.find("\n  " + file.substr(start, end - start) + "\n"),
                std::string::npos)
          << file.substr(start, end - start) << "\n"
          << delivered.out;
    }
    start = end + 1;
  }
  EXPECT_EQ(segments, 4u);
  CommandResult json = Messages({"messages", "show", id, "--as-delivered", "outbox", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"rewritten\":true"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"route\":\"lab\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(fmt::format("\"bytes\":\"{}\"", file.size())), std::string::npos)
      << json.out;
}

TEST_F(CliAnalystTest, AsDeliveredRefusesADestinationTheMessageNeverReached) {
  StartEngine();
  Send(MakeOru("ORU-1", "100999"));  // strict route, unknown patient: dead at the step
  const std::string id = WaitForState("ORU-1", "dead");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  CommandResult elsewhere = Messages({"messages", "show", id, "--as-delivered", "archive"});
  EXPECT_EQ(elsewhere.exit_code, 1);
  EXPECT_NE(elsewhere.err.find(fmt::format("message {} never went to destination 'archive'", id)),
            std::string::npos)
      << elsewhere.err;
  EXPECT_NE(elsewhere.err.find("HTTP 404"), std::string::npos) << elsewhere.err;

  CommandResult at_step = Messages({"messages", "show", id, "--as-delivered", "outbox"});
  EXPECT_EQ(at_step.exit_code, 1);
  EXPECT_NE(at_step.err.find("route 'strict' failed at a step before sending it (attach_ins: "),
            std::string::npos)
      << at_step.err;

  CommandResult unknown =
      Messages({"messages", "show", "00000000000000ff", "--as-delivered", "outbox"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no message 00000000000000ff"), std::string::npos) << unknown.err;
}

TEST_F(CliAnalystTest, LongBase64FieldsAreFoldedUnlessRaw) {
  StartEngine("  - { name: all, to: [outbox] }\n");
  SendFile(kBase64Oru);
  const std::string id = WaitForState("015", "delivered");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  CommandResult shown = Messages({"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  size_t longest = 0;
  for (const std::string& line : Lines(shown.out)) longest = std::max(longest, line.size());
  EXPECT_LT(longest, 1000u) << "a line of " << longest << " bytes";
  // The first OBX as the destination wrote it: OBX-5 is "^TEXT^XML^Base64^"
  // and the document.
  const std::string file = ReadFileBytes(engine_->data_dir() / "outbox" / (id + ".hl7"));
  const size_t obx_at = file.find("\rOBX|1|ED|");
  ASSERT_NE(obx_at, std::string::npos);
  const std::string whole_obx = file.substr(obx_at + 1, file.find('\r', obx_at + 1) - obx_at - 1);
  EXPECT_GT(whole_obx.size(), 600000u);
  const size_t field_start = whole_obx.find("||^TEXT^XML^Base64^") + 2;
  const size_t field_end = whole_obx.find('|', field_start);
  const std::string field = whole_obx.substr(field_start, field_end - field_start);
  // Shown folded to its start and its size, the fields around it whole.
  const std::vector<std::string> obx = LinesWith(shown.out, "  OBX|1|ED|");
  ASSERT_EQ(obx.size(), 1u) << shown.out.substr(0, 5000);
  EXPECT_EQ(obx[0], "  " + whole_obx.substr(0, field_start) + field.substr(0, 64) +
                        fmt::format("\u2026 ({} bytes, use --raw to see all)", field.size()) +
                        whole_obx.substr(field_end))
      << obx[0];

  // --raw: the field whole, as the destination wrote it.
  CommandResult raw = Messages({"messages", "show", id, "--raw"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out.find("\n  " + whole_obx + "\n"), std::string::npos);

  // --as-delivered folds alike.
  CommandResult delivered = Messages({"messages", "show", id, "--as-delivered", "outbox"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_NE(delivered.out.find("as received"), std::string::npos) << delivered.out.substr(0, 300);
  EXPECT_NE(delivered.out.find(fmt::format("({} bytes, use --raw to see all)", field.size())),
            std::string::npos);
}

TEST_F(CliAnalystTest, DeadAtAStepIsWordedAndListedWithItsReason) {
  StartEngine();
  Send(MakeOru("ORU-1", "100999"));  // strict route, unknown patient
  const std::string id = WaitForState("ORU-1", "dead");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  CommandResult shown = Messages({"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("  destination:  outbox via strict: dead at a step of the route, "
                           "never sent (attach_ins: patient unknown to the identity store"),
            std::string::npos)
      << shown.out;
  EXPECT_EQ(shown.out.find("attempt(s)"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("after 0 attempt"), std::string::npos) << shown.out;

  // Rerouted while the patient is still unknown: the command waits for the
  // router and says it died again, rather than "now received".
  CommandResult rerouted = Messages({"messages", "replay", id, "--reroute"});
  ASSERT_EQ(rerouted.exit_code, 0) << rerouted.err;
  EXPECT_EQ(rerouted.out, id + " rerouted: now dead (outbox dead)\n");

  // `list` gives the reason under the message, as it does for a parked one.
  Send(MakeOru("ORU-2", "000999"));  // lab route, unknown patient: parked
  ASSERT_FALSE(WaitForState("ORU-2", "parked").empty()) << engine_->Log();
  CommandResult listed = Messages({"messages", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::vector<std::string> lines = Lines(listed.out);
  auto reason_under = [&](const std::string& control_id) {
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      if (lines[i].find(control_id) != std::string::npos) return lines[i + 1];
    }
    return std::string();
  };
  EXPECT_NE(reason_under("ORU-1").find(
                "destination outbox dead: attach_ins: patient unknown to the identity store"),
            std::string::npos)
      << listed.out;
  EXPECT_NE(reason_under("ORU-2").find(
                "route lab parked: attach_ins: patient unknown to the identity store"),
            std::string::npos)
      << listed.out;
}

TEST_F(CliAnalystTest, ReleaseReportsWhereTheDocumentEnded) {
  StartEngine();
  Send(MakeOru("ORU-1", "000999"));  // no identity: parked
  const std::string id = WaitForState("ORU-1", "parked");
  ASSERT_FALSE(id.empty()) << engine_->Log();

  // Still unknown: it runs again and parks again, and the command says so.
  CommandResult again = Messages({"messages", "release", id});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, id + " released: route lab sent back to the router; now parked; route lab "
                            "parked: attach_ins: patient unknown to the identity store\n");
}

TEST_F(CliAnalystTest, DiscardSaysWhatItDropped) {
  StartEngine();
  Send(MakeOru("ORU-1", "000999"));
  const std::string parked = WaitForState("ORU-1", "parked");
  ASSERT_FALSE(parked.empty()) << engine_->Log();
  CommandResult discarded = Messages({"messages", "discard", parked});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_EQ(discarded.out,
            parked + " discarded: route lab dropped; kept with its history, now discarded\n");

  Send(MakeOru("ORU-2", "100999"));
  const std::string dead = WaitForState("ORU-2", "dead");
  ASSERT_FALSE(dead.empty()) << engine_->Log();
  CommandResult dropped = Messages({"messages", "discard", dead});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_EQ(dropped.out, dead +
                             " discarded: deliveries to outbox dropped; kept with its "
                             "history, now discarded\n");

  // Nothing left to drop: said in words, not "(-)".
  Send(QualifiedA28());
  const std::string consumed = WaitForState("ADT-Q", "consumed");
  ASSERT_FALSE(consumed.empty()) << engine_->Log();
  CommandResult nothing = Messages({"messages", "discard", consumed});
  ASSERT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_EQ(nothing.out, consumed +
                             " discarded: nothing was pending, dead or parked; kept with its "
                             "history, now discarded\n");
}

}  // namespace
}  // namespace navette::testing
