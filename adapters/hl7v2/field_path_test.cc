#include "adapters/hl7v2/field_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::adapters::hl7v2 {
namespace {

using ::testing::HasSubstr;

TEST(FieldPathTest, ParsesEveryPart) {
  auto path = FieldPath::Parse("OBX[2]-5[3].4.2");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->segment, "OBX");
  EXPECT_EQ(path->segment_index, 2);
  EXPECT_EQ(path->field, 5);
  EXPECT_EQ(path->repetition, 3);
  EXPECT_EQ(path->component, 4);
  EXPECT_EQ(path->subcomponent, 2);
}

TEST(FieldPathTest, LeavesOutIndexesAsAny) {
  auto path = FieldPath::Parse("PID-3");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->segment_index, 0);
  EXPECT_EQ(path->repetition, 0);
  EXPECT_EQ(path->component, 0);
  EXPECT_EQ(path->subcomponent, 0);
}

TEST(FieldPathTest, RoundTripsThroughToString) {
  for (std::string_view text :
       {"PID-3", "PID-3.1", "PID-3.4.2", "PID-3[2].1", "OBX[2]-5", "ZB1[10]-12[3].4.5", "MSH-9"}) {
    auto path = FieldPath::Parse(text);
    ASSERT_TRUE(path.ok()) << text << ": " << path.status();
    EXPECT_EQ(path->ToString(), text);
  }
}

TEST(FieldPathTest, SaysWhatIsWrongAndWhere) {
  struct Bad {
    const char* text;
    const char* message;
  };
  for (const Bad& bad : {
           Bad{"pid-3", "segment name such as PID at character 1"},
           Bad{"PID3", "expected '-' before the field number at character 4"},
           Bad{"PID-0", "expected a field number (a number from 1) at character 5"},
           Bad{"PID-", "expected a field number"},
           Bad{"PID-3.", "expected a component number"},
           Bad{"PID-3[2", "expected ']' at character 8"},
           Bad{"PID-3x", "unexpected character at character 6"},
           Bad{"PID-123456", "expected a field number"},
       }) {
    auto path = FieldPath::Parse(bad.text);
    ASSERT_FALSE(path.ok()) << bad.text;
    EXPECT_THAT(path.status().message(), HasSubstr(bad.message)) << bad.text;
  }
}

}  // namespace
}  // namespace navette::adapters::hl7v2
