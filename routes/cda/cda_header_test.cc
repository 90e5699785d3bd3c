// The header build_cda writes (fr-specs.md §1.7, §2.1), read back with
// XPath from the document BuildCda produces for a PDF discharge letter.
#include "routes/cda/cda_header.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/cda/build_cda_step.h"
#include "routes/cda/cda_time.h"
#include "routes/cda/test_documents.h"

namespace navette::routes::cda {
namespace {

using testing::Cda;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int64_t kNowUs = 1767225600000000;  // 2026-01-01T00:00:00Z

class CdaHeaderTest : public ::testing::Test {
 protected:
  absl::StatusOr<BuildCdaResult> Build(const identity::Identity* identity) {
    return BuildCda(BuildCdaInput{.record = &record_,
                                  .identity = identity,
                                  .hospital = &hospital_,
                                  .message_id = 4242,
                                  .now_us = kNowUs,
                                  .versions = &versions_,
                                  .render_letter = nullptr});
  }

  navette::config::Hospital hospital_ = testing::TestHospital();
  identity::Identity identity_ = testing::TestIdentity();
  navette::document::Document record_ =
      testing::TestRecord("11490-0", "Lettre de liaison à la sortie d'un établissement de soins");
  testing::MemoryVersions versions_;
};

TEST_F(CdaHeaderTest, WritesTheStructurationMinimaleHeader) {
  auto built = Build(&identity_);
  ASSERT_TRUE(built.ok()) << built.status();
  Cda cda(built->xml);
  ASSERT_TRUE(cda.ok());
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:realmCode/@code"), "FR");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:typeId/@root"), "2.16.840.1.113883.1.3");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:typeId/@extension"), "POCD_HD000040");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:id/@root"), "1.2.250.1.999.7.1.1.4242");
  EXPECT_THAT(cda.All("/h:ClinicalDocument/h:id/@extension"), ::testing::IsEmpty());
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:code/@code"), "11490-0");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:code/@codeSystem"), "2.16.840.1.113883.6.1");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:title"),
            "Lettre de liaison à la sortie de l'établissement de santé");
  // TXA-4 in Paris winter time.
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:effectiveTime/@value"), "20261203101500+0100");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:confidentialityCode/@code"), "N");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:languageCode/@code"), "fr-FR");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:setId/@root"), "1.2.250.1.999.7.1.2.4242");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:versionNumber/@value"), "1");
  // The author: the PRT SB person and organisation, with national ids.
  const std::string author = "/h:ClinicalDocument/h:author/h:assignedAuthor/";
  EXPECT_EQ(cda.One(author + "h:id/@root"), "1.2.250.1.71.4.2.1");
  EXPECT_EQ(cda.One(author + "h:id/@extension"), "801234567897");
  EXPECT_EQ(cda.One(author + "h:assignedPerson/h:name/h:family"), "MÉDECIN");
  // XCN.6 DR is a title: a suffix, never a civility prefix (JDV_J245).
  EXPECT_EQ(cda.One(author + "h:assignedPerson/h:name/h:suffix"), "DR");
  EXPECT_THAT(cda.All(author + "h:assignedPerson/h:name/h:prefix"), ::testing::IsEmpty());
  EXPECT_EQ(cda.One(author + "h:representedOrganization/h:id/@root"), "1.2.250.1.71.4.2.2");
  EXPECT_EQ(cda.One(author + "h:representedOrganization/h:id/@extension"), "1770000446");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:author/h:time/@value"), "20261203101500+0100");
  const std::string custodian =
      "/h:ClinicalDocument/h:custodian/h:assignedCustodian/h:representedCustodianOrganization/";
  EXPECT_EQ(cda.One(custodian + "h:id/@root"), "1.2.250.1.71.4.2.2");
  EXPECT_EQ(cda.One(custodian + "h:id/@extension"), "1770000446");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:legalAuthenticator/h:signatureCode/@code"), "S");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:legalAuthenticator/h:assignedEntity/h:id/@extension"),
            "801234567897");
  const std::string event = "/h:ClinicalDocument/h:documentationOf/h:serviceEvent/";
  EXPECT_EQ(cda.One(event + "h:effectiveTime/h:low/@value"), "20261128083000+0100");
  EXPECT_EQ(cda.One(event + "h:performer/h:assignedEntity/h:representedOrganization/"
                            "h:standardIndustryClassCode/@code"),
            "ETABLISSEMENT");
  EXPECT_THAT(cda.All("/h:ClinicalDocument/h:relatedDocument"), ::testing::IsEmpty());
  const std::string encounter = "/h:ClinicalDocument/h:componentOf/h:encompassingEncounter/";
  EXPECT_EQ(cda.One(encounter + "h:effectiveTime/h:high/@value"), "20261203101500+0100");
  EXPECT_EQ(cda.One(encounter + "h:location/h:healthCareFacility/h:code/@code"), "SA01");
  EXPECT_EQ(cda.One(encounter + "h:location/h:healthCareFacility/h:code/@codeSystem"),
            "1.2.250.1.71.4.2.4");
}

TEST_F(CdaHeaderTest, TheInsIsTheFirstIdThenTheIppWithTheStrictTraits) {
  auto built = Build(&identity_);
  ASSERT_TRUE(built.ok()) << built.status();
  Cda cda(built->xml);
  const std::string role = "/h:ClinicalDocument/h:recordTarget/h:patientRole/";
  EXPECT_THAT(cda.All(role + "h:id/@root"),
              ElementsAre("1.2.250.1.213.1.4.10", "1.2.250.1.999.7.1.9"));
  EXPECT_THAT(cda.All(role + "h:id/@extension"), ElementsAre("279035121518989", "1234567890121"));
  const std::string name = role + "h:patient/h:name/";
  EXPECT_EQ(cda.One(name + "h:family[@qualifier='BR']"), "PAT-TROIS");
  EXPECT_EQ(cda.One(name + "h:given[not(@qualifier)]"), "DOMINIQUE MARIE-LOUISE");
  EXPECT_EQ(cda.One(name + "h:given[@qualifier='BR']"), "DOMINIQUE");
  EXPECT_EQ(cda.One(name + "h:family[@qualifier='CL']"), "PAT-TROIS");
  EXPECT_EQ(cda.One(name + "h:given[@qualifier='CL']"), "DOMINIQUE");
  EXPECT_EQ(cda.One(role + "h:patient/h:administrativeGenderCode/@code"), "F");
  EXPECT_EQ(cda.One(role + "h:patient/h:birthTime/@value"), "19790328");
  EXPECT_EQ(cda.One(role + "h:patient/h:birthplace/h:place/h:addr/h:county"), "51215");
}

TEST_F(CdaHeaderTest, WithoutAnIdentityThePatientComesFromThePidWithoutIns) {
  record_.mutable_flags()->set_dest_dmp(false);
  auto built = Build(nullptr);
  ASSERT_TRUE(built.ok()) << built.status();
  Cda cda(built->xml);
  const std::string role = "/h:ClinicalDocument/h:recordTarget/h:patientRole/";
  EXPECT_THAT(cda.All(role + "h:id/@extension"), ElementsAre("1234567890121"));
  EXPECT_EQ(cda.One(role + "h:patient/h:name/h:family[@qualifier='BR']"), "PAT-TROIS");
}

TEST_F(CdaHeaderTest, WithoutProducerTimeTheClockGivesTheTimeInParis) {
  record_.clear_effective_time();
  auto built = Build(&identity_);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(Cda(built->xml).One("/h:ClinicalDocument/h:effectiveTime/@value"),
            "20260101010000+0100");
  // Summer time has its own offset.
  record_.set_effective_time("20260701120000");
  built = Build(&identity_);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(Cda(built->xml).One("/h:ClinicalDocument/h:effectiveTime/@value"),
            "20260701120000+0200");
}

TEST_F(CdaHeaderTest, IsUtf8WithTheAccentsAsCharacters) {
  auto built = Build(&identity_);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_THAT(built->xml, HasSubstr("encoding=\"UTF-8\""));
  EXPECT_THAT(built->xml, HasSubstr("<family>MÉDECIN</family>"));
  EXPECT_THAT(built->xml, HasSubstr("<given>Françoise</given>"));
  EXPECT_THAT(built->xml, HasSubstr("Etablissement public de santé"));
  EXPECT_THAT(built->xml, Not(HasSubstr("&#")));
}

TEST_F(CdaHeaderTest, RefusesWhatTheHeaderCannotDoWithout) {
  navette::document::Document without_sender = record_;
  without_sender.clear_participants();
  record_.Swap(&without_sender);
  auto built = Build(&identity_);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("PRT-4 SB"));
  record_.Swap(&without_sender);

  hospital_.clear_facility_type_code();
  built = Build(&identity_);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("hospital.facility_type_code"));
}

TEST(CdaTimeTest, HealthTimesAreCompletedToTheSecond) {
  EXPECT_EQ(CdaTimeFromHl7("202612031015", "TXA-4").value(), "20261203101500+0100");
  EXPECT_EQ(CdaTimeFromHl7("20261203101530-0500", "TXA-4").value(), "20261203101530-0500");
  EXPECT_EQ(CdaTimeFromHl7("20260328", "TXA-4").value(), "20260328000000+0100");
  auto bad = CdaTimeFromHl7("2026-12-03", "TXA-4");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(bad.status().message(), HasSubstr("TXA-4"));
}

}  // namespace
}  // namespace navette::routes::cda
