#include "routes/codes/loinc_table.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/codes/test_table_file.h"
#include "tests/support/fake_clock.h"

namespace navette::routes::codes {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(WhyNotLoincTest, AcceptsCodesWithTheirCheckDigit) {
  for (const char* code : {"2345-7", "1988-5", "11502-2", "718-7", "18719-5", "55107-7"}) {
    EXPECT_EQ(WhyNotLoinc(code), "") << code;
  }
}

TEST(WhyNotLoincTest, RefusesAWrongCheckDigitNamingTheRightOne) {
  EXPECT_THAT(WhyNotLoinc("2345-8"), HasSubstr("check digit is wrong (2345-7"));
  EXPECT_THAT(WhyNotLoinc("11502-3"), HasSubstr("(11502-2"));
}

TEST(WhyNotLoincTest, RefusesWhatIsNotDigitsDashDigit) {
  for (const char* code : {"2345", "2345-", "-7", "GLU-1", "2345-77", "23a5-7", "2345_7", ""}) {
    EXPECT_THAT(WhyNotLoinc(code), HasSubstr("digits-checkdigit")) << code;
  }
}

TEST(LoincTableTest, ReadsRowsHeaderQuotesAndSystems) {
  auto table = LoincTable::Parse(
      "\xEF\xBB\xBFlocal_code,loinc_code,loinc_display,local_system\r\n"
      "GLU,2345-7,Glucose [Masse/Volume] Sérum/Plasma\r\n"
      "\r\n"
      "\"CRP, ultra\",1988-5,\"C réactive protéine, \"\"CRP\"\"\",1.2.250.1.2.3.4\n"
      " HB , 718-7 , Hémoglobine \n",
      "codes.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 3u);
  const Loinc* glu = table->Find("L", "GLU");
  ASSERT_NE(glu, nullptr);
  EXPECT_EQ(glu->code, "2345-7");
  EXPECT_EQ(glu->display, "Glucose [Masse/Volume] Sérum/Plasma");
  const Loinc* crp = table->Find("1.2.250.1.2.3.4", "CRP, ultra");
  ASSERT_NE(crp, nullptr);
  EXPECT_EQ(crp->display, "C réactive protéine, \"CRP\"");
  // A row naming a system maps that system's code only.
  EXPECT_EQ(table->Find("1.2.250.9.9", "CRP, ultra"), nullptr);
  EXPECT_EQ(table->Find("", "CRP, ultra"), nullptr);
  const Loinc* hb = table->Find("", "HB");
  ASSERT_NE(hb, nullptr);
  EXPECT_EQ(hb->code, "718-7");
  EXPECT_EQ(hb->display, "Hémoglobine");
  EXPECT_EQ(table->Find("", "local_code"), nullptr);  // the header is no row
}

TEST(LoincTableTest, ARowForASystemWinsOverOneForAny) {
  auto table = LoincTable::Parse("K,2823-3,Potassium\nK,6298-4,Potassium sang,LABO2\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->Find("LABO2", "K")->code, "6298-4");
  EXPECT_EQ(table->Find("L", "K")->code, "2823-3");
}

TEST(LoincTableTest, TheSameRowTwiceIsNoConflict) {
  auto table = LoincTable::Parse("GLU,2345-7,Glucose\nGLU,2345-7,Glucose (again)\n", "t.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 1u);
}

struct BadTable {
  const char* text;
  const char* error;  // the whole expected message, file:line first
};

class LoincTableErrorTest : public ::testing::TestWithParam<BadTable> {};

TEST_P(LoincTableErrorTest, NamesFileLineAndWhatIsWrong) {
  auto table = LoincTable::Parse(GetParam().text, "lab-codes.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(table.status()));
  EXPECT_EQ(table.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, LoincTableErrorTest,
    ::testing::Values(
        BadTable{"local_code,loinc_code,loinc_display\nGLU,2345-7,Glucose\n,1988-5,CRP\n",
                 "lab-codes.csv:3: empty local_code"},
        BadTable{"GLU,,Glucose\n", "lab-codes.csv:1: empty loinc_code for local code 'GLU'"},
        BadTable{"GLU,2345-7,\n", "lab-codes.csv:1: empty loinc_display for local code 'GLU'"},
        BadTable{"GLU,2345-8,Glucose\n",
                 "lab-codes.csv:1: loinc_code '2345-8' of local code 'GLU': its check digit is "
                 "wrong (2345-7 by the LOINC mod 10)"},
        BadTable{"\nGLU,GLU01,Glucose\n",
                 "lab-codes.csv:2: loinc_code 'GLU01' of local code 'GLU': not of the form "
                 "digits-checkdigit (e.g. 2345-7)"},
        BadTable{"GLU,2345-7,Glucose\nCRP,1988-5,CRP\nGLU,1988-5,CRP\n",
                 "lab-codes.csv:3: local code 'GLU' already maps to 2345-7 (line 1), here to "
                 "1988-5"},
        BadTable{"K,2823-3,Potassium,LABO2\nK,6298-4,Potassium,LABO2\n",
                 "lab-codes.csv:2: local code 'K' of system LABO2 already maps to 2823-3 (line "
                 "1), here to 6298-4"},
        BadTable{"GLU,2345-7\n",
                 "lab-codes.csv:1: 2 columns where "
                 "local_code,loinc_code,loinc_display[,local_system] are expected"},
        BadTable{"GLU,2345-7,Glucose,L,extra\n",
                 "lab-codes.csv:1: 5 columns where "
                 "local_code,loinc_code,loinc_display[,local_system] are expected"},
        BadTable{"GLU,2345-7,\"Glucose\n", "lab-codes.csv:1: a quoted field is not closed"},
        BadTable{"GLU,2345-7,Glu\"cose\n",
                 "lab-codes.csv:1: a quote inside an unquoted field, column 15 (quote the whole "
                 "field)"},
        BadTable{"GLU,2345-7,Glucose\nHB,718-7,H\xE9moglobine\n",
                 "lab-codes.csv:2: not UTF-8 (byte 11 of the line)"}));

TEST(LoincTableTest, LoadNamesAFileItCannotRead) {
  auto table = LoincTable::Load("/nonexistent/lab-codes.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(std::string(table.status().message()),
              StartsWith("cannot read /nonexistent/lab-codes.csv"));
}

TEST(WatchedLoincTableTest, TheFirstLoadFailingFailsTheOpen) {
  TableFile file;
  file.Write("GLU,2345-8,Glucose\n");
  FakeClock clock;
  auto watched = WatchedLoincTable::Open(file.path(), clock);
  ASSERT_FALSE(watched.ok());
  EXPECT_THAT(std::string(watched.status().message()), StartsWith(file.path().string() + ":1: "));
}

TEST(WatchedLoincTableTest, AChangedFileIsPickedUpAtTheNextCheck) {
  TableFile file;
  file.Write("GLU,2345-7,Glucose\n");
  FakeClock clock;
  auto watched = WatchedLoincTable::Open(file.path(), clock);
  ASSERT_TRUE(watched.ok()) << watched.status();
  std::shared_ptr<const LoincTable> before = (*watched)->Current();
  EXPECT_EQ(before->Find("L", "CRP"), nullptr);

  file.Write("GLU,2345-7,Glucose\nCRP,1988-5,C reactive protein\n");
  // Checked at most once per second: not yet.
  clock.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ((*watched)->Current()->Find("L", "CRP"), nullptr);
  clock.Advance(std::chrono::milliseconds(1));
  std::shared_ptr<const LoincTable> after = (*watched)->Current();
  ASSERT_NE(after->Find("L", "CRP"), nullptr);
  EXPECT_EQ(after->Find("L", "CRP")->code, "1988-5");
  // A table held across the reload stays as it was.
  EXPECT_EQ(before->Find("L", "CRP"), nullptr);
  EXPECT_EQ(before->size(), 1u);
}

TEST(WatchedLoincTableTest, ARewriteOfTheSameSizeIsSeenByItsMtime) {
  TableFile file;
  file.Write("GLU,2345-7,Glucose\n");
  FakeClock clock;
  auto watched = WatchedLoincTable::Open(file.path(), clock);
  ASSERT_TRUE(watched.ok()) << watched.status();
  file.Write("GLU,1988-5,Glucose\n");  // same length, another target
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ((*watched)->Current()->Find("", "GLU")->code, "1988-5");
}

TEST(WatchedLoincTableTest, ABrokenReloadKeepsThePreviousTableUntilFixed) {
  TableFile file;
  file.Write("GLU,2345-7,Glucose\n");
  FakeClock clock;
  auto watched = WatchedLoincTable::Open(file.path(), clock);
  ASSERT_TRUE(watched.ok()) << watched.status();

  file.Write("GLU,2345-7,Glucose\nCRP,1988-4,C reactive protein\n");  // wrong check digit
  clock.Advance(std::chrono::seconds(1));
  std::shared_ptr<const LoincTable> kept = (*watched)->Current();
  ASSERT_NE(kept->Find("", "GLU"), nullptr);
  EXPECT_EQ(kept->Find("", "CRP"), nullptr);

  std::filesystem::remove(file.path());  // gone: still the previous table
  clock.Advance(std::chrono::seconds(1));
  EXPECT_NE((*watched)->Current()->Find("", "GLU"), nullptr);

  file.Write("GLU,2345-7,Glucose\nCRP,1988-5,C reactive protein\n");
  clock.Advance(std::chrono::seconds(1));
  ASSERT_NE((*watched)->Current()->Find("", "CRP"), nullptr);
}

}  // namespace
}  // namespace navette::routes::codes
