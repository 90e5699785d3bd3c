#include "adapters/mllp/frame_intake.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/test_fixtures.h"
#include "adapters/mllp/ack_control_id.h"
#include "adapters/mllp/client.h"

namespace navette::adapters::mllp {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

const std::chrono::system_clock::time_point kReceivedAt =
    std::chrono::system_clock::time_point(std::chrono::microseconds(1709719914123456));

FrameOrigin Origin() { return FrameOrigin{"sgl", "10.0.0.7:40122", "8859/15", 1024, kReceivedAt}; }

DecoderEvent Frame(std::string content) {
  DecoderEvent event;
  event.kind = DecoderEvent::kFrame;
  event.total_bytes = content.size();
  event.content = std::move(content);
  return event;
}

hl7v2::AckResult AckOf(const Refusal& refusal) {
  auto ack = hl7v2::ParseAck(refusal.ack);
  EXPECT_TRUE(ack.ok()) << ack.status();
  return ack.value_or(hl7v2::AckResult{});
}

TEST(FrameIntakeTest, FillsTheEnvelope) {
  std::string raw =
      NormalizeSegmentTerminators(hl7v2::testing::ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken));
  const auto& envelope = std::get<navette::Envelope>(taken);
  EXPECT_EQ(envelope.source(), "sgl");
  EXPECT_EQ(envelope.received_at_us(), 1709719914123456);
  EXPECT_EQ(envelope.raw(), raw);
  EXPECT_EQ(envelope.content_type(), "application/hl7-v2");
  EXPECT_EQ(envelope.charset(), "UNICODE UTF-8");
  EXPECT_EQ(envelope.peer(), "10.0.0.7:40122");
  EXPECT_EQ(envelope.hl7().control_id(), "015");
  EXPECT_EQ(envelope.hl7().message_type(), "ORU^R01^ORU_R01");
  EXPECT_EQ(envelope.hl7().sending_application(), "SIL-Y");
}

TEST(FrameIntakeTest, FallsBackToTheDefaultCharset) {
  auto taken = TakeFrame(Frame("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|7|P|2.5\r"), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken));
  EXPECT_EQ(std::get<navette::Envelope>(taken).charset(), "8859/15");
}

TEST(FrameIntakeTest, RefusesAnEmptyMessage) {
  for (std::string content : {"", "\r", "\r\n\r\n"}) {
    auto taken = TakeFrame(Frame(content), Origin());
    ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
    const auto& refusal = std::get<Refusal>(taken);
    EXPECT_EQ(refusal.reason, "empty message: no MSH segment");
    EXPECT_EQ(refusal.kind, "empty");
    auto ack = AckOf(refusal);
    EXPECT_EQ(ack.code, "AR");
    EXPECT_EQ(ack.condition_code, 100);
    EXPECT_EQ(ack.text, "empty message: no MSH segment");
  }
}

TEST(FrameIntakeTest, RefusesWhatIsNotHl7) {
  auto taken = TakeFrame(Frame("{\"resourceType\": \"Patient\"}"), Origin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_THAT(refusal.reason, HasSubstr("must start with \"MSH\""));
  EXPECT_EQ(refusal.kind, "not_hl7");
  EXPECT_EQ(refusal.control_id, "");
  EXPECT_THAT(refusal.ack, StartsWith("MSH|^~\\&|"));
  auto ack = AckOf(refusal);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "");
  EXPECT_EQ(ack.condition_code, 100);
  EXPECT_EQ(ack.text, refusal.reason);
}

TEST(FrameIntakeTest, RefusesAMissingControlIdPointingAtIt) {
  auto taken = TakeFrame(Frame("MSH*^~\\&*APP*FAC*NAV*H*20240101**ADT^A01**P*2.5\r"), Origin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_EQ(refusal.reason, "MSH-10 (message control id) is empty");
  EXPECT_EQ(refusal.kind, "bad_header");
  // The refusal still answers in the message's delimiters, applications swapped.
  EXPECT_THAT(refusal.ack, StartsWith("MSH*^~\\&*NAV*H*APP*FAC*"));
  EXPECT_THAT(refusal.ack, HasSubstr("\rERR**MSH^1^10*101^Required field missing^HL70357*E"));
  EXPECT_EQ(AckOf(refusal).condition_code, 101);
}

TEST(FrameIntakeTest, RefusesAnOversizeMessageWithItsControlId) {
  DecoderEvent event;
  event.kind = DecoderEvent::kOversize;
  event.content = "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|OVER1|P|2.5\rOBX|1|ED|xxxxxxxx";
  event.total_bytes = 5000;
  auto taken = TakeFrame(event, Origin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_EQ(refusal.reason, "message of 5000 bytes exceeds the limit of 1024 bytes");
  EXPECT_EQ(refusal.kind, "too_large");
  EXPECT_EQ(refusal.control_id, "OVER1");
  auto ack = AckOf(refusal);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "OVER1");
  EXPECT_EQ(ack.condition_code, 207);
  EXPECT_EQ(ack.text, refusal.reason);
}

TEST(FrameIntakeTest, IgnoresAnOversizeHeaderCutBeforeItsEnd) {
  DecoderEvent event;
  event.kind = DecoderEvent::kOversize;
  event.content = "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|OVER";  // MSH-10 may be cut
  event.total_bytes = 5000;
  auto taken = TakeFrame(event, Origin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  EXPECT_EQ(std::get<Refusal>(taken).control_id, "");
  EXPECT_EQ(AckOf(std::get<Refusal>(taken)).control_id, "");
}

TEST(FrameIntakeTest, AcknowledgesAPublish) {
  navette::Hl7Header header;
  header.set_encoding_characters("|^~\\&");
  header.set_message_type("ADT^A01^ADT_A01");
  header.set_control_id("3975");
  header.set_sending_application("GAM");

  auto accepted = hl7v2::ParseAck(PublishAck(header, absl::OkStatus()));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->code, "AA");
  EXPECT_EQ(accepted->control_id, "3975");

  std::string failed_ack = PublishAck(header, absl::UnavailableError("rocksdb: IO error"));
  EXPECT_THAT(failed_ack, ::testing::Not(HasSubstr("rocksdb")));
  auto failed = hl7v2::ParseAck(failed_ack);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->code, "AE");
  EXPECT_EQ(failed->control_id, "3975");
  EXPECT_EQ(failed->condition_code, 207);
  EXPECT_EQ(failed->text, "message could not be stored; send it again");
}

TEST(AckControlIdTest, IsUniqueAndFitsMsh10) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NextAckControlId();
    EXPECT_THAT(id, MatchesRegex("NAV[0-9]+"));
    EXPECT_LE(id.size(), 20u);
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

}  // namespace
}  // namespace navette::adapters::mllp
