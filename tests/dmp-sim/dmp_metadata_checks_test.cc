// The INS key and patientId rules on fr-specs §1.2's verified examples, the
// value sets as loaded from valuesets/, the canned-answer spellings.
#include "tests/dmp-sim/dmp_metadata_checks.h"

#include <gtest/gtest.h>

#include "tests/dmp-sim/dmp_fault_injection.h"
#include "tests/dmp-sim/dmp_value_sets.h"

namespace navette::testing::dmp_sim {
namespace {

TEST(InsKeyTest, VerifiedExamplesPassAndAnyOtherKeyFails) {
  EXPECT_TRUE(InsKeyIsValid("279035121518989"));
  EXPECT_TRUE(InsKeyIsValid("109076322088835"));
  EXPECT_TRUE(InsKeyIsValid("180032B02040123"));  // Corsica: 2B read as 18
  EXPECT_TRUE(InsKeyIsValid("207058575627097"));  // key 97 is legal
  EXPECT_FALSE(InsKeyIsValid("279035121518988"));
  EXPECT_FALSE(InsKeyIsValid("180032B02040124"));
  EXPECT_FALSE(InsKeyIsValid("27903512151898"));  // 14 characters
  EXPECT_FALSE(InsKeyIsValid("2790351215189AB"));
}

TEST(PatientIdTest, FormOidAndTestMode) {
  EXPECT_EQ(CheckPatientId("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH", true).code, "");
  EXPECT_EQ(CheckPatientId("279035121518989^^^&1.2.250.1.213.1.4.8&ISO^NH^^20100907", false).code,
            "");
  PatientIdProblem test_oid =
      CheckPatientId("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH", false);
  EXPECT_EQ(test_oid.code, "XDSUnknownPatientId");
  EXPECT_NE(test_oid.what.find("test INS OID"), std::string::npos) << test_oid.what;
  PatientIdProblem key = CheckPatientId("279035121518988^^^&1.2.250.1.213.1.4.8&ISO^NH", false);
  EXPECT_EQ(key.code, "XDSRegistryMetadataError");
  EXPECT_NE(key.what.find("patientId: matricule '279035121518988' has a wrong INS key"),
            std::string::npos)
      << key.what;
  EXPECT_EQ(CheckPatientId("279035121518989^^^&1.2.250.1.213.1.4.8&ISO^PI", false).code,
            "XDSRegistryMetadataError");
  EXPECT_EQ(CheckPatientId("279035121518989^^^&1.2.3&ISO^NH", false).code, "XDSUnknownPatientId");
}

TEST(ValueSetsTest, LoadedFromTheJdvFiles) {
  absl::StatusOr<std::shared_ptr<const DmpValueSets>> sets =
      DmpValueSets::Load(DefaultValueSetDir());
  ASSERT_TRUE(sets.ok()) << sets.status();
  EXPECT_TRUE((*sets)->Contains(CodedAttribute::kTypeCode, "11502-2", "2.16.840.1.113883.6.1"));
  EXPECT_FALSE((*sets)->Contains(CodedAttribute::kTypeCode, "11502-2", "1.2.3"));
  EXPECT_TRUE(
      (*sets)->Contains(CodedAttribute::kHealthcareFacilityTypeCode, "SA25", "1.2.250.1.71.4.2.4"));
  EXPECT_TRUE((*sets)->Contains(CodedAttribute::kPracticeSettingCode, "AMBULATOIRE",
                                "1.2.250.1.213.1.1.4.9"));
  EXPECT_TRUE((*sets)->Contains(CodedAttribute::kConfidentialityCode, "MASQUE_PS",
                                "1.2.250.1.213.1.1.4.13"));
  EXPECT_TRUE((*sets)->Contains(CodedAttribute::kClassCode, "10", "1.2.250.1.213.1.1.4.1"));
  EXPECT_FALSE((*sets)->Contains(CodedAttribute::kClassCode, "99", "1.2.250.1.213.1.1.4.1"));
  EXPECT_FALSE(DmpValueSets::Load("/nonexistent").ok());
}

TEST(CannedAnswerTest, Spellings) {
  EXPECT_EQ(ParseCannedAnswer("busy")->kind, CannedAnswer::Kind::kBusy);
  EXPECT_EQ(ParseCannedAnswer("503")->kind, CannedAnswer::Kind::kHttp503);
  EXPECT_EQ(ParseCannedAnswer("drop")->kind, CannedAnswer::Kind::kDrop);
  EXPECT_EQ(ParseCannedAnswer("slow:250")->kind, CannedAnswer::Kind::kSlow);
  EXPECT_EQ(ParseCannedAnswer("slow:250")->delay, std::chrono::milliseconds(250));
  EXPECT_EQ(ParseCannedAnswer("hold:400")->kind, CannedAnswer::Kind::kHold);
  EXPECT_EQ(ParseCannedAnswer("hold:400")->delay, std::chrono::milliseconds(400));
  EXPECT_FALSE(ParseCannedAnswer("hold:-1").ok());
  EXPECT_EQ(ParseCannedAnswer("error:DMPClosed")->error_code, "DMPClosed");
  EXPECT_FALSE(ParseCannedAnswer("slow:x").ok());
  EXPECT_FALSE(ParseCannedAnswer("error:").ok());
  EXPECT_FALSE(ParseCannedAnswer("explode").ok());
}

}  // namespace
}  // namespace navette::testing::dmp_sim
