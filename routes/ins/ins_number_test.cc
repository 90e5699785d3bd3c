#include "routes/ins/ins_number.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::routes::ins {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The test matricules of fr-specs.md §1.2, each with the key the spec
// computed and its source.
struct Known {
  const char* matricule;
  int key;
};
constexpr Known kKnown[] = {
    {"279035121518989", 89},  // PAT-TROIS Dominique, ANS test NIR
    {"109076322088835", 35},  // NIA returned by INSi test case 2.05
    {"180032B02040123", 23},  // Corsica (2B) test identity
    {"207058575627097", 97},  // DMP test patient: a key of 97 is legal
};

TEST(InsNumberTest, KeysOfTheSpecsTestMatricules) {
  for (const Known& known : kKnown) {
    const std::string_view matricule = known.matricule;
    auto key = ComputeInsKey(matricule.substr(0, 13));
    ASSERT_TRUE(key.ok()) << matricule << ": " << key.status();
    EXPECT_EQ(*key, known.key) << matricule;
    EXPECT_TRUE(CheckMatricule(matricule).ok()) << matricule;
  }
}

TEST(InsNumberTest, CorsicaCountsAs19And18) {
  // 2A and 2B give the keys of 19 and 18 at the same place, not of 20.
  EXPECT_EQ(*ComputeInsKey("180032A020401"), *ComputeInsKey("1800319020401"));
  EXPECT_EQ(*ComputeInsKey("180032B020401"), *ComputeInsKey("1800318020401"));
  EXPECT_NE(*ComputeInsKey("180032B020401"), *ComputeInsKey("1800320020401"));
}

TEST(InsNumberTest, WrongKeysAreRefused) {
  for (const char* wrong : {"279035121518988", "279035121518990", "207058575627000",
                            "180032B02040124", "279035121518998"}) {
    absl::Status status = CheckMatricule(wrong);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << wrong;
    EXPECT_THAT(status.message(), HasSubstr("key does not match")) << wrong;
  }
}

TEST(InsNumberTest, MalformedMatriculesSayWhichRule) {
  EXPECT_THAT(CheckMatricule("2790351215189").message(), HasSubstr("13 characters, expected 15"));
  EXPECT_THAT(CheckMatricule("2790351215189890").message(), HasSubstr("16 characters"));
  EXPECT_THAT(CheckMatricule("27903X121518989").message(),
              HasSubstr("character 6 must be a digit"));
  EXPECT_THAT(CheckMatricule("180032b02040123").message(),
              HasSubstr("or A/B after a 2, for Corsica's 2A/2B, in capitals"));
  EXPECT_THAT(CheckMatricule("180031B02040123").message(), HasSubstr("character 7"));
  EXPECT_THAT(CheckMatricule("2790351215189 9").message(), HasSubstr("the key"));
}

TEST(InsNumberTest, ErrorsNeverQuoteTheMatricule) {
  for (const char* bad : {"279035121518988", "27903X121518989", "2790351215189 9"}) {
    EXPECT_THAT(std::string(CheckMatricule(bad).message()), Not(HasSubstr("2790351")));
  }
}

TEST(InsNumberTest, ProductionOidsAreNirAndNia) {
  for (Environment environment : {Environment::kProduction, Environment::kTest}) {
    auto nir = CheckInsOid("1.2.250.1.213.1.4.8", environment);
    ASSERT_TRUE(nir.ok());
    EXPECT_EQ(nir->kind, InsKind::kNir);
    EXPECT_FALSE(nir->test);
    auto nia = CheckInsOid("1.2.250.1.213.1.4.9", environment);
    ASSERT_TRUE(nia.ok());
    EXPECT_EQ(nia->kind, InsKind::kNia);
  }
}

TEST(InsNumberTest, TestOidsOnlyInATestEnvironment) {
  for (const char* oid : {"1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}) {
    auto in_test = CheckInsOid(oid, Environment::kTest);
    ASSERT_TRUE(in_test.ok()) << oid;
    EXPECT_TRUE(in_test->test);
    auto in_production = CheckInsOid(oid, Environment::kProduction);
    EXPECT_TRUE(absl::IsInvalidArgument(in_production.status()));
    EXPECT_THAT(in_production.status().message(), HasSubstr("test OID, refused in production"));
  }
}

TEST(InsNumberTest, OtherOidsAreRefusedWithTheirReason) {
  EXPECT_THAT(CheckInsOid("1.2.250.1.213.1.4.2", Environment::kTest).status().message(),
              HasSubstr("INS-C"));
  EXPECT_THAT(CheckInsOid("1.2.250.1.71.4.2.2", Environment::kTest).status().message(),
              HasSubstr("is not an INS OID"));
  EXPECT_FALSE(CheckInsOid("", Environment::kTest).ok());
  EXPECT_FALSE(CheckInsOid("1.2.250.1.213.1.4.80", Environment::kTest).ok());
}

TEST(InsNumberTest, CheckInsAppliesBoth) {
  // The ANS test patient: valid in a test environment only.
  EXPECT_TRUE(CheckIns("279035121518989", "1.2.250.1.213.1.4.10", Environment::kTest).ok());
  EXPECT_FALSE(CheckIns("279035121518989", "1.2.250.1.213.1.4.10", Environment::kProduction).ok());
  EXPECT_TRUE(CheckIns("279035121518989", "1.2.250.1.213.1.4.8", Environment::kProduction).ok());
  EXPECT_FALSE(CheckIns("279035121518988", "1.2.250.1.213.1.4.8", Environment::kProduction).ok());
}

}  // namespace
}  // namespace navette::routes::ins
