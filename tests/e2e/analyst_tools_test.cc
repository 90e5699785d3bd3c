// What analysts expect from a message browser (issue 16, acceptance 6),
// against the real binary: `navette identities show IPP|INS` (status,
// traits, INS, history, parked documents; a payload view, audited) and
// `navette messages export` (one .hl7 file per message, or one HL7 batch
// file; bytes as received, nothing replaced, audited).
//
// Only the ANS test identity PAT-TROIS appears (test OID .10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

// Made-up tokens for the test configuration (never real secrets).
const std::string kViewer = "viewer-token-for-the-analyst-test";
const std::string kOperator = "operator-token-for-the-analyst-test";
const std::string kAdmin = "admin-token-for-the-analyst-test";

constexpr char kMatricule[] = "279035121518989";  // PAT-TROIS (MakeIdentityAdt)

class AnalystToolsTest : public EngineTest {
 protected:
  AnalystToolsTest() : EngineTest("navette-analyst") {}

  // The identity feed and attach_ins (kIdentityRoutes): an ORU whose
  // patient has no qualified identity parks.
  void StartEngine() {
    StartEngineWith(fmt::format(
        R"(engine:
  admin:
    listen: "127.0.0.1:{}"
{}identity: {{ environment: test }}
sources:
  - name: dpi
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
routes:
{})",
        admin_port_, TokensYaml({kViewer, kOperator, kAdmin}), mllp_port_, kIdentityRoutes));
  }

  CommandResult As(const std::string& token, std::vector<std::string> args) const {
    args.insert(args.end(), {"--admin", Admin(), "--token", token});
    return RunNavette(args);
  }
  // The audit entries of `user` (JSON, one object).
  std::string AuditOf(const std::string& user) const {
    CommandResult listed = As(kAdmin, {"audit", "list", "--json", "--user", user});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    return listed.out;
  }
};

TEST_F(AnalystToolsTest, IdentitiesShowByIppAndInsWithHistoryAndParkedDocuments) {
  StartEngine();
  Send(mllp_port_, MakeIdentityAdt("ID-1", "A28", "PROV", false, "IPP-SHOW"));
  const std::string adt = WaitForState("ID-1", "consumed");
  ASSERT_FALSE(adt.empty()) << Diagnostics();
  Send(mllp_port_, MakeOru("DOC-1", "IPP-SHOW"));
  const std::string doc = WaitForState("DOC-1", "parked");
  ASSERT_FALSE(doc.empty()) << Diagnostics();

  // Provisional: no INS, and the document waits under it.
  CommandResult provisional = As(kOperator, {"identities", "show", "IPP-SHOW"});
  ASSERT_EQ(provisional.exit_code, 0) << provisional.err;
  EXPECT_THAT(provisional.out,
              HasSubstr("Identity IPP IPP-SHOW (CHU-X&1.2.250.1.71.4.2.2&ISO), found by ipp"));
  EXPECT_THAT(provisional.out, HasSubstr("status:       provisional"));
  EXPECT_THAT(provisional.out, HasSubstr("INS:          - (none recorded)"));
  EXPECT_THAT(provisional.out, HasSubstr("birth name:   PAT-TROIS"));
  EXPECT_THAT(provisional.out, HasSubstr("born:         1979-03-28   sex: F   birthplace: 63220"));
  EXPECT_THAT(provisional.out, HasSubstr(fmt::format("A28   {}  created (provisional)", adt)));
  EXPECT_THAT(provisional.out, HasSubstr("Parked documents (1):"));
  EXPECT_THAT(provisional.out, HasSubstr(fmt::format("{}  ORU^R01^ORU_R01  DOC-1", doc)));
  EXPECT_THAT(provisional.out, HasSubstr("route lab parked: "));

  // Qualified with the INS: the document is released, and the INS finds
  // the record, with both changes in its history.
  Send(mllp_port_, MakeIdentityAdt("ID-2", "A31", "QUAL", true, "IPP-SHOW"));
  const std::string a31 = WaitForState("ID-2", "consumed");
  ASSERT_FALSE(a31.empty()) << Diagnostics();
  ASSERT_FALSE(WaitForState("DOC-1", "delivered").empty()) << Diagnostics();
  CommandResult qualified = As(kOperator, {"identities", "show", kMatricule});
  ASSERT_EQ(qualified.exit_code, 0) << qualified.err;
  EXPECT_THAT(qualified.out, HasSubstr("found by ins"));
  EXPECT_THAT(qualified.out, HasSubstr("status:       qualified"));
  EXPECT_THAT(qualified.out,
              HasSubstr(fmt::format("INS:          {} (OID 1.2.250.1.213.1.4.10)", kMatricule)));
  EXPECT_THAT(qualified.out, HasSubstr(fmt::format("A28   {}  created (provisional)", adt)));
  EXPECT_THAT(qualified.out,
              HasSubstr(fmt::format("A31   {}  status provisional -> qualified", a31)));
  EXPECT_THAT(qualified.out, HasSubstr("Parked documents: none"));
  CommandResult as_json = As(kOperator, {"identities", "show", "--ins", kMatricule, "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_THAT(as_json.out, HasSubstr(R"("matched_by":"ins")"));
  EXPECT_THAT(as_json.out, HasSubstr(R"("updated_by":")" + a31 + "\""));

  // Not found, and bad input named.
  CommandResult unknown = As(kOperator, {"identities", "show", "IPP-NOBODY"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no identity recorded under this IPP"));
  CommandResult short_ins = As(kOperator, {"identities", "show", "--ins", "12345"});
  EXPECT_EQ(short_ins.exit_code, 1);
  EXPECT_THAT(short_ins.err, HasSubstr("ins must be the 15 characters of the INS, key included"));

  // Health data: not for a viewer (payload_role defaults to operator).
  CommandResult viewer = As(kViewer, {"identities", "show", "IPP-SHOW"});
  EXPECT_EQ(viewer.exit_code, 1);
  EXPECT_THAT(viewer.err, HasSubstr("an identity is health data"));
  EXPECT_THAT(viewer.out, Not(HasSubstr("PAT-TROIS")));

  // Each view is audited with the ADT and documents it showed, never the
  // IPP or INS asked for; the viewer's refusal showed nothing.
  const std::string audit = AuditOf("otto");
  EXPECT_THAT(audit, HasSubstr(R"("action":"view_identity")"));
  EXPECT_THAT(audit, HasSubstr(fmt::format(R"("message_ids":["{}","{}"])", adt, doc)));
  EXPECT_THAT(audit, HasSubstr(fmt::format(R"("message_ids":["{}"])", a31)));
  EXPECT_THAT(audit, HasSubstr("by ipp: 1 record, 1 parked"));
  EXPECT_THAT(audit, Not(HasSubstr("IPP-SHOW")));
  EXPECT_THAT(audit, Not(HasSubstr(kMatricule)));
  EXPECT_THAT(AuditOf("vera"), Not(HasSubstr("view_identity")));
  EXPECT_THAT(engine_->Log(), Not(HasSubstr("IPP-SHOW")));
}

TEST_F(AnalystToolsTest, ExportWritesTheSelectionAsFilesOrOneBatchBytesUnchanged) {
  StartEngine();
  // One message in ISO-8859-1, with a byte that is not UTF-8: exported as is.
  std::string latin1 = MakeOru("EXP-1", "IPP-EXPORT");
  latin1.replace(latin1.find("UNICODE UTF-8"), 13, "8859/1");
  latin1.replace(latin1.find("PAT-TROIS^DOMINIQUE"), 19, "PAT-TROIS^DOMINIQU\xC9");
  const std::vector<std::string> sent = {latin1, MakeOru("EXP-2", "IPP-EXPORT"),
                                         MakeOru("EXP-3", "IPP-EXPORT")};
  std::vector<std::string> ids;
  for (const std::string& message : sent) {
    Send(mllp_port_, message);
    ids.push_back(WaitForState(ControlIdOf(message), "parked"));
    ASSERT_FALSE(ids.back().empty()) << Diagnostics();
  }
  Send(mllp_port_, MakeOru("EXP-OTHER", "IPP-ELSEWHERE"));

  // One file per message, named by its id, bytes as received.
  const fs::path out = dir_ / "export";
  CommandResult exported =
      As(kOperator, {"messages", "export", "--ipp", "IPP-EXPORT", "--dir", out.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.err, HasSubstr("exported 3 messages to"));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(out)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre(ids[0] + ".hl7", ids[1] + ".hl7", ids[2] + ".hl7"));
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(ReadFileBytes(out / (ids[i] + ".hl7")), sent[i]) << i;
  }
  // A second export into the same directory replaces nothing.
  CommandResult again =
      As(kOperator, {"messages", "export", "--ipp", "IPP-EXPORT", "--dir", out.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists (never replaced); nothing written"));

  // One batch file: FHS, BHS, the messages oldest first, BTS with the count.
  const fs::path batch = dir_ / "selection.hl7";
  CommandResult batched =
      As(kOperator, {"messages", "export", "--ipp", "IPP-EXPORT", "--batch", batch.string()});
  ASSERT_EQ(batched.exit_code, 0) << batched.err;
  const std::string text = ReadFileBytes(batch);
  ASSERT_EQ(text.rfind("FHS|^~\\&|NAVETTE||||", 0), 0u) << text;
  const size_t first = text.find("\rBHS|^~\\&|NAVETTE||||");
  ASSERT_NE(first, std::string::npos);
  const size_t messages_at = text.find('\r', first + 1) + 1;
  EXPECT_EQ(text.substr(messages_at), sent[0] + sent[1] + sent[2] + "BTS|3\rFTS|1\r");
  CommandResult exists =
      As(kOperator, {"messages", "export", "--ipp", "IPP-EXPORT", "--batch", batch.string()});
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_THAT(exists.err, HasSubstr("already exists"));
  EXPECT_FALSE(fs::exists(batch.string() + ".part"));

  // A limit keeps the newest, and says more may match.
  const fs::path newest = dir_ / "newest";
  CommandResult limited = As(kOperator, {"messages", "export", "--ipp", "IPP-EXPORT", "--limit",
                                         "2", "--dir", newest.string()});
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_THAT(limited.err, HasSubstr("more messages may match"));
  EXPECT_TRUE(fs::exists(newest / (ids[2] + ".hl7")));
  EXPECT_TRUE(fs::exists(newest / (ids[1] + ".hl7")));
  EXPECT_FALSE(fs::exists(newest / (ids[0] + ".hl7")));

  // Nothing matches: nothing written, said so.
  CommandResult none = As(
      kOperator, {"messages", "export", "--ipp", "IPP-NOBODY", "--dir", (dir_ / "none").string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no message matches"));

  // Payloads: not for a viewer; each export audited with its ids.
  CommandResult viewer = As(
      kViewer, {"messages", "export", "--ipp", "IPP-EXPORT", "--dir", (dir_ / "viewer").string()});
  EXPECT_EQ(viewer.exit_code, 1);
  EXPECT_THAT(viewer.err, HasSubstr("exported messages are payloads"));
  EXPECT_FALSE(fs::exists(dir_ / "viewer" / (ids[0] + ".hl7")));
  const std::string audit = AuditOf("otto");
  EXPECT_THAT(audit, HasSubstr(R"("action":"export")"));
  EXPECT_THAT(audit,
              HasSubstr(fmt::format(R"("message_ids":["{}","{}","{}"])", ids[2], ids[1], ids[0])));
  EXPECT_THAT(audit, HasSubstr("3 messages, "));
}

}  // namespace
}  // namespace navette::testing
