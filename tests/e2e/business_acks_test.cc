// Business acknowledgements end to end (issue 13, acceptance 6): an
// in-process engine takes the corpus ORU asking for ACK_RECEPTION and
// ACK_LECTURE_MSS, its destinations answer with the typed receipts the DMP
// and MSSanté destinations will return (tests/kinds/receipt_destination_*),
// and the producer's MLLP listener receives ZAM^Z01 (negative for a DMP
// refusal, positive for an acceptance), ZAM^Z02 and ZAM^Z03 matching the
// corpus samples field by field apart from ids and times. The listener is
// down at first: the acknowledgements wait, retried, and all arrive once it
// is up.
//
// The lab sends the corpus ORU over MLLP to a source with the `dpi`
// profile, which reads its document record (adapters/documents/).
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/server.h"
#include "engine/builtin_kinds.h"
#include "engine/config/loader.h"
#include "engine/engine.h"
#include "tests/kinds/receipt_destination_kind.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_field_diff.h"
#include "tests/support/producer_listener.h"

namespace navette::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSamples[] = NAVETTE_FIXTURES_DIR
    "/hl7/corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission_initiale_ORU/";
constexpr char kAdam[] = "adam.hoda@test-ci-sis.mssante.fr";
constexpr char kAdamId[] = "801234567897";
const std::set<std::string> kIdsAndTimes = {"MSH-7", "MSH-10", "EVN-2"};

std::string Sample(const std::string& name) { return ReadFileBytes(std::string(kSamples) + name); }

// The full corpus ORU (the CR-BIO N1 and N3, base64) as an initial
// transmission under `control_id` that asks for ACK_RECEPTION and
// ACK_LECTURE_MSS: the sample is a replacement (ORC RO, OBX-11 C) asking for
// neither; the short initial sample carries no real CDA, which the dpi
// profile refuses.
std::string CorpusOru(const std::string& control_id) {
  std::string raw =
      ReadFileBytes(std::string(NAVETTE_FIXTURES_DIR) +
                    "/hl7/corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/"
                    "Remplacement_ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7");
  auto replace = [&raw](const std::string& from, const std::string& to) {
    const size_t at = raw.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) raw.replace(at, from.size(), to);
  };
  replace("|015|P|", "|" + control_id + "|P|");
  replace("ORC|RO|", "ORC|NW|");
  for (int document = 0; document < 2; ++document) replace("||||||C|", "||||||F|");
  replace("ACK_RECEPTION^Accusé de réception^MetaDMPMSS||N^",
          "ACK_RECEPTION^Accusé de réception^MetaDMPMSS||Y^");
  replace("ACK_LECTURE_MSS^Accusé de lecture^MetaDMPMSS||N^",
          "ACK_LECTURE_MSS^Accusé de lecture^MetaDMPMSS||Y^");
  return raw;
}

// Sends `message` to the dpi source over MLLP and returns its ACK code.
std::string SendOverMllp(uint16_t port, const std::string& message) {
  auto client = adapters::mllp::MllpClient::Connect("127.0.0.1", port, std::chrono::seconds(10));
  EXPECT_TRUE(client.ok()) << client.status();
  if (!client.ok()) return "";
  auto answer = (*client)->Exchange(message, std::chrono::seconds(30));
  EXPECT_TRUE(answer.ok()) << answer.status();
  if (!answer.ok()) return "";
  auto ack = adapters::hl7v2::ParseAck(*answer);
  EXPECT_TRUE(ack.ok()) << ack.status();
  return ack.ok() ? ack->code + " " + ack->text : "";
}

// The id of the message whose MSH-10 is `control_id`, from the admin API's
// list (each entry has its "id" before its "control_id"); 0 when none.
uint64_t IdOf(uint16_t admin_port, const std::string& token, const std::string& control_id) {
  auto listed = HttpGet(admin_port, "/v1/messages", token);
  if (!listed.ok()) return 0;
  const std::string& body = listed->second;
  const size_t control = body.find("\"control_id\":\"" + control_id + "\"");
  if (control == std::string::npos) return 0;
  const size_t id = body.rfind("\"id\":\"", control);
  if (id == std::string::npos) return 0;
  return std::stoull(body.substr(id + 6, 16), nullptr, 16);
}

std::string Config(uint16_t admin, uint16_t mllp, uint16_t producer) {
  return fmt::format(
      "engine:\n"
      "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
      "sources:\n"
      "  - name: lab\n"
      "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
      "    profile: dpi\n"
      "    business_acks: producer\n"
      "destinations:\n"
      "  - name: dmp\n"
      "    receipts: {{ tag: dmp }}\n"
      "  - name: mss\n"
      "    receipts: {{ tag: mss }}\n"
      "  - name: mss-read\n"
      "    receipts: {{ tag: mss-read }}\n"
      "  - name: producer\n"
      "    mllp: {{ address: \"127.0.0.1:{}\", connect_timeout: 2s }}\n"
      "    delivery:\n"
      "      retry: {{ initial_delay: 100ms, max_delay: 500ms, jitter: 0 }}\n"
      "      circuit_breaker: {{ failure_threshold: 0 }}\n"
      "routes:\n"
      "  - {{ name: documents, to: [dmp, mss, mss-read] }}\n",
      admin, mllp, producer);
}

// The ZAM whose MSH-9 is `type` and OBX[1]-4 is `control_id`; empty if none.
std::string Find(const std::vector<std::string>& received, const std::string& type,
                 const std::string& control_id) {
  for (const std::string& raw : received) {
    auto view = adapters::hl7v2::MessageView::Parse(raw);
    if (!view.ok()) continue;
    if (view->Field(0, 9).value_or("") != type) continue;
    adapters::hl7v2::FieldPath obx4{.segment = "OBX", .segment_index = 1, .field = 4};
    if (view->Get(obx4).value_or("") == control_id) return raw;
  }
  return {};
}

std::string Differences(const std::string& sample, const std::string& zam) {
  return fmt::format("{}", fmt::join(Hl7FieldDifferences(Sample(sample), zam, kIdsAndTimes), "\n"));
}

TEST(BusinessAcksTest, TheProducerGetsEveryAcknowledgementAsTheSamplesOnceItIsUp) {
  kinds::KindRegistry kinds = engine::BuiltinKinds();
  ASSERT_TRUE(kinds.Add(ReceiptDestinationKind()).ok());
  const std::filesystem::path dir = FreshTestDir("business_acks");
  const uint16_t admin_port = FreePort();
  const uint16_t mllp_port = FreePort();
  const uint16_t producer_port = FreePort();
  auto loaded =
      engine::config::LoadConfigText(Config(admin_port, mllp_port, producer_port), "c.yaml", kinds);
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings[0].ToString();

  // 015: the DMP refuses it (DMP closed); MSSanté delivers it to Adam, who
  // reads it. 020: the DMP accepts it; nothing from MSSanté.
  Receipts().Script("dmp", "015", DmpRefused("DMPClosed", "DMP fermé"));
  Receipts().Script("mss", "015", MssDelivered({{kAdamId, kAdam}}));
  Receipts().Script("mss-read", "015", MssRead(kAdamId, kAdam));
  Receipts().Script("dmp", "020", DmpAccepted());

  auto engine = engine::Engine::Start(*loaded.config, dir / "data", kinds);
  ASSERT_TRUE(engine.ok()) << engine.status();
  // The lab sends both over MLLP; its dpi source reads their records.
  ASSERT_EQ(SendOverMllp(mllp_port, CorpusOru("015")), "AA ");
  ASSERT_EQ(SendOverMllp(mllp_port, CorpusOru("020")), "AA ");
  std::string token = ReadFileBytes(dir / "data" / "admin.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  const uint64_t refused = IdOf(admin_port, token, "015");
  const uint64_t accepted = IdOf(admin_port, token, "020");
  ASSERT_NE(refused, 0u);
  ASSERT_NE(accepted, 0u);

  // The producer is down: its acknowledgements wait, retrying.
  auto state_of = [&](uint64_t id) {
    auto shown = HttpGet(admin_port, fmt::format("/v1/messages/{:016x}", id), token);
    return shown.ok() ? shown->second : std::string();
  };
  // Whether the message is listed in that state (the message's own, not one
  // of its deliveries').
  auto in_state = [&](uint64_t id, const std::string& state) {
    auto listed = HttpGet(admin_port, "/v1/messages?state=" + state, token);
    return listed.ok() && listed->second.find(fmt::format("{:016x}", id)) != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return in_state(refused, "retrying"); }, std::chrono::seconds(60)))
      << state_of(refused);
  ASSERT_TRUE(WaitFor([&] { return in_state(accepted, "retrying"); }, std::chrono::seconds(60)))
      << state_of(accepted);

  ProducerListener producer;
  adapters::mllp::MllpServerOptions options;
  options.source_name = "producer";
  options.listen_port = producer_port;
  adapters::mllp::MllpServer server(options, producer);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return producer.received().size() >= 4; }, std::chrono::seconds(60)))
      << producer.received().size() << " acknowledgements received";

  const std::vector<std::string> received = producer.received();
  const std::string z01_negative = Find(received, "ZAM^Z01^ZAM_Z01", "015");
  ASSERT_FALSE(z01_negative.empty());
  EXPECT_EQ(Differences("Message_metier_reception_DMP", z01_negative), "");
  const std::string z02 = Find(received, "ZAM^Z02^ZAM_Z01", "015");
  ASSERT_FALSE(z02.empty());
  EXPECT_EQ(Differences("Message_metier_reception_MSS", z02), "");
  const std::string z03 = Find(received, "ZAM^Z03^ZAM_Z01", "015");
  ASSERT_FALSE(z03.empty());
  EXPECT_EQ(Differences("Message_metier_lecture_MSS", z03), "");
  // The acceptance: the sample's Z01 with Y, no ERR, and its own MSH-10.
  const std::string z01_positive = Find(received, "ZAM^Z01^ZAM_Z01", "020");
  ASSERT_FALSE(z01_positive.empty());
  std::vector<std::string> positive = Hl7FieldDifferences(
      Sample("Message_metier_reception_DMP"), z01_positive, {"MSH-7", "MSH-10", "EVN-2", "OBX-4"});
  EXPECT_THAT(positive,
              ::testing::ElementsAre("expected 4 segments, got 3",
                                     "OBX[1]-5: expected 'N^^expandedYes-NoIndicator', got "
                                     "'Y^^expandedYes-NoIndicator'"));
  // Exactly those four: nothing asked for twice, nothing unasked.
  EXPECT_EQ(received.size(), 4u);

  // Each message's acknowledgements were deliveries like any other: 015 is
  // dead (the DMP refused it) once its acknowledgements are delivered, 020
  // delivered.
  EXPECT_TRUE(WaitFor([&] { return in_state(refused, "dead"); }, std::chrono::seconds(30)))
      << state_of(refused);
  EXPECT_TRUE(WaitFor([&] { return in_state(accepted, "delivered"); }, std::chrono::seconds(30)))
      << state_of(accepted);
  EXPECT_THAT(state_of(refused), HasSubstr("zam:dmp"));

  server.Stop();
  (*engine)->Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace navette::testing
