#include "adapters/hl7v2/message_view.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using testing::Path;
using testing::ReadHl7Fixture;

std::vector<std::string> All(const MessageView& view, std::string_view path) {
  std::vector<std::string> values;
  view.ForEach(Path(path), [&values](std::string_view value) {
    values.emplace_back(value);
    return true;
  });
  return values;
}

std::vector<std::string> SegmentIds(const MessageView& view) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < view.segment_count(); ++i) ids.emplace_back(view.segment(i).id);
  return ids;
}

TEST(MessageViewTest, ParsesTheCorpusSamples) {
  struct Sample {
    const char* file;
    size_t segments;
    const char* last_id;
  };
  for (const Sample& sample :
       {Sample{"oru_r01_cr_bio_init.hl7", 22, "OBX"}, Sample{"ack_r01.hl7", 2, "MSA"},
        Sample{"adt_a01_sgl_admission.er7", 6, "ZFA"},
        Sample{"mdm_t02_cr_radio_init.er7", 21, "OBX"},
        Sample{"zam_z01_reception_dmp.hl7", 4, "ERR"}}) {
    std::string raw = ReadHl7Fixture(sample.file);
    auto view = MessageView::Parse(raw);
    ASSERT_TRUE(view.ok()) << sample.file << ": " << view.status();
    EXPECT_EQ(view->segment_count(), sample.segments) << sample.file;
    EXPECT_EQ(view->segment(0).id, "MSH") << sample.file;
    EXPECT_EQ(view->segment(view->segment_count() - 1).id, sample.last_id) << sample.file;
    EXPECT_EQ(view->delimiters(), Delimiters{}) << sample.file;
  }
}

TEST(MessageViewTest, SegmentsKnowTheirTextAndOffset) {
  std::string raw = ReadHl7Fixture("adt_a01_sgl_admission.er7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(SegmentIds(*view), ElementsAre("MSH", "EVN", "PID", "PV1", "ZBE", "ZFA"));
  const SegmentView& evn = view->segment(1);
  EXPECT_EQ(evn.text, "EVN||20240306111154||||20240306111154");
  EXPECT_EQ(raw.substr(evn.offset, evn.text.size()), evn.text);
}

TEST(MessageViewTest, NumbersMshFieldsTheHl7Way) {
  std::string raw = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(view->Get(Path("MSH-1")), Optional(std::string_view("|")));
  EXPECT_THAT(view->Get(Path("MSH-2")), Optional(std::string_view("^~\\&")));
  EXPECT_THAT(view->Get(Path("MSH-3")), Optional(std::string_view("SIL-Y")));
  EXPECT_THAT(view->Get(Path("MSH-9")), Optional(std::string_view("ORU^R01^ORU_R01")));
  EXPECT_THAT(view->Get(Path("MSH-9.2")), Optional(std::string_view("R01")));
  EXPECT_THAT(view->Get(Path("MSH-10")), Optional(std::string_view("015")));
  EXPECT_THAT(view->Get(Path("MSH-21.2")), Optional(std::string_view("CISIS_CDA_HL7_V2")));
}

TEST(MessageViewTest, NeverSplitsTheDelimiterFields) {
  auto view = MessageView::Parse("MSH|^~\\&|A\r");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(view->Get(Path("MSH-2.1")), Optional(std::string_view("^~\\&")));
  EXPECT_THAT(view->Get(Path("MSH-2[1].1.1")), Optional(std::string_view("^~\\&")));
  EXPECT_EQ(view->Get(Path("MSH-2.2")), std::nullopt);
  EXPECT_EQ(view->Get(Path("MSH-1[2]")), std::nullopt);
}

TEST(MessageViewTest, ForEachVisitsEveryRepeatedSegment) {
  std::string raw = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(
      All(*view, "OBX-3.1"),
      ElementsAre("11502-2", "11502-2", "MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REP_LEGAUX",
                  "CONNEXION_SECRETE", "MODIF_CONF_CODE", "DESTDMP", "DESTMSSANTEPS",
                  "DESTMSSANTEPAT", "ACK_RECEPTION", "ACK_LECTURE_MSS", "CORPSMAIL_PS"));
  EXPECT_THAT(All(*view, "OBX[3]-3.1"), ElementsAre("MASQUE_PS"));
  EXPECT_THAT(view->Get(Path("OBX-3.1")), Optional(std::string_view("11502-2")));
  EXPECT_THAT(view->Get(Path("OBX[8]-5.1")), Optional(std::string_view("Y")));
  EXPECT_EQ(view->Get(Path("OBX[14]-3")), std::nullopt);
}

TEST(MessageViewTest, ForEachStopsWhenAsked) {
  std::string raw = ReadHl7Fixture("oru_r01_cr_bio_init.hl7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  int calls = 0;
  bool completed = view->ForEach(Path("OBX-2"), [&calls](std::string_view value) {
    ++calls;
    return value != "CE";
  });
  EXPECT_FALSE(completed);
  EXPECT_EQ(calls, 3);  // ED, ED, CE
  EXPECT_TRUE(view->ForEach(Path("OBX-2"), [](std::string_view) { return true; }));
}

TEST(MessageViewTest, WalksRepetitionsComponentsAndSubcomponents) {
  std::string raw = ReadHl7Fixture("adt_a01_sgl_admission.er7");
  auto view = MessageView::Parse(raw);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(All(*view, "PID-3.1"), ElementsAre("000003", "279035121518989"));
  EXPECT_THAT(All(*view, "PID-3.4.2"), ElementsAre("000897406", "1.2.250.1.213.1.4.10"));
  EXPECT_THAT(All(*view, "PID-3[2].5"), ElementsAre("INS"));
  EXPECT_THAT(view->Get(Path("PID-3[2].4.1")), Optional(std::string_view("ASIP-SANTE-INS-NIR")));
  EXPECT_THAT(view->Get(Path("PID-3")),
              Optional(std::string_view("000003^^^CHU-X&000897406&N^PI")));
  EXPECT_EQ(view->Get(Path("PID-3[3]")), std::nullopt);
}

TEST(MessageViewTest, TellsMissingFromEmpty) {
  auto view = MessageView::Parse("MSH|^~\\&|A\rPID|1||X^Y\rZZ1\r");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_THAT(view->Get(Path("PID-2")), Optional(std::string_view("")));
  EXPECT_THAT(view->Get(Path("PID-3.2")), Optional(std::string_view("Y")));
  EXPECT_EQ(view->Get(Path("PID-3.3")), std::nullopt);
  EXPECT_EQ(view->Get(Path("PID-3.2.2")), std::nullopt);
  EXPECT_EQ(view->Get(Path("PID-4")), std::nullopt);
  EXPECT_EQ(view->Get(Path("ZZ1-1")), std::nullopt);
  EXPECT_EQ(view->Get(Path("OBX-1")), std::nullopt);
  EXPECT_EQ(view->Field(0, 4), std::nullopt);
  EXPECT_TRUE(All(*view, "PID-9").empty());
}

TEST(MessageViewTest, AcceptsCrLfAndCrLfTerminators) {
  const std::string cr = "MSH|^~\\&|A\rPID|1\rOBX|1\rOBX|2\r";
  for (std::string raw :
       {cr, std::string("MSH|^~\\&|A\nPID|1\nOBX|1\nOBX|2\n"),
        std::string("MSH|^~\\&|A\r\nPID|1\r\nOBX|1\r\nOBX|2\r\n"),
        std::string("MSH|^~\\&|A\r\rPID|1\n\nOBX|1\r\n\r\nOBX|2"), cr + "\r\n\n\r"}) {
    auto view = MessageView::Parse(raw);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_THAT(SegmentIds(*view), ElementsAre("MSH", "PID", "OBX", "OBX"));
    EXPECT_THAT(All(*view, "OBX-1"), ElementsAre("1", "2"));
  }
}

TEST(MessageViewTest, UsesTheMessageDelimiters) {
  auto star = MessageView::Parse("MSH*^~\\&*APP^X*FAC\rPID*1**A~B\r");
  ASSERT_TRUE(star.ok()) << star.status();
  EXPECT_EQ(star->delimiters().field, '*');
  EXPECT_THAT(star->Get(Path("MSH-1")), Optional(std::string_view("*")));
  EXPECT_THAT(star->Get(Path("MSH-3.2")), Optional(std::string_view("X")));
  EXPECT_THAT(All(*star, "PID-3"), ElementsAre("A", "B"));

  auto odd = MessageView::Parse("MSH|!@#$|A!B|C$D@E\r");
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_THAT(odd->Get(Path("MSH-3.2")), Optional(std::string_view("B")));
  EXPECT_THAT(odd->Get(Path("MSH-4.1.2")), Optional(std::string_view("D")));
  EXPECT_THAT(All(*odd, "MSH-4"), ElementsAre("C$D", "E"));

  auto truncation = MessageView::Parse("MSH|^~\\&#|A#|B\r");
  ASSERT_TRUE(truncation.ok()) << truncation.status();
  EXPECT_EQ(truncation->delimiters().truncation, '#');
  EXPECT_THAT(truncation->Get(Path("MSH-2")), Optional(std::string_view("^~\\&#")));
  EXPECT_THAT(truncation->Get(Path("MSH-3")), Optional(std::string_view("A#")));
}

TEST(MessageViewTest, RejectsEmptyInput) {
  auto view = MessageView::Parse("");
  EXPECT_EQ(view.status().message(), "empty message");
}

TEST(MessageViewTest, RejectsWhatIsNotHl7) {
  for (std::string_view raw :
       {"hello", "MSH", "PID|1\rMSH|^~\\&|\r", "\rMSH|^~\\&|A\r", "<?xml version=\"1.0\"?>"}) {
    auto view = MessageView::Parse(raw);
    EXPECT_FALSE(view.ok()) << raw;
    EXPECT_THAT(view.status().message(), HasSubstr("must start with \"MSH\"")) << raw;
  }
}

TEST(MessageViewTest, RejectsIllegalEncodingCharacters) {
  auto view = MessageView::Parse("MSH|^~\\^|A\r");
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.status().message(),
            "segment 1 (\"MSH\"): invalid encoding characters (encoding character '^' is used "
            "twice) at byte 3");
  EXPECT_FALSE(MessageView::Parse("MSHA^~\\&A").ok());
  EXPECT_FALSE(MessageView::Parse("MSH|^~\\|A\r").ok());
  EXPECT_FALSE(MessageView::Parse("MSH|^~\\&%$|A\r").ok());
}

TEST(MessageViewTest, RejectsBadSegmentIdsNamingSegmentAndByte) {
  // MSH|^~\&|A is 10 bytes, PID|1 6 more with the terminators: P@D is at 17.
  auto view = MessageView::Parse("MSH|^~\\&|A\rPID|1\rP@D|x\r");
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.status().message(), "segment 3 (\"P@D\"): invalid segment id at byte 17");

  struct Bad {
    const char* raw;
    const char* message;
  };
  for (const Bad& bad : {
           Bad{"MSH|^~\\&|A\rpid|1\r", "segment 2 (\"pid\"): invalid segment id at byte 11"},
           Bad{"MSH|^~\\&|A\rPIDX|1\r", "segment 2 (\"PID\"): invalid segment id at byte 11"},
           Bad{"MSH|^~\\&|A\r\nPI\r\n", "segment 2 (\"PI\"): invalid segment id at byte 12"},
           Bad{"MSH|^~\\&|A\rPID*1\r", "segment 2 (\"PID\"): invalid segment id at byte 11"},
           Bad{"MSH|^~\\&|A\r\n\r\nOBX|1\r Dupont\r",
               "segment 3 (\" Du\"): invalid segment id at byte 20"},
       }) {
    auto result = MessageView::Parse(bad.raw);
    ASSERT_FALSE(result.ok()) << bad.raw;
    EXPECT_EQ(result.status().message(), bad.message);
  }
}

TEST(MessageViewTest, AcceptsAnIdAlone) {
  auto view = MessageView::Parse("MSH|^~\\&|A\rZ01\r");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->segment(1).id, "Z01");
  EXPECT_EQ(view->Field(1, 1), std::nullopt);
}

}  // namespace
}  // namespace navette::adapters::hl7v2
