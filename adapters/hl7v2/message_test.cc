#include "adapters/hl7v2/message.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/hl7v2/message_view.h"
#include "adapters/hl7v2/test_fixtures.h"

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using testing::Path;
using testing::ReadHl7Fixture;

Message MustParse(std::string_view raw) {
  auto message = Message::Parse(raw);
  EXPECT_TRUE(message.ok()) << message.status();
  return message.ok() ? *std::move(message) : Message();
}

std::vector<std::string> SegmentIds(const Message& message) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < message.segment_count(); ++i) ids.emplace_back(message.segment_id(i));
  return ids;
}

std::vector<std::string> All(const Message& message, std::string_view path) {
  std::vector<std::string> values;
  message.ForEach(Path(path), [&values](std::string_view value) {
    values.emplace_back(value);
    return true;
  });
  return values;
}

TEST(MessageTest, SerializesTheParsedBytesBackExactly) {
  for (std::string_view raw : {
           "MSH|^~\\&|A\rPID|1\r",                        // CR, as HL7 wants
           "MSH|^~\\&|A\nPID|1\n",                        // LF
           "MSH|^~\\&|A\r\nPID|1\r\n",                    // CRLF
           "MSH|^~\\&|A\rPID|1",                          // no final terminator
           "MSH|^~\\&|A\r\rPID|1\n\nOBX|1\r\n\r\nOBX|2",  // mixed, blank lines
           "MSH|^~\\&|A\rPID|1\r\r\n\n",                  // trailing blank lines
           "MSH|^~\\&\r",                                 // MSH-2 and nothing more
           "MSH|^~\\&|\r",                                // MSH-3 present, empty
           "MSH|^~\\&|A\rZFM|8|||\rZ01\rZ02|\r",          // trailing empties, ids alone
           "MSH|^~\\&|A\rPID|||^^^&&~~^&^|x^^\r",         // empty repetitions and parts
           "MSH|^~\\&#|A#|B\\P\\\r",                      // v2.7 truncation character
       }) {
    EXPECT_EQ(MustParse(raw).Serialize(), raw);
  }
}

TEST(MessageTest, ReadsTheFixturesAsMessageViewDoes) {
  for (const char* file : {"oru_r01_cr_bio_init.hl7", "ack_r01.hl7", "adt_a01_sgl_admission.er7",
                           "mdm_t02_cr_radio_init.er7", "zam_z01_reception_dmp.hl7"}) {
    std::string raw = ReadHl7Fixture(file);
    Message message = MustParse(raw);
    auto view = MessageView::Parse(raw);
    ASSERT_TRUE(view.ok()) << view.status();
    ASSERT_EQ(message.segment_count(), view->segment_count()) << file;
    EXPECT_EQ(message.Serialize(), raw) << file;
    for (std::string_view path :
         {"MSH-1",  "MSH-2",        "MSH-9",   "MSH-9.2",     "MSH-10",  "MSH-18",   "MSH-21.2",
          "PID-3",  "PID-3[2].4.2", "PID-5.1", "PID-11[2].7", "OBX-3.1", "OBX[3]-5", "OBX[13]-5.5",
          "OBX-99", "PV1-19.4.1",   "EVN-2",   "MSA-2",       "ZBE-1.3", "ERR-5.2"}) {
      std::optional<std::string_view> expected = view->Get(Path(path));
      std::optional<std::string> got = message.GetRaw(Path(path));
      EXPECT_EQ(got.has_value(), expected.has_value()) << file << " " << path;
      if (got.has_value() && expected.has_value()) {
        EXPECT_EQ(*got, *expected) << file << " " << path;
      }
    }
  }
}

TEST(MessageTest, GetsByPathDownToSubcomponents) {
  Message message = MustParse(ReadHl7Fixture("adt_a01_sgl_admission.er7"));
  EXPECT_THAT(SegmentIds(message), ElementsAre("MSH", "EVN", "PID", "PV1", "ZBE", "ZFA"));
  EXPECT_THAT(message.Get(Path("PID-3[2].4.2")), Optional(std::string("1.2.250.1.213.1.4.10")));
  EXPECT_THAT(message.Get(Path("PID-3[2].1")), Optional(std::string("279035121518989")));
  EXPECT_THAT(message.Get(Path("PID-3.5")), Optional(std::string("PI")));
  EXPECT_THAT(message.Get(Path("PID-5.1")), Optional(std::string("PAT-TROIS")));
  EXPECT_THAT(message.GetRaw(Path("PID-3[2].4")),
              Optional(std::string("ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO")));
  EXPECT_THAT(All(message, "PID-3.1"), ElementsAre("000003", "279035121518989"));
  EXPECT_EQ(message.Get(Path("PID-3[3]")), std::nullopt);
  EXPECT_EQ(message.Get(Path("OBX-1")), std::nullopt);

  EXPECT_EQ(message.Get("PID-3[2].4.2").value_or("?"), "1.2.250.1.213.1.4.10");
  EXPECT_EQ(message.Get("MSH-9").value_or("?"), "ADT^A01^ADT_A01");
  auto missing = message.Get("PID-3[2].4.4");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "PID-3[2].4.4: no such value in the message");
  auto bad = message.Get("PID3");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("field path \"PID3\""));
}

TEST(MessageTest, TellsMissingFromEmpty) {
  Message message = MustParse("MSH|^~\\&|A\rPID|1||X^Y\rZZ1\r");
  EXPECT_THAT(message.Get(Path("PID-2")), Optional(std::string("")));
  EXPECT_THAT(message.Get(Path("PID-2.1.1")), Optional(std::string("")));
  EXPECT_THAT(message.Get(Path("PID-3.2")), Optional(std::string("Y")));
  EXPECT_EQ(message.Get(Path("PID-3.3")), std::nullopt);
  EXPECT_EQ(message.Get(Path("PID-3.2.2")), std::nullopt);
  EXPECT_EQ(message.Get(Path("PID-4")), std::nullopt);
  EXPECT_EQ(message.Get(Path("ZZ1-1")), std::nullopt);
}

TEST(MessageTest, ReadsTheDelimiterFieldsWhole) {
  Message message = MustParse("MSH|^~\\&|A\r");
  EXPECT_THAT(message.Get(Path("MSH-1")), Optional(std::string("|")));
  EXPECT_THAT(message.Get(Path("MSH-2")), Optional(std::string("^~\\&")));
  EXPECT_THAT(message.Get(Path("MSH-2[1].1.1")), Optional(std::string("^~\\&")));
  EXPECT_EQ(message.Get(Path("MSH-2.2")), std::nullopt);
  EXPECT_EQ(message.Set("MSH-2", "^~\\#").message(),
            "MSH-2: MSH-1 and MSH-2 hold the delimiters and cannot be set");
  EXPECT_FALSE(message.Set("MSH-1", "*").ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\r");
}

TEST(MessageTest, UnescapesOnGetAndEscapesOnSet) {
  Message message = MustParse("MSH|^~\\&|A\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\r");
  // Delimiter escapes are undone, formatting ones kept for a later layer.
  EXPECT_THAT(message.Get(Path("NTE-3")), Optional(std::string("a|b^c&d~e\\f\\.br\\g")));
  EXPECT_THAT(message.GetRaw(Path("NTE-3")),
              Optional(std::string("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g")));

  const std::string value = "O'Neil|Smith^Jr & Co~\\ é";
  ASSERT_TRUE(message.Set("NTE-4.2", value).ok());
  EXPECT_THAT(message.GetRaw(Path("NTE-4.2")),
              Optional(std::string("O'Neil\\F\\Smith\\S\\Jr \\T\\ Co\\R\\\\E\\ é")));
  EXPECT_THAT(message.Get(Path("NTE-4.2")), Optional(value));
  // Escaped, the value stays one component through a round trip.
  Message reparsed = MustParse(message.Serialize());
  EXPECT_THAT(reparsed.Get(Path("NTE-4.2")), Optional(value));
  EXPECT_EQ(reparsed.Get(Path("NTE-4.3")), std::nullopt);
  EXPECT_EQ(reparsed.Serialize(), message.Serialize());
}

TEST(MessageTest, SetCreatesWhatIsMissing) {
  Message message = MustParse("MSH|^~\\&|A\rPID|1\r");
  ASSERT_TRUE(message.Set("PID-3[2].4.2", "1.2.250.1.213.1.4.10").ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\rPID|1||~^^^&1.2.250.1.213.1.4.10\r");
  ASSERT_TRUE(message.Set("PID-3[2].1", "279035121518989").ok());
  ASSERT_TRUE(message.Set("PID-3[2].5", "INS").ok());
  ASSERT_TRUE(message.Set("PID-5.7", "L").ok());
  EXPECT_EQ(message.Serialize(),
            "MSH|^~\\&|A\rPID|1||~279035121518989^^^&1.2.250.1.213.1.4.10^INS||^^^^^^L\r");
  ASSERT_TRUE(message.Set("MSH-9.2", "A01").ok());
  EXPECT_EQ(message.Get("MSH-9").value_or("?"), "^A01");
}

TEST(MessageTest, SetWritesAtTheLevelThePathNames) {
  Message message = MustParse("MSH|^~\\&|A\rPID|1||||A^B&C~D^E|x\rPID|2||||F\r");
  // Left-out segment index and repetition are the first ones.
  ASSERT_TRUE(message.Set("PID-5.2.2", "Z").ok());
  EXPECT_THAT(message.GetRaw(Path("PID-5")), Optional(std::string("A^B&Z")));
  ASSERT_TRUE(message.Set("PID-5.2", "Y").ok());
  EXPECT_THAT(message.GetRaw(Path("PID-5")), Optional(std::string("A^Y")));
  ASSERT_TRUE(message.Set("PID-5", "X").ok());
  EXPECT_THAT(All(message, "PID[1]-5"), ElementsAre("X", "D^E"));
  ASSERT_TRUE(message.Set("PID[2]-5[2]", "G").ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\rPID|1||||X~D^E|x\rPID|2||||F~G\r");
}

TEST(MessageTest, SetRawSplitsBelowTheLevelAndRefusesTheRest) {
  Message message = MustParse("MSH|^~\\&|A\rPID|1\r");
  ASSERT_TRUE(message.SetRaw(Path("PID-5"), "DUPONT^JEAN&PAUL^^^^^L").ok());
  EXPECT_THAT(message.Get(Path("PID-5.2.2")), Optional(std::string("PAUL")));
  EXPECT_THAT(message.Get(Path("PID-5.7")), Optional(std::string("L")));
  ASSERT_TRUE(message.SetRaw(Path("PID-11.1"), "28 Av\\T\\Co&Bat A").ok());
  EXPECT_THAT(message.Get(Path("PID-11.1.1")), Optional(std::string("28 Av&Co")));
  EXPECT_THAT(message.Get(Path("PID-11.1.2")), Optional(std::string("Bat A")));

  struct Bad {
    const char* path;
    const char* raw;
    const char* message;
  };
  for (const Bad& bad : {
           Bad{"PID-5", "A|B",
               "PID-5: the raw value has the field separator '|' at byte 1, which a repetition "
               "cannot hold"},
           Bad{"PID-5", "A~B",
               "PID-5: the raw value has the repetition separator '~' at byte 1, which a "
               "repetition cannot hold"},
           Bad{"PID-5.1", "A^B",
               "PID-5.1: the raw value has the component separator '^' at byte 1, which a "
               "component cannot hold"},
           Bad{"PID-5.1.1", "A&B",
               "PID-5.1.1: the raw value has the subcomponent separator '&' at byte 1, which a "
               "subcomponent cannot hold"},
           Bad{"PID-5", "A\rB",
               "PID-5: the raw value has a line break '\\r' at byte 1, which a repetition cannot "
               "hold"},
       }) {
    EXPECT_EQ(message.SetRaw(Path(bad.path), bad.raw).message(), bad.message);
  }
  EXPECT_THAT(message.Get(Path("PID-5.1")), Optional(std::string("DUPONT")));
}

TEST(MessageTest, SetRefusesWhatItCannotWrite) {
  Message message = MustParse("MSH|^~\\&|A\rOBX|1\rOBX|2\r");
  absl::Status line_break = message.Set("OBX-5", "line 1\nline 2");
  EXPECT_EQ(line_break.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(line_break.message(),
            "OBX-5: the value has a line break at byte 6, which would end the segment (FT and TX "
            "values write it \\.br\\)");
  absl::Status no_pid = message.Set("PID-5.1", "X");
  EXPECT_EQ(no_pid.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(no_pid.message(),
            "PID-5.1: the message has no PID segment; add segments with AddSegment or "
            "InsertSegment");
  EXPECT_EQ(message.Set("OBX[3]-5", "X").message(),
            "OBX[3]-5: the message has 2 OBX segments; add segments with AddSegment or "
            "InsertSegment");
  EXPECT_EQ(message.Set("OBX-", "X").code(), absl::StatusCode::kInvalidArgument);
  // Nothing changed: the parsed bytes still come back.
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\rOBX|1\rOBX|2\r");
}

TEST(MessageTest, AddsInsertsAndRemovesSegments) {
  Message message = MustParse("MSH|^~\\&|A\rPID|1\rPV1|1\r");
  ASSERT_TRUE(message.AddSegment("ZFD|||Y|N").ok());
  ASSERT_TRUE(message.InsertSegment(2, "PD1").ok());
  ASSERT_TRUE(message.InsertSegment(1, "EVN||20240306111154").ok());
  EXPECT_THAT(SegmentIds(message), ElementsAre("MSH", "EVN", "PID", "PD1", "PV1", "ZFD"));
  EXPECT_THAT(message.Get(Path("ZFD-3")), Optional(std::string("Y")));
  EXPECT_EQ(message.Get(Path("PD1-1")), std::nullopt);
  ASSERT_TRUE(message.Set("PD1-3", "X").ok());
  ASSERT_TRUE(message.RemoveSegment(4).ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\rEVN||20240306111154\rPID|1\rPD1|||X\rZFD|||Y|N\r");

  EXPECT_EQ(message.InsertSegment(0, "EVN").message(), "cannot insert before MSH: it stays first");
  EXPECT_EQ(message.InsertSegment(9, "EVN").message(),
            "cannot insert at segment index 9: the message has 5 segments");
  EXPECT_EQ(message.RemoveSegment(0).message(), "cannot remove MSH: a message needs it");
  EXPECT_EQ(message.RemoveSegment(5).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(message.AddSegment("MSH|^~\\&|B").message(),
            "segment \"MSH\": a message has one MSH, its first segment");
  EXPECT_EQ(message.AddSegment("pid|1").message(),
            "segment \"pid\": invalid segment id: expected three characters A-Z or 0-9, then '|' "
            "or the end");
  EXPECT_FALSE(message.AddSegment("PIDX|1").ok());
  EXPECT_FALSE(message.AddSegment("").ok());
  EXPECT_EQ(message.AddSegment("NTE|1\rNTE|2").message(),
            "segment \"NTE\": line break at byte 5: give one segment, without terminator");
  EXPECT_EQ(message.segment_count(), 5u);
}

TEST(MessageTest, ChangedMessagesAreWrittenWithCrTerminators) {
  const std::string lf = "MSH|^~\\&|A\nPID|1||X\n\nPV1|1\n\n";
  Message message = MustParse(lf);
  EXPECT_EQ(message.Serialize(), lf);
  ASSERT_TRUE(message.Set("PID-3", "Y").ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|A\rPID|1||Y\rPV1|1\r");

  Message no_final = MustParse("MSH|^~\\&|A\r\nPID|1");
  ASSERT_TRUE(no_final.AddSegment("PV1|1").ok());
  EXPECT_EQ(no_final.Serialize(), "MSH|^~\\&|A\rPID|1\rPV1|1\r");

  Message removed = MustParse("MSH|^~\\&|A\nPID|1\nNTE|1");
  ASSERT_TRUE(removed.RemoveSegment(2).ok());
  EXPECT_EQ(removed.Serialize(), "MSH|^~\\&|A\rPID|1\r");
}

TEST(MessageTest, BuildsAMessageInCode) {
  Message message;
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&\r");
  for (auto [path, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"MSH-3", "NAVETTE"}, {"MSH-9.1", "ADT"}, {"MSH-9.2", "A01"}, {"MSH-10", "42"}}) {
    ASSERT_TRUE(message.Set(path, value).ok()) << path;
  }
  ASSERT_TRUE(message.AddSegment("PID").ok());
  ASSERT_TRUE(message.Set("PID-5.1", "Bérangère").ok());
  EXPECT_EQ(message.Serialize(), "MSH|^~\\&|NAVETTE||||||ADT^A01|42\rPID|||||Bérangère\r");

  auto stars = Message::Create(Delimiters{.field = '*'});
  ASSERT_TRUE(stars.ok()) << stars.status();
  ASSERT_TRUE(stars->Set("MSH-3", "A*B").ok());
  EXPECT_EQ(stars->Serialize(), "MSH*^~\\&*A\\F\\B\r");

  auto bad = Message::Create(Delimiters{.component = '~'});
  EXPECT_EQ(bad.status().message(), "encoding character '~' is used twice");
}

TEST(MessageTest, UsesNonStandardDelimiters) {
  // '#' fields, '$' components, '%' repetitions, '!' escape, '@' subcomponents.
  const std::string raw = "MSH#$%!@#APP$X#FAC\rPID#1##A$B%C@D$E!F!$x|y^z\r";
  Message message = MustParse(raw);
  EXPECT_EQ(message.delimiters(), (Delimiters{'#', '$', '%', '!', '@', 0}));
  EXPECT_THAT(message.Get(Path("MSH-1")), Optional(std::string("#")));
  EXPECT_THAT(message.Get(Path("MSH-2")), Optional(std::string("$%!@")));
  EXPECT_THAT(message.Get(Path("MSH-3.2")), Optional(std::string("X")));
  EXPECT_THAT(All(message, "PID-3.1"), ElementsAre("A", "C@D"));
  EXPECT_THAT(message.Get(Path("PID-3[2].1.2")), Optional(std::string("D")));
  EXPECT_THAT(message.Get(Path("PID-3[2].2")), Optional(std::string("E#")));
  EXPECT_THAT(message.Get(Path("PID-3[2].3")), Optional(std::string("x|y^z")));
  EXPECT_EQ(message.Serialize(), raw);

  ASSERT_TRUE(message.Set("PID-5.1", "a#b$c%d!e@f|g^h~i\\j&k").ok());
  EXPECT_THAT(message.GetRaw(Path("PID-5.1")),
              Optional(std::string("a!F!b!S!c!R!d!E!e!T!f|g^h~i\\j&k")));
  EXPECT_THAT(MustParse(message.Serialize()).Get(Path("PID-5.1")),
              Optional(std::string("a#b$c%d!e@f|g^h~i\\j&k")));
}

TEST(MessageTest, ParseErrorsNameSegmentAndByte) {
  EXPECT_EQ(Message::Parse("").status().message(), "empty message");
  EXPECT_THAT(Message::Parse("PID|1\r").status().message(), HasSubstr("must start with \"MSH\""));
  EXPECT_EQ(Message::Parse("MSH|^~\\&|A\rPID|1\rP@D|x\r").status().message(),
            "segment 3 (\"P@D\"): invalid segment id at byte 17");
  EXPECT_EQ(Message::Parse("MSH|^~\\^|A\r").status().message(),
            "segment 1 (\"MSH\"): invalid encoding characters (encoding character '^' is used "
            "twice) at byte 3");
  EXPECT_EQ(Message::Parse("MSH|^~\\&|A\rPID|1\n\nMSH|^~\\&|B\rPID|2\r").status().message(),
            "segment 3 (\"MSH\"): a second message starts at byte 18; split the batch first");
}

}  // namespace
}  // namespace navette::adapters::hl7v2
