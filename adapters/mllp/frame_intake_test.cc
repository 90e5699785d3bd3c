#include "adapters/mllp/frame_intake.h"

#include <set>
#include <vector>

#include <fmt/format.h>

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

  auto accepted = hl7v2::ParseAck(PublishAck(header, "UNICODE UTF-8", absl::OkStatus()));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->code, "AA");
  EXPECT_EQ(accepted->control_id, "3975");

  std::string failed_ack =
      PublishAck(header, "UNICODE UTF-8", absl::UnavailableError("rocksdb: IO error"));
  EXPECT_THAT(failed_ack, ::testing::Not(HasSubstr("rocksdb")));
  auto failed = hl7v2::ParseAck(failed_ack);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->code, "AE");
  EXPECT_EQ(failed->control_id, "3975");
  EXPECT_EQ(failed->condition_code, 207);
  EXPECT_EQ(failed->text, "message could not be stored; send it again");

  // Intake paused: AE with the engine's words, which say to send it later.
  auto paused = hl7v2::ParseAck(PublishAck(
      header, "UNICODE UTF-8", absl::ResourceExhaustedError("intake paused; send it later")));
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_EQ(paused->code, "AE");
  EXPECT_EQ(paused->control_id, "3975");
  EXPECT_EQ(paused->condition_code, 207);
  EXPECT_EQ(paused->text, "intake paused; send it later");

  // Refused for good by the engine: AR with the engine's reason.
  auto refused = hl7v2::ParseAck(
      PublishAck(header, "UNICODE UTF-8", absl::InvalidArgumentError("the engine cannot read it")));
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->code, "AR");
  EXPECT_EQ(refused->control_id, "3975");
  EXPECT_EQ(refused->condition_code, 207);
  EXPECT_EQ(refused->text, "the engine cannot read it");
}

// A header with accented MSH-3..6 and MSH-10, in `charset` bytes: "É" and
// "Ô" are given in the message's own encoding.
std::string AccentedMessage(std::string_view e_acute, std::string_view o_circumflex,
                            std::string_view msh18) {
  return fmt::format(
      "MSH|^~\\&|LABO-G{0}N{0}RAL|H{1}PITAL|DPI-{0}VRY|SERVICE-P{0}DIATRIE|20260101||ORU^R01|"
      "ID-{0}1|P|2.5|||||FRA|{2}\rPID|||1\r",
      e_acute, o_circumflex, msh18);
}

// The envelope goes on the bus as a proto3 record: it must read back.
void ExpectReadableOnTheBus(const navette::Envelope& envelope) {
  navette::Envelope parsed;
  EXPECT_TRUE(parsed.ParseFromString(envelope.SerializeAsString()));
  EXPECT_EQ(parsed.hl7().sending_facility(), envelope.hl7().sending_facility());
}

TEST(FrameIntakeTest, DecodesALatin1HeaderToUtf8AndKeepsTheBytes) {
  const std::string raw = AccentedMessage("\xC9", "\xD4", "8859/1");
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken)) << std::get<Refusal>(taken).reason;
  const auto& envelope = std::get<navette::Envelope>(taken);
  EXPECT_EQ(envelope.raw(), raw);
  EXPECT_EQ(envelope.charset(), "8859/1");
  EXPECT_EQ(envelope.hl7().sending_application(), "LABO-GÉNÉRAL");
  EXPECT_EQ(envelope.hl7().sending_facility(), "HÔPITAL");
  EXPECT_EQ(envelope.hl7().receiving_application(), "DPI-ÉVRY");
  EXPECT_EQ(envelope.hl7().receiving_facility(), "SERVICE-PÉDIATRIE");
  EXPECT_EQ(envelope.hl7().control_id(), "ID-É1");
  ExpectReadableOnTheBus(envelope);
}

TEST(FrameIntakeTest, DecodesWithTheSourceDefaultWhenMsh18IsEmpty) {
  // Origin() declares 8859/15, where 0xA4 is the euro sign.
  const std::string raw = "MSH|^~\\&|CAISSE-\xA4|H\xD4PITAL|C|D|20240101||ADT^A01|7|P|2.5\r";
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken)) << std::get<Refusal>(taken).reason;
  const auto& envelope = std::get<navette::Envelope>(taken);
  EXPECT_EQ(envelope.charset(), "8859/15");
  EXPECT_EQ(envelope.hl7().sending_application(), "CAISSE-€");
  EXPECT_EQ(envelope.hl7().sending_facility(), "HÔPITAL");
  ExpectReadableOnTheBus(envelope);
}

TEST(FrameIntakeTest, KeepsAUtf8HeaderAsItIs) {
  const std::string raw = AccentedMessage("É", "Ô", "UNICODE UTF-8");
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken)) << std::get<Refusal>(taken).reason;
  const auto& envelope = std::get<navette::Envelope>(taken);
  EXPECT_EQ(envelope.raw(), raw);
  EXPECT_EQ(envelope.hl7().sending_facility(), "HÔPITAL");
  EXPECT_EQ(envelope.hl7().receiving_facility(), "SERVICE-PÉDIATRIE");
  ExpectReadableOnTheBus(envelope);
}

TEST(FrameIntakeTest, RefusesAHeaderFieldNotValidInTheCharsetNamingFieldAndOffset) {
  // MSH-10 of a UTF-8 message holds 0xFF, which UTF-8 never uses.
  const std::string raw =
      "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|SECRET\xFF|P|2.5|||||FRA|UNICODE UTF-8\rPID|||1\r";
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_EQ(refusal.kind, "bad_encoding");
  EXPECT_EQ(refusal.reason,
            fmt::format("MSH-10 (message control id) is not valid UNICODE UTF-8: byte 0xFF at "
                        "offset {} of the message",
                        raw.find('\xFF')));
  EXPECT_THAT(refusal.reason, ::testing::Not(HasSubstr("SECRET")));
  EXPECT_THAT(refusal.ack, HasSubstr("\rERR||MSH^1^10|102^Data type error^HL70357|E"));
  auto ack = AckOf(refusal);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.condition_code, 102);
  EXPECT_EQ(ack.control_id, "SECRET\xFF");  // the sender's own bytes, to match its message
}

TEST(FrameIntakeTest, RefusesAnInvalidByteInEveryHeaderFieldAtItsLocation) {
  for (int field : {3, 4, 5, 6, 7, 9, 10, 11, 12}) {
    std::vector<std::string> fields = {"MSH",      "^~\\&", "A",       "B", "C", "D",
                                       "20240101", "",      "ORU^R01", "7", "P", "2.5",
                                       "",         "",      "",        "",  "",  "ASCII"};
    fields[field - 1] += "\xE9";
    std::string raw = fields[0];
    for (size_t i = 1; i < fields.size(); ++i) raw += "|" + fields[i];
    auto taken = TakeFrame(Frame(raw + "\r"), Origin());
    ASSERT_TRUE(std::holds_alternative<Refusal>(taken)) << "MSH-" << field;
    const auto& refusal = std::get<Refusal>(taken);
    EXPECT_EQ(refusal.kind, "bad_encoding");
    EXPECT_THAT(refusal.reason, StartsWith(fmt::format("MSH-{} (", field)));
    EXPECT_THAT(refusal.reason, HasSubstr(fmt::format("offset {} ", raw.find('\xE9'))));
    EXPECT_THAT(refusal.ack, HasSubstr(fmt::format("\rERR||MSH^1^{}|102^", field)));
  }
}

TEST(FrameIntakeTest, RefusesACharsetItDoesNotReadNamingTheSupportedOnes) {
  for (std::string msh18 : {"8859/1\xC9", "8859/2", "UTF-8"}) {
    const std::string raw =
        "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|CS-1|P|2.5|||||FRA|" + msh18 + "\rPID|||1\r";
    auto taken = TakeFrame(Frame(raw), Origin());
    ASSERT_TRUE(std::holds_alternative<Refusal>(taken)) << msh18;
    const auto& refusal = std::get<Refusal>(taken);
    EXPECT_EQ(refusal.kind, "bad_charset");
    EXPECT_THAT(refusal.reason, StartsWith("MSH-18 (character set): character set "));
    EXPECT_THAT(refusal.reason, HasSubstr("(navette reads \"UNICODE UTF-8\", \"8859/1\", "
                                          "\"8859/15\", \"ASCII\")"));
    EXPECT_THAT(refusal.ack, HasSubstr("\rERR||MSH^1^18|103^Table value not found^HL70357|E"));
    auto ack = AckOf(refusal);
    EXPECT_EQ(ack.code, "AR");
    EXPECT_EQ(ack.control_id, "CS-1");
    EXPECT_EQ(ack.condition_code, 103);
  }
}

TEST(FrameIntakeTest, AnUnusableDefaultCharsetIsTheConfigurationsFaultNotTheMessages) {
  FrameOrigin origin = Origin();
  origin.default_charset = "latin1";
  auto taken = TakeFrame(Frame("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|7|P|2.5\r"), origin);
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_EQ(refusal.kind, "bad_charset");
  EXPECT_THAT(refusal.reason, StartsWith("MSH-18 is empty and the source's default_charset is "
                                         "unusable: character set \"latin1\" is not supported"));
  auto ack = AckOf(refusal);
  EXPECT_EQ(ack.code, "AE");  // to be sent again once the configuration is fixed
  EXPECT_EQ(ack.condition_code, 207);
}

TEST(FrameIntakeTest, AcknowledgesALatin1MessageInLatin1) {
  const std::string raw = AccentedMessage("\xC9", "\xD4", "8859/1");
  auto taken = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken));
  const auto& envelope = std::get<navette::Envelope>(taken);
  std::string ack = PublishAck(envelope.hl7(), envelope.charset(), absl::OkStatus());
  // The applications swapped and MSA-2, in the sender's own bytes.
  EXPECT_THAT(ack, StartsWith("MSH|^~\\&|DPI-\xC9VRY|SERVICE-P\xC9"
                              "DIATRIE|LABO-G\xC9N\xC9RAL|H\xD4PITAL|"));
  EXPECT_THAT(ack, HasSubstr("\rMSA|AA|ID-\xC9"
                             "1\r"));
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

namespace navette::adapters::mllp {
namespace {

constexpr std::string_view kFullOru =
    "corpus/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Remplacement_ORU/"
    "message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7";

FrameOrigin DocumentOrigin() {
  FrameOrigin origin = Origin();
  origin.profile = documents::Profile::kSgl;
  return origin;
}

// Under a profile, a conforming message carries its record.
TEST(FrameIntakeTest, AProfileFillsTheDocument) {
  std::string raw = hl7v2::testing::ReadHl7Fixture(kFullOru);
  auto taken = TakeFrame(Frame(raw), DocumentOrigin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken));
  const auto& envelope = std::get<navette::Envelope>(taken);
  EXPECT_EQ(envelope.raw(), raw);
  ASSERT_TRUE(envelope.has_document());
  EXPECT_EQ(envelope.document().profile(), "sgl");
  EXPECT_EQ(envelope.document().action(), navette::document::REPLACE);
  EXPECT_EQ(envelope.document().parts_size(), 2);

  // Without a profile the same message is published unread.
  auto unread = TakeFrame(Frame(raw), Origin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(unread));
  EXPECT_FALSE(std::get<navette::Envelope>(unread).has_document());
}

// Under a profile, the messages the contract does not cover (the DPI's
// PAM-FR ADT on the same connection) pass unread, without a record.
TEST(FrameIntakeTest, AProfileTakesOtherMessagesUnread) {
  const std::string adt = hl7v2::testing::ReadHl7Fixture("identity_walkthrough_a28.hl7");
  auto taken = TakeFrame(Frame(adt), DocumentOrigin());
  ASSERT_TRUE(std::holds_alternative<navette::Envelope>(taken));
  EXPECT_FALSE(std::get<navette::Envelope>(taken).has_document());
  // An ORU or MDM whose event the contract does not take is still refused.
  std::string oru = hl7v2::testing::ReadHl7Fixture(kFullOru);
  const size_t type = oru.find("ORU^R01^ORU_R01");
  ASSERT_NE(type, std::string::npos);
  oru.replace(type, 15, "ORU^R30^ORU_R30");
  EXPECT_TRUE(std::holds_alternative<Refusal>(TakeFrame(Frame(oru), DocumentOrigin())));
}

// Under a profile, a violation is refused at once with its ERR.
TEST(FrameIntakeTest, AProfileRefusesAContractViolation) {
  std::string raw = hl7v2::testing::ReadHl7Fixture(kFullOru);
  size_t orc = raw.find("ORC|RO|");
  ASSERT_NE(orc, std::string::npos);
  raw.replace(orc, 7, "ORC|NW|");
  auto taken = TakeFrame(Frame(raw), DocumentOrigin());
  ASSERT_TRUE(std::holds_alternative<Refusal>(taken));
  const auto& refusal = std::get<Refusal>(taken);
  EXPECT_EQ(refusal.kind, "contract");
  EXPECT_EQ(refusal.control_id, "015");
  EXPECT_THAT(refusal.reason, HasSubstr("OBX[1]-11 (result status) C means replace"));
  EXPECT_THAT(refusal.reason, HasSubstr("and 1 more"));
  hl7v2::AckResult ack = AckOf(refusal);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "015");
  EXPECT_EQ(ack.condition_code, 207);
  EXPECT_EQ(ack.location, "OBX^1^11");
  EXPECT_EQ(ack.application_code, "906");
  // Without a profile nothing is read: the message passes.
  EXPECT_TRUE(std::holds_alternative<navette::Envelope>(TakeFrame(Frame(raw), Origin())));
}

}  // namespace
}  // namespace navette::adapters::mllp
