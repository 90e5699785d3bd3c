#include "routes/ins/reliability_table.h"

#include <gtest/gtest.h>

namespace navette::routes::ins {
namespace {

Reliability Read(const std::vector<std::string>& codes,
                 const ReliabilityTable& table = ReliabilityTable::Default()) {
  return table.Lookup(codes);
}

TEST(ReliabilityTableTest, DefaultStatuses) {
  EXPECT_EQ(Read({"PROV"}).status, identity::PROVISIONAL);
  EXPECT_EQ(Read({"VIDE"}).status, identity::PROVISIONAL);
  EXPECT_EQ(Read({"RECUP"}).status, identity::RECOVERED);
  EXPECT_EQ(Read({"VALI"}).status, identity::VALIDATED);
  EXPECT_EQ(Read({"QUAL"}).status, identity::QUALIFIED);
  for (const char* code : {"PROV", "VIDE", "RECUP", "VALI", "QUAL"}) {
    EXPECT_FALSE(Read({code}).doubtful) << code;
    EXPECT_FALSE(Read({code}).fictitious) << code;
  }
}

TEST(ReliabilityTableTest, DefaultAttributes) {
  for (const char* code : {"DOUT", "DOUTE"}) {
    Reliability read = Read({code});
    EXPECT_EQ(read.status, identity::PROVISIONAL) << code;
    EXPECT_TRUE(read.doubtful) << code;
    EXPECT_FALSE(read.fictitious) << code;
  }
  for (const char* code : {"FICT", "FICTI"}) {
    Reliability read = Read({code});
    EXPECT_EQ(read.status, identity::PROVISIONAL) << code;
    EXPECT_FALSE(read.doubtful) << code;
    EXPECT_TRUE(read.fictitious) << code;
  }
}

TEST(ReliabilityTableTest, UnknownEmptyAndAbsentAreProvisional) {
  EXPECT_EQ(Read({}).status, identity::PROVISIONAL);
  EXPECT_EQ(Read({""}).status, identity::PROVISIONAL);
  EXPECT_EQ(Read({"HOMD"}).status, identity::PROVISIONAL);
  // Codes are read as sent: a lower-case "qual" is not QUAL.
  EXPECT_EQ(Read({"qual"}).status, identity::PROVISIONAL);
}

TEST(ReliabilityTableTest, HighestStatusAmongRepetitions) {
  EXPECT_EQ(Read({"PROV", "VALI"}).status, identity::VALIDATED);
  EXPECT_EQ(Read({"QUAL", "VALI"}).status, identity::QUALIFIED);
  EXPECT_EQ(Read({"RECUP", "HOMD", "VALI"}).status, identity::VALIDATED);
  EXPECT_EQ(Read({"", "RECUP"}).status, identity::RECOVERED);
}

TEST(ReliabilityTableTest, DoubtfulOrFictitiousIsAlwaysProvisional) {
  Reliability doubtful = Read({"QUAL", "DOUT"});
  EXPECT_EQ(doubtful.status, identity::PROVISIONAL);
  EXPECT_TRUE(doubtful.doubtful);
  Reliability fictitious = Read({"FICT", "VALI"});
  EXPECT_EQ(fictitious.status, identity::PROVISIONAL);
  EXPECT_TRUE(fictitious.fictitious);
  Reliability both = Read({"DOUT", "FICT"});
  EXPECT_TRUE(both.doubtful);
  EXPECT_TRUE(both.fictitious);
}

TEST(ReliabilityTableTest, OverridesReplaceAndAdd) {
  ReliabilityTable table = ReliabilityTable::Default();
  // A DPI that writes QUAL as VALI with an INSi check recorded elsewhere...
  table.Set("VALI", {identity::QUALIFIED});
  // ...and its own spelling of a doubtful identity.
  table.Set("DOUB", {identity::PROVISIONAL, /*doubtful=*/true});
  EXPECT_EQ(Read({"VALI"}, table).status, identity::QUALIFIED);
  EXPECT_TRUE(Read({"DOUB"}, table).doubtful);
  EXPECT_EQ(Read({"DOUB", "VALI"}, table).status, identity::PROVISIONAL);
  // The default is untouched by the override.
  EXPECT_EQ(Read({"VALI"}).status, identity::VALIDATED);
  EXPECT_FALSE(Read({"DOUB"}).doubtful);
}

TEST(ReliabilityTableTest, AnEntryCanBeDowngraded) {
  // A site that does not trust its DPI's QUAL can read it as validated.
  ReliabilityTable table = ReliabilityTable::Default();
  table.Set("QUAL", {identity::VALIDATED});
  EXPECT_EQ(Read({"QUAL"}, table).status, identity::VALIDATED);
  // An entry without a status never goes below provisional.
  table.Set("ODD", {identity::IDENTITY_STATUS_UNSPECIFIED});
  EXPECT_EQ(Read({"ODD"}, table).status, identity::PROVISIONAL);
}

}  // namespace
}  // namespace navette::routes::ins
