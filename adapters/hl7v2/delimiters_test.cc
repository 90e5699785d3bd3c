#include "adapters/hl7v2/delimiters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::HasSubstr;

TEST(DelimitersTest, ParsesTheUsualSet) {
  auto delimiters = ParseEncodingCharacters("|^~\\&");
  ASSERT_TRUE(delimiters.ok()) << delimiters.status();
  EXPECT_EQ(*delimiters, Delimiters{});
  EXPECT_EQ(delimiters->truncation, 0);
  EXPECT_EQ(EncodingCharacters(*delimiters), "|^~\\&");
}

TEST(DelimitersTest, ParsesTheV27TruncationCharacter) {
  auto delimiters = ParseEncodingCharacters("|^~\\&#");
  ASSERT_TRUE(delimiters.ok()) << delimiters.status();
  EXPECT_EQ(delimiters->truncation, '#');
  EXPECT_EQ(EncodingCharacters(*delimiters), "|^~\\&#");
}

TEST(DelimitersTest, ParsesAnyLegalSet) {
  auto delimiters = ParseEncodingCharacters("*!@#$");
  ASSERT_TRUE(delimiters.ok()) << delimiters.status();
  EXPECT_EQ(delimiters->field, '*');
  EXPECT_EQ(delimiters->component, '!');
  EXPECT_EQ(delimiters->repetition, '@');
  EXPECT_EQ(delimiters->escape, '#');
  EXPECT_EQ(delimiters->subcomponent, '$');
  EXPECT_EQ(EncodingCharacters(*delimiters), "*!@#$");
}

TEST(DelimitersTest, RejectsAWrongNumberOfCharacters) {
  EXPECT_THAT(ParseEncodingCharacters("|^~\\").status().message(), HasSubstr("found 3"));
  EXPECT_THAT(ParseEncodingCharacters("|^~\\&#%").status().message(), HasSubstr("found 6"));
  EXPECT_THAT(ParseEncodingCharacters("").status().message(), HasSubstr("found 0"));
}

TEST(DelimitersTest, RejectsLettersDigitsControlsAndSpaces) {
  for (std::string_view bad :
       {"|A~\\&", "|^~\\0", "|^\r\\&", "|^\n\\&", "|^ \\&", "\t^~\\&", "|^~\\&\xc3"}) {
    auto delimiters = ParseEncodingCharacters(bad);
    EXPECT_FALSE(delimiters.ok()) << bad;
    EXPECT_THAT(delimiters.status().message(), HasSubstr("ASCII punctuation")) << bad;
  }
}

TEST(DelimitersTest, RejectsDuplicates) {
  auto delimiters = ParseEncodingCharacters("|^~\\^");
  EXPECT_THAT(delimiters.status().message(), HasSubstr("'^' is used twice"));
  // The field separator counts too.
  EXPECT_FALSE(ParseEncodingCharacters("|^~\\|").ok());
}

}  // namespace
}  // namespace navette::adapters::hl7v2
