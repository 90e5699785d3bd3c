// Finding messages (issue 16, acceptance 5), against the real binary:
// `navette messages list` by IPP, INS, MSH-10, source, route, destination,
// state and time, combined, newest first, paged with the cursor the CLI
// prints; the API refuses what it cannot read, naming the parameter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SearchTest : public EngineTest {
 protected:
  SearchTest() : EngineTest("navette-search") {}

  // `lab` → outbox; `dpi` (a second source) → outbox and `ris`, a peer that
  // is never there (dead after one attempt).
  void StartEngine() {
    dpi_port_ = FreePort();
    StartEngineWith(fmt::format(R"(engine:
  admin: {{ listen: "127.0.0.1:{}" }}
sources:
  - name: lab
    mllp: {{ listen: "127.0.0.1:{}" }}
  - name: dpi
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
  - name: ris
    mllp: {{ address: "127.0.0.1:{}", connect_timeout: 200ms }}
    delivery: {{ retry: {{ max_attempts: 1 }} }}
routes:
  - {{ name: lab, from: [lab], to: [outbox] }}
  - {{ name: dpi, from: [dpi], to: [outbox, ris] }}
)",
                                admin_port_, mllp_port_, dpi_port_, FreePort()));
  }
  // The control ids `messages list` prints with `args`, in its order.
  std::vector<std::string> ControlIds(std::vector<std::string> args) const {
    args.insert(args.begin(), {"messages", "list", "--json"});
    CommandResult listed = Messages(args);
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<std::string> ids;
    for (const std::string& line : Lines(listed.out)) {
      if (!line.empty()) ids.push_back(JsonField(line, "control_id"));
    }
    return ids;
  }

  uint16_t dpi_port_ = 0;
};

TEST_F(SearchTest, EveryFilterAloneAndCombinedNewestFirst) {
  StartEngine();
  Send(mllp_port_, MakeOru("S-1", "IPP-ALPHA"));
  Send(mllp_port_, MakeOru("S-2", "IPP-BETA"));
  Send(dpi_port_, MakeIdentityAdt("S-3", "A28", "QUAL", true, "IPP-ALPHA"));
  Send(dpi_port_, MakeOru("S-4", "IPP-ALPHA"));
  ASSERT_FALSE(WaitForState("S-4", "dead").empty()) << Diagnostics();
  ASSERT_FALSE(WaitForState("S-2", "delivered").empty()) << Diagnostics();

  EXPECT_THAT(ControlIds({"--ipp", "IPP-ALPHA"}), ElementsAre("S-4", "S-3", "S-1"));
  EXPECT_THAT(ControlIds({"--ins", "279035121518989"}), ElementsAre("S-3"));
  EXPECT_THAT(ControlIds({"--control-id", "S-2"}), ElementsAre("S-2"));
  EXPECT_THAT(ControlIds({"--source", "dpi"}), ElementsAre("S-4", "S-3"));
  EXPECT_THAT(ControlIds({"--route", "lab"}), ElementsAre("S-2", "S-1"));
  EXPECT_THAT(ControlIds({"--destination", "ris"}), ElementsAre("S-4", "S-3"));
  EXPECT_THAT(ControlIds({"--state", "dead"}), ElementsAre("S-4", "S-3"));
  EXPECT_THAT(ControlIds({"--ipp", "IPP-ALPHA", "--state", "dead"}), ElementsAre("S-4", "S-3"));
  EXPECT_THAT(ControlIds({"--ipp", "IPP-ALPHA", "--source", "lab"}), ElementsAre("S-1"));
  EXPECT_THAT(ControlIds({"--ipp", "IPP-BETA", "--source", "dpi"}), ElementsAre());
  EXPECT_THAT(ControlIds({"--since", "1h", "--ipp", "IPP-BETA"}), ElementsAre("S-2"));
  EXPECT_THAT(ControlIds({"--until", "1h", "--ipp", "IPP-BETA"}), ElementsAre());
  EXPECT_THAT(ControlIds({"--since", "2020-01-01T00:00:00Z", "--until", "2099-01-01"}),
              ElementsAre("S-4", "S-3", "S-2", "S-1"));

  // A field of the message as received, within a time window.
  EXPECT_THAT(ControlIds({"--field", "PID-3.1=IPP-BETA", "--since", "1h"}), ElementsAre("S-2"));
  EXPECT_THAT(ControlIds({"--field", "OBR-4.1=11502-2", "--since", "1h", "--source", "lab"}),
              ElementsAre("S-2", "S-1"));
  EXPECT_THAT(ControlIds({"--field", "PID-3.1=IPP-GAMMA", "--since", "1h"}), ElementsAre());
  CommandResult unbounded = Messages({"messages", "list", "--field", "PID-3.1=IPP-BETA"});
  EXPECT_EQ(unbounded.exit_code, 1);
  EXPECT_THAT(unbounded.err, HasSubstr("field needs since"));
  CommandResult bad_path = Messages({"messages", "list", "--field", "PID-x=1", "--since", "1h"});
  EXPECT_EQ(bad_path.exit_code, 1);
  EXPECT_THAT(bad_path.err, HasSubstr("field: "));

  // The cursor: one message a page, each page's command on stderr.
  std::vector<std::string> paged;
  std::vector<std::string> args = {"messages",  "list",    "--json", "--ipp",
                                   "IPP-ALPHA", "--limit", "1"};
  for (int page = 0; page < 5; ++page) {
    CommandResult listed = Messages(args);
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    for (const std::string& line : Lines(listed.out)) {
      if (!line.empty()) paged.push_back(JsonField(line, "control_id"));
    }
    const size_t at = listed.err.find("more: add --before ");
    if (at == std::string::npos) break;
    const size_t start = at + std::string("more: add --before ").size();
    args.resize(7);
    args.push_back("--before");
    args.push_back(listed.err.substr(start, 16));
  }
  EXPECT_THAT(paged, ElementsAre("S-4", "S-3", "S-1"));

  // The API names what it cannot read.
  auto bad_time = HttpGet(admin_port_, "/v1/messages?since=yesterday", engine_->admin_token());
  ASSERT_TRUE(bad_time.ok());
  EXPECT_EQ(bad_time->first, 400);
  EXPECT_THAT(bad_time->second, HasSubstr("since must be an RFC 3339 time"));
  auto bad_cursor = HttpGet(admin_port_, "/v1/messages?before=zz", engine_->admin_token());
  ASSERT_TRUE(bad_cursor.ok());
  EXPECT_EQ(bad_cursor->first, 400);
}

}  // namespace
}  // namespace navette::testing
