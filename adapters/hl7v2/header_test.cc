#include "adapters/hl7v2/header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::hl7v2 {
namespace {

using testing::ReadHl7Fixture;

absl::StatusOr<navette::Hl7Header> HeaderOf(std::string_view raw) {
  auto view = MessageView::Parse(raw);
  if (!view.ok()) return view.status();
  return ReadHeader(*view);
}

TEST(HeaderTest, ReadsTheOruSample) {
  std::string raw = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  auto header = HeaderOf(raw);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->message_type(), "ORU^R01^ORU_R01");
  EXPECT_EQ(header->control_id(), "015");
  EXPECT_EQ(header->sending_application(), "SIL-Y");
  EXPECT_EQ(header->sending_facility(), "labo");
  EXPECT_EQ(header->receiving_application(), "PFI-X");
  EXPECT_EQ(header->receiving_facility(), "Organisation-X");
  EXPECT_EQ(header->message_datetime(), "202106060931");
  EXPECT_EQ(header->processing_id(), "P");
  EXPECT_EQ(header->version(), "2.5");
  EXPECT_EQ(header->encoding_characters(), "|^~\\&");
}

TEST(HeaderTest, ReadsEveryCorpusSample) {
  struct Expected {
    const char* file;
    const char* message_type;
    const char* control_id;
    const char* version;
    const char* processing_id;
  };
  for (const Expected& expected : {
           Expected{"ack_r01.hl7", "ACK^R01^ACK", "016", "2.5", "P"},
           Expected{"adt_a01_sgl_admission.er7", "ADT^A01^ADT_A01", "3975", "2.5^FRA^2.11", "D"},
           Expected{"mdm_t02_cr_radio_init.er7", "MDM^T02^MDM_T02", "015", "2.6", "P"},
           Expected{"zam_z01_reception_dmp.hl7", "ZAM^Z01^ZAM_Z01", "017", "2.6", "P"},
       }) {
    std::string raw = ReadHl7Fixture(expected.file);
    auto header = HeaderOf(raw);
    ASSERT_TRUE(header.ok()) << expected.file << ": " << header.status();
    EXPECT_EQ(header->message_type(), expected.message_type) << expected.file;
    EXPECT_EQ(header->control_id(), expected.control_id) << expected.file;
    EXPECT_EQ(header->version(), expected.version) << expected.file;
    EXPECT_EQ(header->processing_id(), expected.processing_id) << expected.file;
  }
}

TEST(HeaderTest, ReadsTheCharset) {
  std::string raw = ReadHl7Fixture("adt_a01_sgl_admission.er7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(ReadCharset(*view), "UNICODE UTF-8");

  auto without = MessageView::Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\r");
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(ReadCharset(*without), "");
  auto repeated = MessageView::Parse(
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5||||||8859/15~UNICODE UTF-8\r");
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(ReadCharset(*repeated), "8859/15");
}

TEST(HeaderTest, KeepsUnusualDelimiters) {
  auto header = HeaderOf("MSH*!@#$*APP!1*FAC*R*RF*20240101**ORU!R01*42*T*2.5\r");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->encoding_characters(), "*!@#$");
  EXPECT_EQ(header->message_type(), "ORU!R01");
  EXPECT_EQ(header->sending_application(), "APP!1");
  EXPECT_EQ(header->control_id(), "42");
}

TEST(HeaderTest, RequiresTheMessageType) {
  auto view = MessageView::Parse("MSH|^~\\&|A|B|C|D|20240101|||1|P|2.5\r");
  ASSERT_TRUE(view.ok());
  std::string location;
  auto header = ReadHeader(*view, &location);
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message(), "MSH-9 (message type) is empty");
  EXPECT_EQ(location, "MSH^1^9");
}

TEST(HeaderTest, RequiresTheControlId) {
  for (std::string_view raw :
       {"MSH|^~\\&|A|B|C|D|20240101||ADT^A01||P|2.5\r", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01\r"}) {
    auto view = MessageView::Parse(raw);
    ASSERT_TRUE(view.ok());
    std::string location;
    auto header = ReadHeader(*view, &location);
    ASSERT_FALSE(header.ok()) << raw;
    EXPECT_EQ(header.status().message(), "MSH-10 (message control id) is empty");
    EXPECT_EQ(location, "MSH^1^10");
  }
}

TEST(HeaderTest, ReadsAnIncompleteHeaderForARefusal) {
  auto view = MessageView::Parse("MSH*!@#$*APP*FAC*RCV*RFAC*20240101**ADT!A01\r");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_FALSE(ReadHeader(*view).ok());
  navette::Hl7Header header = ReadHeaderFields(*view);
  EXPECT_EQ(header.sending_application(), "APP");
  EXPECT_EQ(header.receiving_facility(), "RFAC");
  EXPECT_EQ(header.message_type(), "ADT!A01");
  EXPECT_EQ(header.control_id(), "");
  EXPECT_EQ(header.encoding_characters(), "*!@#$");
}

}  // namespace
}  // namespace navette::adapters::hl7v2
