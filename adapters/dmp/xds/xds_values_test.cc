#include "adapters/dmp/xds/xds_values.h"

#include <set>

#include <gtest/gtest.h>

namespace navette::adapters::dmp::xds {
namespace {

TEST(XdsTimeFromCda, ConvertsTheOffsetToUtc) {
  EXPECT_EQ(XdsTimeFromCda("20210401171000+0100", "t").value(), "20210401161000");
  EXPECT_EQ(XdsTimeFromCda("20210701000500+0200", "t").value(), "20210630220500");
  // Minute precision (the CR-BIO's encounter time): seconds are zero.
  EXPECT_EQ(XdsTimeFromCda("202101040735+0100", "t").value(), "20210104063500");
  EXPECT_EQ(XdsTimeFromCda("20210104073512.250-0330", "t").value(), "20210104110512");
}

TEST(XdsTimeFromCda, KeepsADateAsADate) {
  EXPECT_EQ(XdsTimeFromCda("19790328", "birthTime").value(), "19790328");
}

TEST(XdsTimeFromCda, RefusesATimeWithoutOffsetOrNotATime) {
  const absl::StatusOr<std::string> no_offset = XdsTimeFromCda("20210401171000", "effectiveTime");
  ASSERT_FALSE(no_offset.ok());
  EXPECT_NE(no_offset.status().message().find("effectiveTime"), std::string::npos);
  EXPECT_NE(no_offset.status().message().find("no UTC offset"), std::string::npos);
  EXPECT_FALSE(XdsTimeFromCda("2021-04-01", "t").ok());
  EXPECT_FALSE(XdsTimeFromCda("20211301120000+0100", "t").ok());
  EXPECT_FALSE(XdsTimeFromCda("20210401171000+01", "t").ok());
}

TEST(HlSevenForms, AreTheDmpSampleShapes) {
  PatientIdentity patient;
  patient.ins = "279035121518989";
  patient.ins_oid = "1.2.250.1.213.1.4.10";
  EXPECT_EQ(InsCx(patient), "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH");
  EXPECT_EQ(SourcePatientCx(patient), InsCx(patient));  // no IPP: the INS again
  patient.ipp = "0456789999";
  patient.ipp_oid = "1.2.250.1.999.1.1.7898.2";
  EXPECT_EQ(SourcePatientCx(patient), "0456789999^^^&1.2.250.1.999.1.1.7898.2&ISO^PI");

  // template_XDS.xml's authorPerson and authorInstitution.
  EXPECT_EQ(PersonXcn({"899900063480", "1.2.250.1.71.4.2.1", "MAX", "LIBRE"}),
            "899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS");
  Author author;
  author.institution_name = "CABINET DR LIBRE";
  author.institution_id = "499900063480001";
  author.institution_oid = "1.2.250.1.71.4.2.2";
  EXPECT_EQ(InstitutionXon(author),
            "CABINET DR LIBRE^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499900063480001");
  EXPECT_EQ(CodedValue({"G15_10/SM26", "Médecin - Qualifié en Médecine Générale (SM)",
                        "1.2.250.1.213.1.1.4.5"}),
            "G15_10/SM26^Médecin - Qualifié en Médecine Générale (SM)^1.2.250.1.213.1.1.4.5");
}

TEST(HlSevenForms, EscapeDelimitersInNames) {
  EXPECT_EQ(PersonXcn({"1", "1.2.250.1.71.4.2.1", "A^B&C", "D|E~F\\"}),
            "1^A\\S\\B\\T\\C^D\\F\\E\\R\\F\\E\\^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS");
}

TEST(NewEntryUuid, IsARandomVersionFourUrn) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string uuid = NewEntryUuid();
    ASSERT_TRUE(IsEntryUuid(uuid)) << uuid;
    EXPECT_EQ(uuid[9 + 14], '4') << uuid;                                          // version nibble
    EXPECT_NE(std::string("89ab").find(uuid[9 + 19]), std::string::npos) << uuid;  // variant
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_FALSE(IsEntryUuid("1.2.250.1.213.1.1.1.55.2024.9.1"));
  EXPECT_FALSE(IsEntryUuid("urn:uuid:not-a-uuid"));
}

TEST(IsOid, AcceptsOidsOnly) {
  EXPECT_TRUE(IsOid("1.2.250.1.213.1.1.1.55.2024.9.1"));
  EXPECT_FALSE(IsOid("1.2.250.1^ext"));
  EXPECT_FALSE(IsOid("1..2"));
  EXPECT_FALSE(IsOid("1.02"));
  EXPECT_FALSE(IsOid(""));
}

TEST(Sha1Hex, MatchesTheFipsVector) {
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace
}  // namespace navette::adapters::dmp::xds
