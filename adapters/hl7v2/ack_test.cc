#include "adapters/hl7v2/ack.h"

#include <ctime>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::HasSubstr;
using testing::ReadHl7Fixture;
using ::testing::StartsWith;

// 2024-03-06 11:11:54 in local time, which is how BuildAck writes MSH-7.
std::chrono::system_clock::time_point LocalTime() {
  std::tm local{};
  local.tm_year = 2024 - 1900;
  local.tm_mon = 2;
  local.tm_mday = 6;
  local.tm_hour = 11;
  local.tm_min = 11;
  local.tm_sec = 54;
  local.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

navette::Hl7Header HeaderOf(std::string_view raw) {
  auto view = MessageView::Parse(raw);
  EXPECT_TRUE(view.ok()) << view.status();
  if (!view.ok()) return {};
  auto header = ReadHeader(*view);
  EXPECT_TRUE(header.ok()) << header.status();
  return header.value_or(navette::Hl7Header{});
}

TEST(AckTest, AcceptsWithSwappedApplications) {
  std::string raw = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  navette::Hl7Header original = HeaderOf(raw);
  std::string ack = BuildAck(&original, AckCode::kAA, nullptr, "NAV1", LocalTime());
  EXPECT_EQ(ack,
            "MSH|^~\\&|PFI-X|Organisation-X|SIL-Y|labo|20240306111154||ACK^R01^ACK|NAV1|P|2.5\r"
            "MSA|AA|015\r");
}

TEST(AckTest, ReadsLikeTheCorpusAck) {
  // The ORU sample's own ACK, as the volet shows it.
  auto expected = ParseAck(ReadHl7Fixture("ack_r01.hl7"));
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_EQ(expected->code, "AA");
  EXPECT_EQ(expected->control_id, "015");
  EXPECT_EQ(expected->text, "");
  EXPECT_EQ(expected->condition_code, 0);

  navette::Hl7Header original = HeaderOf(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  std::string ack = BuildAck(&original, AckCode::kAA, nullptr, "016", LocalTime());
  auto ours = ParseAck(ack);
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(ours->code, expected->code);
  EXPECT_EQ(ours->control_id, expected->control_id);
  // Same MSH-3..6 and MSH-9..12 as the corpus ACK.
  auto corpus_header = HeaderOf(ReadHl7Fixture("ack_r01.hl7"));
  auto our_header = HeaderOf(ack);
  EXPECT_EQ(our_header.sending_application(), corpus_header.sending_application());
  EXPECT_EQ(our_header.sending_facility(), corpus_header.sending_facility());
  EXPECT_EQ(our_header.receiving_application(), corpus_header.receiving_application());
  EXPECT_EQ(our_header.receiving_facility(), corpus_header.receiving_facility());
  EXPECT_EQ(our_header.message_type(), corpus_header.message_type());
  EXPECT_EQ(our_header.control_id(), corpus_header.control_id());
  EXPECT_EQ(our_header.processing_id(), corpus_header.processing_id());
  EXPECT_EQ(our_header.version(), corpus_header.version());
}

TEST(AckTest, RefusesWithAnEscapedErrorThatRoundTrips) {
  navette::Hl7Header original = HeaderOf(ReadHl7Fixture("adt_a01_sgl_admission.er7"));
  AckError error{207, "disk full | retry ^ later ~ \\ & soon", ""};
  std::string ack = BuildAck(&original, AckCode::kAE, &error, "NAV2", LocalTime());
  EXPECT_EQ(ack,
            "MSH|^~\\&|DPI|CHU-X|GAM|CHU-X|20240306111154||ACK^A01^ACK|NAV2|D|2.5^FRA^2.11\r"
            "MSA|AE|3975|disk full \\F\\ retry \\S\\ later \\R\\ \\E\\ \\T\\ soon\r"
            "ERR|||207^Application internal error^HL70357|E||||"
            "disk full \\F\\ retry \\S\\ later \\R\\ \\E\\ \\T\\ soon\r");
  auto parsed = ParseAck(ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->code, "AE");
  EXPECT_EQ(parsed->control_id, "3975");
  EXPECT_EQ(parsed->text, error.text);
  EXPECT_EQ(parsed->condition_code, 207);
}

TEST(AckTest, RejectsWithALocation) {
  navette::Hl7Header original;
  original.set_encoding_characters("|^~\\&");
  original.set_message_type("ADT^A01");
  AckError error{101, "MSH-10 (message control id) is empty", "MSH^1^10"};
  std::string ack = BuildAck(&original, AckCode::kAR, &error, "NAV3", LocalTime());
  EXPECT_THAT(ack, HasSubstr("\rMSA|AR||MSH-10 (message control id) is empty\r"));
  EXPECT_THAT(ack, HasSubstr("\rERR||MSH^1^10|101^Required field missing^HL70357|E||||MSH-10"));
  auto parsed = ParseAck(ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->code, "AR");
  EXPECT_EQ(parsed->control_id, "");
  EXPECT_EQ(parsed->condition_code, 101);
}

TEST(AckTest, WritesSeverityAndApplicationError) {
  navette::Hl7Header original;
  original.set_encoding_characters("|^~\\&");
  original.set_message_type("ORU^R01^ORU_R01");
  AckError error{207, "OBX[1]-11 C means replace", "OBX^1^11"};
  error.severity = 'F';
  error.application_error = "906^Autre erreur^applicationErrorCondition";
  std::string ack = BuildAck(&original, AckCode::kAR, &error, "NAV4", LocalTime());
  EXPECT_THAT(ack, HasSubstr("\rERR||OBX^1^11|207^Application internal error^HL70357|F|"
                             "906^Autre erreur^applicationErrorCondition|||OBX[1]-11"));
  auto parsed = ParseAck(ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->location, "OBX^1^11");
  EXPECT_EQ(parsed->severity, "F");
  EXPECT_EQ(parsed->application_code, "906");
}

TEST(AckTest, UsesDefaultsWithoutAnOriginal) {
  AckError error{100, "not an HL7 v2 message", ""};
  std::string ack = BuildAck(nullptr, AckCode::kAR, &error, "NAV4", LocalTime());
  EXPECT_EQ(ack,
            "MSH|^~\\&|||||20240306111154||ACK|NAV4|P|2.5\r"
            "MSA|AR||not an HL7 v2 message\r"
            "ERR|||100^Segment sequence error^HL70357|E||||not an HL7 v2 message\r");
}

TEST(AckTest, KeepsTheOriginalDelimiters) {
  navette::Hl7Header star =
      HeaderOf("MSH*^~\\&*APP*FAC*NAV*H*20240101**ORU^R01^ORU_R01*77*P*2.5\r");
  AckError error{207, "a*b^c", "MSH^1^10"};
  std::string ack = BuildAck(&star, AckCode::kAE, &error, "NAV5", LocalTime());
  EXPECT_THAT(ack, StartsWith("MSH*^~\\&*NAV*H*APP*FAC*20240306111154**ACK^R01^ACK*NAV5*P*2.5\r"));
  EXPECT_THAT(ack, HasSubstr("\rMSA*AE*77*a\\F\\b\\S\\c\r"));
  auto parsed = ParseAck(ack);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, "a*b^c");
  EXPECT_EQ(parsed->control_id, "77");

  navette::Hl7Header odd = HeaderOf("MSH|!@#$|A|B|C|D|20240101||ORU!R01|78|P|2.5\r");
  std::string odd_ack = BuildAck(&odd, AckCode::kAR, &error, "NAV6", LocalTime());
  EXPECT_THAT(odd_ack, StartsWith("MSH|!@#$|C|D|A|B|20240306111154||ACK!R01!ACK|NAV6|"));
  EXPECT_THAT(odd_ack, HasSubstr("\rERR||MSH!1!10|207!Application internal error!HL70357|E||||"
                                 "a*b^c\r"));
  auto odd_parsed = ParseAck(odd_ack);
  ASSERT_TRUE(odd_parsed.ok()) << odd_parsed.status();
  EXPECT_EQ(odd_parsed->condition_code, 207);
  EXPECT_EQ(odd_parsed->text, "a*b^c");

  navette::Hl7Header truncation = HeaderOf("MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|79|P|2.7\r");
  std::string truncation_ack = BuildAck(&truncation, AckCode::kAA, nullptr, "NAV7", LocalTime());
  EXPECT_THAT(truncation_ack, StartsWith("MSH|^~\\&#|C|D|A|B|"));
}

TEST(AckTest, OmitsAnAbsentTriggerEvent) {
  navette::Hl7Header original;
  original.set_message_type("QRY");
  original.set_control_id("5");
  std::string ack = BuildAck(&original, AckCode::kAA, nullptr, "NAV8", LocalTime());
  EXPECT_THAT(ack, HasSubstr("||ACK|NAV8|P|2.5\r"));
}

TEST(AckTest, WritesMsh7InLocalTime) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  char expected[16];
  std::strftime(expected, sizeof expected, "%Y%m%d%H%M%S", &local);
  auto header = HeaderOf(BuildAck(nullptr, AckCode::kAA, nullptr, "N", now));
  EXPECT_EQ(header.message_datetime(), expected);
}

TEST(AckTest, NamesTable0357Codes) {
  EXPECT_EQ(ConditionCodeName(100), "Segment sequence error");
  EXPECT_EQ(ConditionCodeName(101), "Required field missing");
  EXPECT_EQ(ConditionCodeName(102), "Data type error");
  EXPECT_EQ(ConditionCodeName(103), "Table value not found");
  EXPECT_EQ(ConditionCodeName(200), "Unsupported message type");
  EXPECT_EQ(ConditionCodeName(201), "Unsupported event code");
  EXPECT_EQ(ConditionCodeName(203), "Unsupported version id");
  EXPECT_EQ(ConditionCodeName(207), "Application internal error");
  EXPECT_EQ(ConditionCodeName(999), "");
}

TEST(AckTest, ParsesAV23ErrorSegment) {
  auto parsed = ParseAck(
      "MSH|^~\\&|A|B|C|D|20240101||ACK|9|P|2.3\rMSA|AE|123|Bad thing\r"
      "ERR|MSH^1^10^207&Application internal error\r");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, "Bad thing");
  EXPECT_EQ(parsed->condition_code, 207);
}

TEST(AckTest, TakesTheTextFromErr8WithoutMsa3) {
  auto parsed = ParseAck(
      "MSH|^~\\&|A|B|C|D|20240101||ACK|9|P|2.5\rMSA|AR|123\r"
      "ERR||PID^1^3|101^Required field missing^HL70357|E||||PID-3 \\T\\ co\r");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, "PID-3 & co");
  EXPECT_EQ(parsed->condition_code, 101);
}

TEST(AckTest, RefusesWhatIsNotAnAck) {
  auto oru = ParseAck(ReadHl7Fixture("oru_r01_cr_bio_init.hl7"));
  ASSERT_FALSE(oru.ok());
  EXPECT_THAT(oru.status().message(), HasSubstr("not an acknowledgement"));
  EXPECT_THAT(oru.status().message(), HasSubstr("ORU^R01^ORU_R01"));
  EXPECT_FALSE(ParseAck("").ok());
  EXPECT_FALSE(ParseAck("hello").ok());
  EXPECT_FALSE(ParseAck("MSH|^~\\&|A|B|C|D|20240101||ACK|9|P|2.5\rMSA||123\r").ok());
}

}  // namespace
}  // namespace navette::adapters::hl7v2
