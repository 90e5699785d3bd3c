#include "adapters/documents/base64.h"

#include <gtest/gtest.h>

namespace navette::adapters::documents {
namespace {

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");
  EXPECT_EQ(DecodeBase64("aGk="), "hi");
  EXPECT_EQ(DecodeBase64(""), "");
}

TEST(Base64Test, RefusesWhatIsNotBase64) {
  EXPECT_FALSE(DecodeBase64("aGVs*bG8="));
  EXPECT_FALSE(DecodeBase64("aGVsb"));  // 5 characters cannot encode whole bytes
  EXPECT_FALSE(DecodeBase64("aG=Vs"));  // padding before the end
  EXPECT_FALSE(DecodeBase64("aGVsbG8==="));
}

TEST(Base64Test, DecodesThePrefixOfACutValue) {
  EXPECT_EQ(DecodeBase64Prefix("aGVsbG8gd"), "hello ");
  EXPECT_EQ(DecodeBase64Prefix("aGVsbG8*xx"), "hello");
}

}  // namespace
}  // namespace navette::adapters::documents
