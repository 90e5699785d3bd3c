#include "adapters/hl7v2/field_diff.h"

#include <gtest/gtest.h>

namespace navette::adapters::hl7v2 {
namespace {

constexpr char kMessage[] =
    "MSH|^~\\&|LAB|CHU|DPI|CHU|20260101120000||ORU^R01|CTRL1|P|2.5\r"
    "PID|1||12345^^^CHU||DUPONT^JEAN||19700101|M\r"
    "OBR|1||A1\r"
    "OBX|1|NM|GLU||5.2\r"
    "OBX|2|NM|NA||140\r";

std::string Summary(std::string_view before, std::string_view after) {
  auto summary = FieldChangeSummary(before, after);
  EXPECT_TRUE(summary.ok()) << summary.status();
  return summary.ok() ? *summary : std::string();
}

TEST(FieldChangeSummary, SameTextChangesNothing) { EXPECT_EQ(Summary(kMessage, kMessage), ""); }

TEST(FieldChangeSummary, NamesChangedFieldsNeverValues) {
  std::string after = kMessage;
  after.replace(after.find("DUPONT^JEAN"), 11, "DUPOND^JEAN");
  after.replace(after.find("19700101"), 8, "19700102");
  const std::string summary = Summary(kMessage, after);
  EXPECT_EQ(summary, "PID-5, PID-7 changed");
  EXPECT_EQ(summary.find("DUPOND"), std::string::npos);
}

TEST(FieldChangeSummary, NumbersRepeatedSegmentsAndMatchesThemByOccurrence) {
  std::string after = kMessage;
  after.replace(after.find("140"), 3, "141");
  after += "OBX|3|NM|K||4.0\r";
  EXPECT_EQ(Summary(kMessage, after), "OBX[2]-5 changed; OBX[3] added");
}

TEST(FieldChangeSummary, ARemovedSegmentDoesNotShiftTheOthers) {
  std::string after = kMessage;
  after.erase(after.find("OBR|"), std::string("OBR|1||A1\r").size());
  EXPECT_EQ(Summary(kMessage, after), "OBR removed");
}

TEST(FieldChangeSummary, TrailingEmptyFieldsAndTerminatorsDoNotCount) {
  std::string after = kMessage;
  after.replace(after.find("A1\r"), 3, "A1|||\n");
  EXPECT_EQ(Summary(kMessage, after), "");
}

TEST(FieldChangeSummary, MshFieldsKeepHl7Numbering) {
  std::string after = kMessage;
  after.replace(after.find("CTRL1"), 5, "CTRL2");
  EXPECT_EQ(Summary(kMessage, after), "MSH-10 changed");
}

TEST(FieldChangeSummary, UnreadableMessageIsAnErrorNamingWhich) {
  auto summary = FieldChangeSummary(kMessage, "PID|1\r");
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("the edited message"), std::string::npos)
      << summary.status();
}

}  // namespace
}  // namespace navette::adapters::hl7v2
