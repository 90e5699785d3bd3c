// The audit trail (issue 16, acceptance 4), against the real binary: a
// payload view, a replay, a discard and a release appear with the token's
// user; a viewer sees no payload unless engine.admin.payload_role grants it,
// and cannot read the audit trail (403); `navette audit list` filters by
// user, message and time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Made-up tokens for the test configuration (never real secrets).
const std::string kViewer = "viewer-token-for-the-audit-test";
const std::string kOperator = "operator-token-for-the-audit-test";
const std::string kAdmin = "admin-token-for-the-audit-test";

class AuditTest : public EngineTest {
 protected:
  AuditTest() : EngineTest("navette-audit") {}

  // A file outbox, and `ris`, an MLLP peer that is never there: its
  // messages are dead after one attempt.
  void StartEngine(const std::string& admin_extra = "") {
    StartEngineWith(fmt::format(
        R"(engine:
  admin:
    listen: "127.0.0.1:{}"
{}{}sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
  - name: ris
    mllp: {{ address: "127.0.0.1:{}", connect_timeout: 200ms }}
    delivery: {{ retry: {{ max_attempts: 1 }} }}
routes:
  - {{ name: all, to: [outbox, ris] }}
)",
        admin_port_, admin_extra, TokensYaml({kViewer, kOperator, kAdmin}), mllp_port_,
        FreePort()));
  }

  CommandResult As(const std::string& token, std::vector<std::string> args) const {
    args.insert(args.end(), {"--admin", Admin(), "--token", token});
    return RunNavette(args);
  }
  // The HTTP status of a GET with `token`; 0 when it got no answer.
  long Status(const std::string& token, const std::string& path) const {
    auto answer = HttpGet(admin_port_, path, token);
    return answer.ok() ? answer->first : 0;
  }
};

TEST_F(AuditTest, ViewsAndActionsAreRecordedWithTheUserAndOnlyAdminsReadThem) {
  StartEngine();
  Send(mllp_port_, MakeOru("AUDIT-1", "IPP-AUDIT-1"));
  const std::string id = WaitForState("AUDIT-1", "dead");
  ASSERT_FALSE(id.empty()) << Diagnostics();

  // An operator sees the payload, and that is recorded.
  CommandResult shown = As(kOperator, {"messages", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("PAT-TROIS"));
  // Without the payload, nothing to record.
  CommandResult headers = As(kOperator, {"messages", "show", id, "--no-payload"});
  ASSERT_EQ(headers.exit_code, 0) << headers.err;
  EXPECT_THAT(headers.out, HasSubstr("HL7: not shown: not asked for"));
  EXPECT_THAT(headers.out, Not(HasSubstr("PAT-TROIS")));

  // A viewer sees the header and the history, not the payload, and may
  // not see what a destination got.
  CommandResult viewed = As(kViewer, {"messages", "show", id});
  ASSERT_EQ(viewed.exit_code, 0) << viewed.err;
  EXPECT_THAT(viewed.out, Not(HasSubstr("PAT-TROIS")));
  EXPECT_THAT(viewed.out, HasSubstr("HL7: not shown: payloads are shown to the operator role and "
                                    "above (engine.admin.payload_role)"));
  EXPECT_THAT(viewed.out, HasSubstr("History:"));
  EXPECT_EQ(Status(kViewer, "/v1/messages/" + id + "/delivered?destination=outbox"), 403);

  // The operator replays the dead delivery (dead again: the peer is still
  // away) and discards the message.
  CommandResult replayed = As(kOperator, {"messages", "replay", id});
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
  ASSERT_FALSE(WaitForState("AUDIT-1", "dead").empty());
  CommandResult discarded = As(kOperator, {"messages", "discard", id});
  EXPECT_EQ(discarded.exit_code, 0) << discarded.err;

  // Only an admin reads the trail.
  EXPECT_EQ(Status(kViewer, "/v1/audit"), 403);
  CommandResult operator_list = As(kOperator, {"audit", "list"});
  EXPECT_EQ(operator_list.exit_code, 1);
  EXPECT_THAT(operator_list.err, HasSubstr("GET /v1/audit needs admin or above (HTTP 403)"));

  CommandResult listed = As(kAdmin, {"audit", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  // Newest first: the discard, the replay, the one payload view. The
  // viewer's refused views and the view without payload left nothing.
  const std::string json = listed.out;
  const size_t discard = json.find("\"action\":\"discard\"");
  const size_t replay = json.find("\"action\":\"replay\"");
  const size_t view = json.find("\"action\":\"view_payload\"");
  ASSERT_NE(discard, std::string::npos) << json;
  ASSERT_NE(replay, std::string::npos) << json;
  ASSERT_NE(view, std::string::npos) << json;
  EXPECT_LT(discard, replay);
  EXPECT_LT(replay, view);
  EXPECT_EQ(json.find("\"action\":\"view_payload\"", view + 1), std::string::npos) << json;
  EXPECT_EQ(json.find("\"user\":\"vera\""), std::string::npos) << json;
  EXPECT_THAT(json, HasSubstr("\"user\":\"otto\",\"role\":\"operator\""));
  EXPECT_THAT(json, HasSubstr(fmt::format("\"message_ids\":[\"{}\"]", id)));
  EXPECT_THAT(json, HasSubstr("\"peer\":\"127.0.0.1\""));
  EXPECT_THAT(json, Not(HasSubstr("PAT-TROIS")));
  EXPECT_THAT(json, Not(HasSubstr("IPP-AUDIT-1")));

  CommandResult by_user =
      As(kAdmin, {"audit", "list", "--user", "otto", "--message", id, "--since", "1h"});
  ASSERT_EQ(by_user.exit_code, 0) << by_user.err;
  EXPECT_EQ(Lines(by_user.out).size(), 3u) << by_user.out;
  EXPECT_THAT(by_user.out, HasSubstr("otto (operator)"));
  CommandResult nobody = As(kAdmin, {"audit", "list", "--user", "vera"});
  EXPECT_THAT(nobody.out, HasSubstr("no audit entries"));
  CommandResult paged = As(kAdmin, {"audit", "list", "--limit", "2"});
  EXPECT_EQ(Lines(paged.out).size(), 3u) << paged.out;
  EXPECT_THAT(paged.out, HasSubstr("more: navette audit list --cursor "));
}

TEST_F(AuditTest, PayloadRoleGrantsViewersThePayloadAndTheirViewsAreAudited) {
  StartEngine("    payload_role: viewer\n");
  Send(mllp_port_, MakeOru("AUDIT-2"));
  const std::string id = WaitForState("AUDIT-2", "dead");
  ASSERT_FALSE(id.empty()) << Diagnostics();
  CommandResult viewed = As(kViewer, {"messages", "show", id});
  ASSERT_EQ(viewed.exit_code, 0) << viewed.err;
  EXPECT_THAT(viewed.out, HasSubstr("PAT-TROIS"));
  CommandResult delivered = As(kViewer, {"messages", "show", id, "--as-delivered", "outbox"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;

  CommandResult listed = As(kAdmin, {"audit", "list", "--user", "vera"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("vera (viewer)    view_delivered"));
  EXPECT_THAT(listed.out, HasSubstr("vera (viewer)    view_payload"));
  EXPECT_THAT(listed.out, HasSubstr("outbox"));
}

}  // namespace
}  // namespace navette::testing
