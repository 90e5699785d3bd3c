#include "adapters/mssante/mime/report_fields.h"

#include <gtest/gtest.h>

namespace navette::adapters::mssante::mime {
namespace {

TEST(ReportFieldsTest, BlocksFoldingCaseAndLineEnds) {
  const std::vector<FieldBlock> blocks = ParseFieldBlocks(
      "\r\n"
      "Reporting-MTA: dns; mx.example.fr\r\n"
      "Arrival-Date: Tue, 14 Nov 2023\r\n"
      "  23:13:21 +0100\r\n"
      "\r\n"
      " \t\r\n"
      "FINAL-RECIPIENT:rfc822;a@b.fr\r\n"
      "not a field line\r\n"
      "  (a continuation of nothing)\r\n"
      ": empty name\r\n"
      "Status:   5.1.1   \r\n"
      "\n\n");
  ASSERT_EQ(blocks.size(), 2u);
  ASSERT_EQ(blocks[0].size(), 2u);
  EXPECT_EQ(blocks[0][0].name, "reporting-mta");
  EXPECT_EQ(blocks[0][0].value, "dns; mx.example.fr");
  EXPECT_EQ(blocks[0][1].name, "arrival-date");
  EXPECT_EQ(blocks[0][1].value, "Tue, 14 Nov 2023 23:13:21 +0100");
  ASSERT_EQ(blocks[1].size(), 2u);
  EXPECT_EQ(FieldValue(blocks[1], "final-recipient"), "rfc822;a@b.fr");
  EXPECT_EQ(FieldValue(blocks[1], "status"), "5.1.1");
  EXPECT_TRUE(HasField(blocks[1], "status"));
  EXPECT_FALSE(HasField(blocks[1], "action"));
  EXPECT_EQ(FieldValue(blocks[1], "action"), "");
}

TEST(ReportFieldsTest, EmptyTextHasNoBlocks) {
  EXPECT_TRUE(ParseFieldBlocks("").empty());
  EXPECT_TRUE(ParseFieldBlocks("\n\r\n  \n").empty());
  EXPECT_TRUE(ParseFieldBlocks("no colon at all").empty());
}

TEST(ReportFieldsTest, WithoutTypePrefix) {
  EXPECT_EQ(WithoutTypePrefix("rfc822; dr.x@example.fr", true), "dr.x@example.fr");
  EXPECT_EQ(WithoutTypePrefix("RFC822;<dr.x@example.fr>", true), "dr.x@example.fr");
  EXPECT_EQ(WithoutTypePrefix("dr.x@example.fr", true), "dr.x@example.fr");
  EXPECT_EQ(WithoutTypePrefix("smtp; 550 5.1.1 <a@b.fr>: unknown", false),
            "550 5.1.1 <a@b.fr>: unknown");
  EXPECT_EQ(WithoutTypePrefix("x-unix; delivered", false), "delivered");
  // A ';' after text that is not a single type token stays.
  EXPECT_EQ(WithoutTypePrefix("host said: no; try later", false), "host said: no; try later");
  EXPECT_EQ(WithoutTypePrefix("<a@b.fr>", false), "<a@b.fr>");
  EXPECT_EQ(WithoutTypePrefix("", true), "");
}

TEST(ReportFieldsTest, FirstWord) {
  EXPECT_EQ(FirstWord("  5.1.1 (bad mailbox)"), "5.1.1");
  EXPECT_EQ(FirstWord("failed"), "failed");
  EXPECT_EQ(FirstWord("delayed\t(retrying)"), "delayed");
  EXPECT_EQ(FirstWord(""), "");
}

}  // namespace
}  // namespace navette::adapters::mssante::mime
