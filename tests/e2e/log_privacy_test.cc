// No patient data in the log or the metrics (issue 16, acceptance 7): a
// whole scenario — an identity feed, documents parked then released,
// deliveries failing until dead, a replay, a discard, a message refused —
// run with JSON logs, then every log line read back as JSON and searched,
// with the metrics, for the patient's names, INS, IPP, birth date and
// birthplace. Lines that name a message carry its id as a field.
#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_test.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

// What identifies the patient of MakeIdentityAdt and MakeOru, and the IPP
// this test gives her: none of it may reach the log or a metric label.
constexpr const char* kIpp = "IPPSCAN4242";
const std::vector<std::string> kPatientData = {"PAT-TROIS", "DOMINIQUE", "279035121518989",
                                               kIpp,        "19790328",  "63220"};

class LogPrivacyTest : public EngineTest {
 protected:
  LogPrivacyTest() : EngineTest("navette-log-privacy") {}
};

TEST_F(LogPrivacyTest, AWholeScenarioLeavesNoPatientDataInTheLogOrTheMetrics) {
  StartEngineWith(fmt::format(R"(engine:
  admin: {{ listen: "127.0.0.1:{}" }}
  log: {{ format: json }}
identity: {{ environment: test }}
sources:
  - name: dpi
    mllp: {{ listen: "127.0.0.1:{}" }}
destinations:
  - name: outbox
    file: {{ directory: outbox }}
  - name: ris
    mllp: {{ address: "127.0.0.1:{}", connect_timeout: 200ms }}
    delivery: {{ retry: {{ max_attempts: 2, initial_delay: 50ms }} }}
routes:
{}  - {{ name: to-ris, match: {{ message_type: "ORU^*" }}, to: [ris] }}
)",
                              admin_port_, mllp_port_, FreePort(), kIdentityRoutes));
  // A provisional identity: the document parks; then qualified with its INS:
  // released, written to the outbox, and dead at the RIS after two attempts.
  Send(mllp_port_, MakeIdentityAdt("SCAN-ADT-1", "A28", "PROV", false, kIpp));
  Send(mllp_port_, MakeOru("SCAN-ORU-1", kIpp));
  Send(mllp_port_, MakeIdentityAdt("SCAN-ADT-2", "A31", "QUAL", true, kIpp));
  const std::string id = WaitForState("SCAN-ORU-1", "dead");
  ASSERT_FALSE(id.empty()) << Diagnostics();
  EXPECT_FALSE(Show(id).empty());
  CommandResult replayed = Messages({"messages", "replay", id});
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
  ASSERT_FALSE(WaitForState("SCAN-ORU-1", "dead").empty());
  CommandResult discarded = Messages({"messages", "discard", id});
  EXPECT_EQ(discarded.exit_code, 0) << discarded.err;
  // A message refused at the door (no MSH-10), patient data and all.
  SendRefused(mllp_port_,
              "MSH|^~\\&|DPI|CHU-X|PFI-X|CHU-X|20260101120000||ORU^R01^ORU_R01||P|2.5\r"
              "PID|||IPPSCAN4242^^^CHU-X^PI||PAT-TROIS^DOMINIQUE||19790328|F\r");

  auto metrics = HttpGet(admin_port_, "/metrics");
  ASSERT_TRUE(metrics.ok());
  ASSERT_TRUE(engine_->Stop().ok());
  const std::string log = engine_->Log();
  engine_.reset();

  size_t json_lines = 0, with_id = 0;
  for (const std::string& line : Lines(log)) {
    if (line.empty()) continue;
    google::protobuf::Struct event;
    // The first lines (before the configuration is read) are text.
    if (!google::protobuf::util::JsonStringToMessage(line, &event).ok()) {
      EXPECT_EQ(json_lines, 0u) << "a line that is not JSON after JSON ones: " << line;
      continue;
    }
    ++json_lines;
    const std::string& msg = event.fields().at("msg").string_value();
    EXPECT_TRUE(event.fields().count("ts") == 1 && event.fields().count("level") == 1) << line;
    if (msg.find(" id=" + id) != std::string::npos) {
      ++with_id;
      EXPECT_EQ(event.fields().at("message_id").string_value(), id) << line;
    }
  }
  EXPECT_GT(json_lines, 10u) << log;
  EXPECT_GT(with_id, 0u) << "no line names the message:\n" << log;
  for (const std::string& value : kPatientData) {
    EXPECT_EQ(log.find(value), std::string::npos) << value << " in the log:\n" << log;
    EXPECT_EQ(metrics->second.find(value), std::string::npos) << value << " in the metrics";
  }
}

}  // namespace
}  // namespace navette::testing
