// Acceptance: bad input on one connection gets the right answer (AR/AE with
// ERR, or a closed connection for framing garbage), is logged with its
// reason, stores nothing, and never disturbs the other connections.
#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/hl7v2/ack.h"
#include "adapters/mllp/client.h"
#include "adapters/mllp/frame.h"
#include "tests/support/engine_config.h"
#include "tests/support/engine_process.h"
#include "tests/support/hl7_samples.h"

namespace navette::testing {
namespace {

using adapters::mllp::MllpClient;
using namespace std::chrono_literals;

constexpr size_t kMaxMessageBytes = 4096;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("navette-bad-input");
    admin_port_ = FreePort();
    mllp_port_ = FreePort();
    engine_ = std::make_unique<EngineProcess>(
        dir_, FileEngineConfig(admin_port_, mllp_port_, "  - { name: all, to: [outbox] }\n",
                               fmt::format(", max_message_bytes: {}", kMaxMessageBytes)));
    ASSERT_TRUE(engine_->Start().ok()) << engine_->Log();
    bystander_ = Connect();
  }
  void TearDown() override {
    EXPECT_TRUE(engine_->Stop().ok());
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<MllpClient> Connect() {
    auto client = MllpClient::Connect("127.0.0.1", mllp_port_, 5s);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }
  adapters::hl7v2::AckResult Exchange(MllpClient& client, const std::string& message) {
    auto ack = client.Exchange(message, 10s);
    EXPECT_TRUE(ack.ok()) << ack.status();
    auto parsed = adapters::hl7v2::ParseAck(ack.ok() ? *ack : "");
    EXPECT_TRUE(parsed.ok()) << (ack.ok() ? *ack : "");
    return parsed.ok() ? *parsed : adapters::hl7v2::AckResult{};
  }
  // The connection opened before the bad input still gets AA afterwards.
  void ExpectBystanderServed() {
    const std::string control_id = fmt::format("GOOD-{}", ++good_);
    EXPECT_EQ(Exchange(*bystander_, MakeOru(control_id)).code, "AA");
  }
  // Every message stored is one of the good ones.
  void ExpectOnlyGoodMessagesStored(int extra_good = 0) {
    auto listed = HttpGet(admin_port_, "/v1/messages?limit=1000", engine_->admin_token());
    ASSERT_TRUE(listed.ok());
    size_t count = 0;
    for (size_t pos = 0; (pos = listed->second.find("\"control_id\":", pos)) != std::string::npos;
         ++pos) {
      ++count;
    }
    EXPECT_EQ(count, static_cast<size_t>(good_ + extra_good)) << listed->second;
    EXPECT_EQ(listed->second.find("BAD"), std::string::npos) << listed->second;
  }
  bool LogSays(const std::string& text) {
    return WaitFor([&] { return engine_->Log().find(text) != std::string::npos; }, 5s);
  }

  std::filesystem::path dir_;
  uint16_t admin_port_ = 0, mllp_port_ = 0;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<MllpClient> bystander_;
  int good_ = 0;
};

TEST_F(BadInputTest, BytesBeforeStartBlockCloseTheConnection) {
  auto client = Connect();
  ASSERT_TRUE(client->SendRaw("GARBAGE" + adapters::mllp::EncodeFrame(MakeOru("BAD-1"))).ok());
  EXPECT_TRUE(client->PeerClosed(5s));
  EXPECT_TRUE(LogSays("closing connection"));
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored();
}

TEST_F(BadInputTest, FrameTruncatedByCloseStoresNothing) {
  auto client = Connect();
  const std::string frame = adapters::mllp::EncodeFrame(MakeOru("BAD-2"));
  ASSERT_TRUE(client->SendRaw(frame.substr(0, frame.size() / 2)).ok());
  client.reset();  // close mid-frame
  EXPECT_TRUE(LogSays("frame truncated"));
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored();
}

TEST_F(BadInputTest, OversizedFrameIsRejectedAndTheConnectionStaysUsable) {
  auto client = Connect();
  std::string big = MakeOru("BAD-3");
  big.insert(big.size() - 1, std::string(2 * kMaxMessageBytes, 'x'));
  auto ack = Exchange(*client, big);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "BAD-3");  // read from the retained prefix
  EXPECT_NE(ack.text.find("exceeds"), std::string::npos) << ack.text;
  EXPECT_TRUE(LogSays("BAD-3"));
  // Same connection, next message: accepted.
  EXPECT_EQ(Exchange(*client, MakeOru("GOOD-OVERSIZE")).code, "AA");
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored(1);
}

TEST_F(BadInputTest, PayloadThatIsNotHl7IsRejectedWithErr) {
  auto client = Connect();
  auto ack = client->Exchange("{\"not\": \"hl7\"}", 10s);
  ASSERT_TRUE(ack.ok());
  EXPECT_NE(ack->find("MSA|AR|"), std::string::npos) << *ack;
  EXPECT_NE(ack->find("\rERR|"), std::string::npos) << *ack;
  auto parsed = adapters::hl7v2::ParseAck(*ack);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->condition_code, 100);
  EXPECT_TRUE(LogSays("refused message"));
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored();
}

TEST_F(BadInputTest, EmptyMessageIsRejected) {
  auto client = Connect();
  auto ack = Exchange(*client, "");
  EXPECT_EQ(ack.code, "AR");
  EXPECT_NE(ack.text.find("empty"), std::string::npos) << ack.text;
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored();
}

TEST_F(BadInputTest, MissingControlIdIsRejectedNamingTheField) {
  auto client = Connect();
  auto ack = Exchange(*client, "MSH|^~\\&|A|B|C|D|20260101||ORU^R01||P|2.5\rPID|||1\r");
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.condition_code, 101);
  EXPECT_NE(ack.text.find("MSH-10"), std::string::npos) << ack.text;
  ExpectOnlyGoodMessagesStored();
}

// Issue 11, point 5: a sender's control characters never reach the log raw
// (ESC could recolour an operator's terminal): the refusal quotes MSH-10
// escaped.
TEST_F(BadInputTest, ControlCharactersFromTheSenderAreEscapedInTheLog) {
  const std::string control_id = "BAD\x1B[2J\x07";
  const std::string escaped = "BAD\\x1B[2J\\x07";
  std::string refused = MakeOru(control_id);
  refused.replace(refused.find("UNICODE UTF-8"), 13, "KOI8-R");
  auto client = Connect();
  EXPECT_EQ(Exchange(*client, refused).code, "AR");
  EXPECT_TRUE(LogSays("(MSH-10 " + escaped + ")")) << engine_->Log();
  const std::string log = engine_->Log();
  EXPECT_EQ(log.find('\x1B'), std::string::npos);
  EXPECT_EQ(log.find('\x07'), std::string::npos);
  ExpectBystanderServed();
  ExpectOnlyGoodMessagesStored();
}

TEST_F(BadInputTest, UnusualButLegalEncodingCharactersAreAccepted) {
  auto client = Connect();
  // v2.7 truncation character as a fifth encoding character.
  auto truncation = client->Exchange(
      "MSH|^~\\&#|A|B|C|D|20260101||ORU^R01|GOOD-ENC-1|P|2.7\rPID|||1^^^X&1.2&ISO^PI\r", 10s);
  ASSERT_TRUE(truncation.ok());
  EXPECT_EQ(truncation->rfind("MSH|^~\\&#|C|D|A|B|", 0), 0u) << *truncation;
  EXPECT_NE(truncation->find("MSA|AA|GOOD-ENC-1"), std::string::npos) << *truncation;
  // Every delimiter changed.
  auto exotic = client->Exchange(
      "MSH*:!$%*A*B*C*D*20260101**ORU:R01*GOOD-ENC-2*P*2.5\rPID***1:::X%1.2%ISO:PI\r", 10s);
  ASSERT_TRUE(exotic.ok());
  EXPECT_EQ(exotic->rfind("MSH*:!$%*C*D*A*B*", 0), 0u) << *exotic;
  EXPECT_NE(exotic->find("MSA*AA*GOOD-ENC-2"), std::string::npos) << *exotic;
  ExpectOnlyGoodMessagesStored(2);
}

}  // namespace
}  // namespace navette::testing
