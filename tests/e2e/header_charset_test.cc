// Accented headers, end to end against the real binary: a Latin-1 or UTF-8
// message with accented MSH-3..6 is acknowledged at once, routed on its
// facility as the configuration spells it (UTF-8), stored, and delivered
// byte for byte; a header the declared charset cannot read, or a charset
// navette does not read, is refused at once with AR and the ERR that says
// where. No answer may take the bus's 30-second confirm timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "tests/support/cli_output.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

// Far below the bus's confirm timeout (30 s), which is what a sender of an
// accented header used to wait for before an AE.
constexpr auto kAnswerWithin = 1s;

// The only route takes messages from the facility HÔPITAL (UTF-8, as YAML
// is): a message it does not match is kept unrouted, never delivered.
constexpr char kRoutes[] =
    "  - name: hopital\n"
    "    match: { sending_facility: [\"HÔPITAL\"] }\n"
    "    to: [outbox]\n";

// Accented letters in the message's own charset.
struct Letters {
  std::string e_acute;       // é
  std::string E_acute;       // É
  std::string o_circumflex;  // Ô
};
const Letters kLatin1{"\xE9", "\xC9", "\xD4"};
const Letters kUtf8{"é", "É", "Ô"};

// MSH-3..6 accented, MSH-4 naming `facility` (HÔPITAL unless told), and an
// accented body, all in `letters`' charset, which MSH-18 declares.
std::string AccentedMessage(const Letters& l, const std::string& msh18,
                            const std::string& control_id, const std::string& facility = "") {
  return fmt::format(
      "MSH|^~\\&|LABO-G{E}N{E}RAL|{facility}|DPI-{E}VRY|SERVICE-P{E}DIATRIE|20260101120000||"
      "ORU^R01^ORU_R01|{id}|P|2.5|||||FRA|{msh18}\r"
      "PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^^^^^L||19790328|F\r"
      "OBX|1|TX|11502-2^CR d'examens biologiques^LN||R{e}sultat normal||||||F\r",
      fmt::arg("E", l.E_acute), fmt::arg("e", l.e_acute),
      fmt::arg("facility", facility.empty() ? "H" + l.o_circumflex + "PITAL" : facility),
      fmt::arg("id", control_id), fmt::arg("msh18", msh18));
}

class HeaderCharsetTest : public EngineTest {
 protected:
  HeaderCharsetTest() : EngineTest("navette-header-charset") {}
  void SetUp() override {
    EngineTest::SetUp();
    StartEngineWith(FileEngineConfig(admin_port_, mllp_port_, kRoutes));
    auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(*client);
  }

  // Sends `message` and returns its ACK's bytes, failing when none comes
  // within kAnswerWithin.
  std::string Exchange(const std::string& message) {
    const auto started = std::chrono::steady_clock::now();
    auto ack = client_->Exchange(message, kAnswerWithin);
    EXPECT_TRUE(ack.ok()) << ack.status() << " after "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count()
                          << " ms\n"
                          << engine_->Log();
    return ack.ok() ? *ack : "";
  }
  static adapters::hl7v2::AckResult Parsed(const std::string& ack) {
    auto parsed = adapters::hl7v2::ParseAck(ack);
    EXPECT_TRUE(parsed.ok()) << parsed.status() << ": " << ack;
    return parsed.ok() ? *parsed : adapters::hl7v2::AckResult{};
  }
  // The delivered file holding exactly `message`, or an empty path when
  // none appears in time.
  std::filesystem::path DeliveredFileOf(const std::string& message) {
    const auto outbox = engine_->data_dir() / "outbox";
    std::filesystem::path found;
    WaitFor(
        [&] {
          std::error_code ignored;
          for (const auto& entry : std::filesystem::directory_iterator(outbox, ignored)) {
            if (entry.path().extension() == ".hl7" && ReadFileBytes(entry.path()) == message) {
              found = entry.path();
              return true;
            }
          }
          return false;
        },
        20s);
    return found;
  }
  // Control ids of the stored messages in `state` (every state when empty).
  std::vector<std::string> StoredControlIds(const std::string& state = "") {
    std::vector<std::string> args = {"messages", "list", "--json"};
    if (!state.empty()) args.insert(args.end(), {"--state", state});
    CommandResult listed = Messages(args);
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<std::string> ids;
    for (const std::string& line : Lines(listed.out)) ids.push_back(JsonField(line, "control_id"));
    return ids;
  }
  // Sends an accented message in `letters`' charset and checks the whole
  // journey: AA at once, in the sender's bytes, then delivered unchanged.
  void ExpectAcceptedAndDeliveredByteForByte(const Letters& letters, const std::string& msh18,
                                             const std::string& control_id) {
    const std::string message = AccentedMessage(letters, msh18, control_id);
    const std::string ack = Exchange(message);
    const auto parsed = Parsed(ack);
    EXPECT_EQ(parsed.code, "AA") << parsed.text;
    EXPECT_EQ(parsed.control_id, control_id);
    // The applications and facilities swapped, as the sender wrote them.
    const std::string o = letters.o_circumflex, E = letters.E_acute;
    EXPECT_EQ(ack.rfind(fmt::format("MSH|^~\\&|DPI-{0}VRY|SERVICE-P{0}DIATRIE|LABO-G{0}N{0}RAL|"
                                    "H{1}PITAL|",
                                    E, o),
                        0),
              0u)
        << ack;

    const std::filesystem::path delivered = DeliveredFileOf(message);
    ASSERT_FALSE(delivered.empty()) << "not delivered byte for byte\n" << engine_->Log();
    // Stored with its header in UTF-8, whatever the sender's charset.
    const std::string id = delivered.stem().string();
    auto shown = HttpGet(admin_port_, "/v1/messages/" + id, engine_->admin_token());
    ASSERT_TRUE(shown.ok()) << shown.status();
    EXPECT_EQ(shown->first, 200);
    EXPECT_NE(shown->second.find("\"sending_facility\":\"HÔPITAL\""), std::string::npos)
        << shown->second;
    EXPECT_NE(shown->second.find("\"sending_application\":\"LABO-GÉNÉRAL\""), std::string::npos)
        << shown->second;
  }

  std::unique_ptr<MllpClient> client_;
};

TEST_F(HeaderCharsetTest, Latin1AccentedHeaderIsAcceptedRoutedAndDeliveredByteForByte) {
  ExpectAcceptedAndDeliveredByteForByte(kLatin1, "8859/1", "LATIN1-1");
}

TEST_F(HeaderCharsetTest, Utf8AccentedHeaderIsAcceptedRoutedAndDeliveredByteForByte) {
  ExpectAcceptedAndDeliveredByteForByte(kUtf8, "UNICODE UTF-8", "UTF8-1");
}

TEST_F(HeaderCharsetTest, TheRouteComparesTheDecodedFacility) {
  // Without the accent the facility is another one: accepted, not routed.
  const std::string message = AccentedMessage(kLatin1, "8859/1", "PLAIN-1", "HOPITAL");
  EXPECT_EQ(Parsed(Exchange(message)).code, "AA");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto unrouted = StoredControlIds("unrouted");
        return unrouted.size() == 1 && unrouted[0] == "PLAIN-1";
      },
      20s))
      << engine_->Log();
  // And the Latin-1 HÔPITAL next to it is.
  ExpectAcceptedAndDeliveredByteForByte(kLatin1, "8859/1", "LATIN1-2");
}

TEST_F(HeaderCharsetTest, InvalidByteInMsh10IsRefusedAtOnceNamingFieldAndOffset) {
  const std::string message =
      "MSH|^~\\&|LABO|HÔPITAL|DPI|CHU-X|20260101120000||ORU^R01^ORU_R01|BAD\xFF"
      "1|P|2.5|||||FRA|UNICODE UTF-8\r"
      "PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^^^^^L\r";
  const std::string ack = Exchange(message);
  const auto parsed = Parsed(ack);
  EXPECT_EQ(parsed.code, "AR");
  EXPECT_EQ(parsed.condition_code, 102);
  EXPECT_EQ(parsed.text,
            fmt::format("MSH-10 (message control id) is not valid UNICODE UTF-8: byte 0xFF at "
                        "offset {} of the message",
                        message.find('\xFF')));
  EXPECT_NE(ack.find("\rERR||MSH^1^10|102^Data type error^HL70357|E"), std::string::npos) << ack;
  // The same connection goes on, and nothing of the refused one is stored.
  EXPECT_EQ(Parsed(Exchange(AccentedMessage(kUtf8, "UNICODE UTF-8", "AFTER-1"))).code, "AA");
  EXPECT_EQ(StoredControlIds(), std::vector<std::string>{"AFTER-1"});
}

TEST_F(HeaderCharsetTest, ByteAbove7FInMsh18IsRefusedAtOnceNamingTheSupportedSets) {
  const std::string message =
      "MSH|^~\\&|LABO|CHU-X|DPI|CHU-X|20260101120000||ORU^R01^ORU_R01|CS-1|P|2.5|||||FRA|"
      "8859/1\xC9\r"
      "PID|||000123^^^CHU-X&1.2.250.1.71.4.2.2&ISO^PI||PAT-TROIS^DOMINIQUE^^^^^L\r";
  const std::string ack = Exchange(message);
  const auto parsed = Parsed(ack);
  EXPECT_EQ(parsed.code, "AR");
  EXPECT_EQ(parsed.control_id, "CS-1");
  EXPECT_EQ(parsed.condition_code, 103);
  EXPECT_NE(parsed.text.find("(navette reads \"UNICODE UTF-8\", \"8859/1\", \"8859/15\", "
                             "\"ASCII\")"),
            std::string::npos)
      << parsed.text;
  EXPECT_NE(ack.find("\rERR||MSH^1^18|103^Table value not found^HL70357|E"), std::string::npos)
      << ack;
  EXPECT_EQ(Parsed(Exchange(AccentedMessage(kLatin1, "8859/1", "AFTER-2"))).code, "AA");
  EXPECT_EQ(StoredControlIds(), std::vector<std::string>{"AFTER-2"});
}

}  // namespace
}  // namespace navette::testing
