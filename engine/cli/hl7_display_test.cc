#include "engine/cli/hl7_display.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::engine::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Hl7DisplayTest, OneSegmentALineWhateverTheTerminators) {
  EXPECT_THAT(DisplaySegments("MSH|^~\\&|A\rPID|||1\nOBX|1\r\n\rZZZ|x", false),
              ElementsAre("MSH|^~\\&|A", "PID|||1", "OBX|1", "ZZZ|x"));
}

TEST(Hl7DisplayTest, ControlCharactersAreEscapedInsideASegment) {
  EXPECT_THAT(DisplaySegments("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X\x1B[31m\x07|P\r", false),
              ElementsAre("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|X\\x1B[31m\\x07|P"));
  // --raw does not fold, but still escapes.
  EXPECT_THAT(DisplaySegments("MSH|^~\\&|\x1B\r", true), ElementsAre("MSH|^~\\&|\\x1B"));
}

TEST(Hl7DisplayTest, LongFieldFoldedToItsStartAndSize) {
  const std::string base64(609005, 'A');
  const std::string text =
      "MSH|^~\\&|A\rOBX|1|ED|11502-2^CR^LN||^TEXT^XML^Base64^" + base64 + "||||||F\rNTE|1|short\r";
  const std::vector<std::string> lines = DisplaySegments(text, false);
  ASSERT_EQ(lines.size(), 3u);
  const std::string field = "^TEXT^XML^Base64^" + base64;
  EXPECT_EQ(lines[1], "OBX|1|ED|11502-2^CR^LN||" + field.substr(0, kFoldKeep) + "\u2026 (" +
                          std::to_string(field.size()) + " bytes, use --raw to see all)||||||F");
  EXPECT_EQ(lines[2], "NTE|1|short");

  const std::vector<std::string> raw = DisplaySegments(text, true);
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[1], "OBX|1|ED|11502-2^CR^LN||" + field + "||||||F");
}

TEST(Hl7DisplayTest, FieldAtTheLimitIsKeptWhole) {
  const std::string at_limit(kFoldOver, 'x');
  EXPECT_THAT(DisplaySegments("NTE|" + at_limit, false), ElementsAre("NTE|" + at_limit));
  EXPECT_THAT(DisplaySegments("NTE|" + at_limit + "y", false)[0], HasSubstr("bytes, use --raw"));
}

TEST(Hl7DisplayTest, FoldNeverCutsACharacterInTwo) {
  // "é" is two bytes: the 64-byte cut would fall inside the last one.
  std::string accented = "a";
  while (accented.size() < 2 * kFoldOver) accented += "\xC3\xA9";
  const std::string line = DisplaySegments("NTE|" + accented, false)[0];
  EXPECT_EQ(line.find("\\x"), std::string::npos) << line;  // no stray byte escaped
  EXPECT_THAT(line, HasSubstr("a\xC3\xA9"));
}

TEST(Hl7DisplayTest, FieldSeparatorComesFromMsh1) {
  const std::string text = "MSH#^~\\&#A\rOBX#1#" + std::string(300, 'z') + "#F\r";
  EXPECT_EQ(DisplaySegments(text, false)[1],
            "OBX#1#" + std::string(kFoldKeep, 'z') + "\u2026 (300 bytes, use --raw to see all)#F");
}

}  // namespace
}  // namespace navette::engine::cli
