// The document contract end to end (issue 13, acceptance 1 and 2): the full
// ANS corpus samples sent over MLLP to the real engine with a `dpi` source
// are answered AA and routed by their record (action create / replace /
// delete to three file destinations); each contract violation is answered
// AR with its ERR at once, and nothing of it is stored.
//
// All samples carry MSH-10 "015": each copy sent here gets its own MSH-10
// (the only change) so that the store can tell them apart.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

namespace hl7v2 = navette::adapters::hl7v2;

const std::filesystem::path kCorpus =
    std::filesystem::path(NAVETTE_FIXTURES_DIR) / "hl7" / "corpus";
const std::filesystem::path kOru = kCorpus / "Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU";
const std::filesystem::path kMdm =
    kCorpus /
    "Vague_2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/"
    "MDM/Transmission_initiale_MDM";

// `raw` with MSH-10 "015" made `control_id`.
std::string WithControlId(std::string raw, const std::string& control_id) {
  const size_t at = raw.find("|015|P|");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) raw.replace(at + 1, 3, control_id);
  return raw;
}

std::string Replaced(std::string raw, const std::string& from, const std::string& to) {
  const size_t at = raw.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) raw.replace(at, from.size(), to);
  return raw;
}

// `raw` without the line that starts with `start` (the samples end lines
// with LF).
std::string WithoutLine(std::string raw, const std::string& start) {
  const size_t at = raw.find("\n" + start);
  EXPECT_NE(at, std::string::npos) << start;
  if (at != std::string::npos) raw.erase(at, raw.find('\n', at + 1) - at);
  return raw;
}

class DocumentContractTest : public EngineTest {
 protected:
  DocumentContractTest() : EngineTest("navette-documents") {}

  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(fmt::format(
        "engine:\n"
        "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
        "sources:\n"
        "  - name: dpi\n"
        "    profile: dpi\n"
        "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
        "destinations:\n"
        "  - {{ name: created, file: {{ directory: created }} }}\n"
        "  - {{ name: replaced, file: {{ directory: replaced }} }}\n"
        "  - {{ name: deleted, file: {{ directory: deleted }} }}\n"
        "routes:\n"
        "  - {{ name: create, match: {{ document: {{ action: [create] }} }}, to: [created] }}\n"
        "  - {{ name: replace, match: {{ document: {{ action: [replace], flags: [DESTDMP] }} }}, "
        "to: [replaced] }}\n"
        "  - {{ name: delete, match: {{ document: {{ action: [delete] }} }}, to: [deleted] }}\n",
        admin_port_, mllp_port_));
  }

  hl7v2::AckResult Send(const std::string& message) {
    auto client =
        adapters::mllp::MllpClient::Connect("127.0.0.1", mllp_port_, std::chrono::seconds(10));
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return {};
    auto answer = (*client)->Exchange(message, std::chrono::seconds(30));
    EXPECT_TRUE(answer.ok()) << answer.status();
    if (!answer.ok()) return {};
    auto ack = hl7v2::ParseAck(*answer);
    EXPECT_TRUE(ack.ok()) << ack.status() << "\n" << *answer;
    return ack.value_or(hl7v2::AckResult{});
  }

  // Sends a conforming sample and checks it lands in `destination` only.
  void ExpectRoutedTo(const std::string& raw, const std::string& control_id,
                      const std::string& destination) {
    hl7v2::AckResult ack = Send(WithControlId(raw, control_id));
    ASSERT_EQ(ack.code, "AA") << ack.text;
    const std::string id = WaitForState(control_id, "delivered");
    ASSERT_FALSE(id.empty()) << engine_->Log();
    for (const char* place : {"created", "replaced", "deleted"}) {
      const bool there = std::filesystem::exists(engine_->data_dir() / place / (id + ".hl7"));
      EXPECT_EQ(there, place == destination) << control_id << " in " << place;
    }
    EXPECT_EQ(ReadFileBytes(engine_->data_dir() / destination / (id + ".hl7")),
              WithControlId(raw, control_id));
  }

  // Sends a violation: AR with its ERR, and nothing stored.
  void ExpectRefused(const std::string& raw, const std::string& control_id, int condition,
                     const std::string& location, const std::string& reason) {
    hl7v2::AckResult ack = Send(WithControlId(raw, control_id));
    EXPECT_EQ(ack.code, "AR");
    EXPECT_EQ(ack.control_id, control_id);
    EXPECT_EQ(ack.condition_code, condition);
    EXPECT_EQ(ack.location, location);
    EXPECT_NE(ack.text.find(reason), std::string::npos) << ack.text;
  }

  bool Listed(const std::string& control_id) const {
    for (const std::string& line : Lines(Messages({"messages", "list", "--json"}).out)) {
      if (JsonField(line, "control_id") == control_id) return true;
    }
    return false;
  }
};

TEST_F(DocumentContractTest, FullSamplesAreAcceptedAndRoutedByTheirAction) {
  ExpectRoutedTo(ReadFileBytes(kMdm / "message_MDM_CR_Radio_INIT_N1_Base64.er7"), "E2E-MDM-INIT",
                 "created");
  ExpectRoutedTo(
      ReadFileBytes(kOru / "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7"),
      "E2E-ORU-RPLC", "replaced");
  ExpectRoutedTo(
      ReadFileBytes(kOru / "Suppression_ORU/message_ORU_CR_Bio_DEL_N1_Base64_N3_Base64.er7"),
      "E2E-ORU-DEL", "deleted");
}

TEST_F(DocumentContractTest, ViolationsAreRefusedAndNothingIsStored) {
  const std::string oru =
      ReadFileBytes(kOru / "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7");
  const std::string mdm = ReadFileBytes(kMdm / "message_MDM_CR_Radio_INIT_N1_Base64.er7");

  ExpectRefused(Replaced(oru, "ORC|RO|", "ORC|NW|"), "E2E-NW-C", 207, "OBX^1^11",
                "OBX[1]-11 (result status) C means replace");
  ExpectRefused(
      Replaced(Replaced(Replaced(mdm, "MDM^T02^MDM_T02", "MDM^T10^MDM_T02"), "ORC|NW|", "ORC|RO|"),
               "||||||F|\nPRT", "||||||C|\nPRT"),
      "E2E-T10", 101, "TXA^1^13", "TXA-13 (parent document number)");
  ExpectRefused(WithoutLine(oru, "PRT||UC||SB^"), "E2E-NO-SB", 100, "OBX^8^5", "DESTDMP=Y");
  ExpectRefused(
      Replaced(oru, "INVISIBLE_PATIENT^Document Non Visible par le patient^MetaDMPMSS||N^",
               "INVISIBLE_PATIENT^Document Non Visible par le patient^MetaDMPMSS||Y^"),
      "E2E-PAT", 207, "OBX^10^5", "INVISIBLE_PATIENT=Y");
  ExpectRefused(Replaced(oru, "^TEXT^XML^Base64^PD94", "^TEXT^XML^Base64^*D94"), "E2E-B64", 102,
                "OBX^1^5", "not valid base64");
  ExpectRefused(ReadFileBytes(kMdm / "message_MDM_CR_Radio_INIT_N1.er7"), "E2E-NOT-XML", 102,
                "OBX^1^5", "not XML");

  // A conforming message sent after them is listed: the refused ones are not.
  hl7v2::AckResult ack = Send(WithControlId(mdm, "E2E-AFTER"));
  ASSERT_EQ(ack.code, "AA");
  ASSERT_FALSE(WaitForState("E2E-AFTER", "delivered").empty()) << engine_->Log();
  for (const char* refused :
       {"E2E-NW-C", "E2E-T10", "E2E-NO-SB", "E2E-PAT", "E2E-B64", "E2E-NOT-XML"}) {
    EXPECT_FALSE(Listed(refused)) << refused;
  }
}

}  // namespace
}  // namespace navette::testing
