#include "adapters/hl7v2/escape.h"

#include <gtest/gtest.h>

namespace navette::adapters::hl7v2 {
namespace {

TEST(EscapeTest, EscapesEveryDelimiter) {
  EXPECT_EQ(Escape("a|b^c~d\\e&f", Delimiters{}), "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
  EXPECT_EQ(Escape("plain text, 12.5 mg/l", Delimiters{}), "plain text, 12.5 mg/l");
  EXPECT_EQ(Escape("", Delimiters{}), "");
}

TEST(EscapeTest, EscapesTheTruncationCharacterOnlyWhenDeclared) {
  Delimiters with_truncation;
  with_truncation.truncation = '#';
  EXPECT_EQ(Escape("n#1", with_truncation), "n\\P\\1");
  EXPECT_EQ(Escape("n#1", Delimiters{}), "n#1");
}

TEST(EscapeTest, UsesTheMessageDelimiters) {
  auto delimiters = ParseEncodingCharacters("*!@#$");
  ASSERT_TRUE(delimiters.ok());
  EXPECT_EQ(Escape("a*b!c|d^e#", *delimiters), "a#F#b#S#c|d^e#E#");
}

TEST(EscapeTest, UnescapesTheDelimiterSequences) {
  EXPECT_EQ(Unescape("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f", Delimiters{}), "a|b^c~d\\e&f");
}

TEST(EscapeTest, KeepsOtherSequencesIntact) {
  EXPECT_EQ(Unescape("line 1\\.br\\line 2", Delimiters{}), "line 1\\.br\\line 2");
  EXPECT_EQ(Unescape("\\X0D0A\\\\H\\bold\\N\\", Delimiters{}), "\\X0D0A\\\\H\\bold\\N\\");
  // \P\ is a delimiter only when MSH-2 declares a truncation character.
  EXPECT_EQ(Unescape("\\P\\", Delimiters{}), "\\P\\");
  Delimiters with_truncation;
  with_truncation.truncation = '#';
  EXPECT_EQ(Unescape("\\P\\", with_truncation), "#");
}

TEST(EscapeTest, KeepsAnUnterminatedEscape) {
  EXPECT_EQ(Unescape("a\\F", Delimiters{}), "a\\F");
  EXPECT_EQ(Unescape("\\F\\x\\", Delimiters{}), "|x\\");
}

TEST(EscapeTest, RoundTrips) {
  auto delimiters = ParseEncodingCharacters("|^~\\&#");
  ASSERT_TRUE(delimiters.ok());
  for (std::string_view text : {"", "abc", "|^~\\&#", "\\F\\ is literal", "\\\\", "é|è^à"}) {
    EXPECT_EQ(Unescape(Escape(text, *delimiters), *delimiters), text) << text;
  }
}

}  // namespace
}  // namespace navette::adapters::hl7v2
