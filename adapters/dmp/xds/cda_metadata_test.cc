#include "adapters/dmp/xds/cda_metadata.h"

#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "adapters/dmp/xds/xds_test_support.h"

namespace navette::adapters::dmp::xds {
namespace {

using testing::kCrBio;
using testing::kCrBioN1;
using testing::ReadFixture;

TEST(ReadCdaMetadata, ReadsTheCrBioHeader) {
  const std::string cda = ReadFixture(kCrBio);
  ASSERT_FALSE(cda.empty());
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda);
  ASSERT_TRUE(read.ok()) << read.status();
  const DocumentMetadata& m = *read;
  EXPECT_EQ(m.unique_id, "1.2.250.1.213.1.1.1.55.2024.9.1");
  EXPECT_EQ(m.type.code, "11502-2");
  EXPECT_EQ(m.type.scheme, "2.16.840.1.113883.6.1");
  EXPECT_EQ(m.title, "Compte rendu d'examens biologiques");
  EXPECT_EQ(m.format.code, "urn:ihe:lab:xd-lab:2008");
  EXPECT_EQ(m.format.scheme, "1.3.6.1.4.1.19376.1.2.3");
  EXPECT_EQ(m.confidentiality, "N");
  EXPECT_EQ(m.language, "fr-FR");
  // 20210401171000+0100, 20210104092200+0100, 20210104160500+0100.
  EXPECT_EQ(m.creation_time, "20210401161000");
  EXPECT_EQ(m.service_start_time, "20210104082200");
  EXPECT_EQ(m.service_stop_time, "20210104150500");
  EXPECT_EQ(m.patient.ins, "279035121518989");
  EXPECT_EQ(m.patient.ins_oid, "1.2.250.1.213.1.4.10");
  EXPECT_EQ(m.patient.ipp, "1234567890121");
  EXPECT_EQ(m.patient.ipp_oid, "1.2.3.4.567.8.9.10");
  EXPECT_EQ(m.patient.birth_name, "PAT-TROIS");
  EXPECT_EQ(m.patient.first_given_name, "DOMINIQUE");
  EXPECT_EQ(m.patient.birth_date, "19790328");
  EXPECT_EQ(m.patient.sex, "F");
  EXPECT_EQ(m.author.person.id, "801234534765");
  EXPECT_EQ(m.author.person.oid, "1.2.250.1.71.4.2.1");
  EXPECT_EQ(m.author.person.family, "CAMPARINI");
  EXPECT_EQ(m.author.person.given, "Marcel");
  EXPECT_EQ(m.author.institution_id, "1120459876");
  EXPECT_EQ(m.author.institution_oid, "1.2.250.1.71.4.2.2");
  EXPECT_EQ(m.author.institution_name, "Laboratoire des charmes");
  EXPECT_EQ(m.author.specialty.code, "G15_10/SM03");
  EXPECT_EQ(m.legal_authenticator.id, "801234534765");
  EXPECT_EQ(m.legal_authenticator.family, "CAMPARINI");
  EXPECT_EQ(m.healthcare_facility_type.code, "SA25");
  EXPECT_EQ(m.healthcare_facility_type.scheme, "1.2.250.1.71.4.2.4");
  EXPECT_EQ(m.practice_setting.code, "AMBULATOIRE");
  EXPECT_EQ(m.practice_setting.scheme, "1.2.250.1.213.1.1.4.9");
}

TEST(ReadCdaMetadata, TakesAnN1FormatFromItsMediaType) {
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(ReadFixture(kCrBioN1));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->format.code, "urn:ihe:iti:xds-sd:pdf:2008");
  EXPECT_EQ(read->format.scheme, "1.3.6.1.4.1.19376.1.2.3");
}

TEST(ReadCdaMetadata, KeepsAnExtensionSoThatTheBuilderCanRefuseIt) {
  const std::string cda =
      absl::StrReplaceAll(ReadFixture(kCrBio), {{R"(<id root="1.2.250.1.213.1.1.1.55.2024.9.1"/>)",
                                                 R"(<id root="1.2.3.4" extension="77"/>)"}});
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->unique_id, "1.2.3.4^77");
}

TEST(ReadCdaMetadata, NamesTheMissingDocumentId) {
  const std::string cda = absl::StrReplaceAll(
      ReadFixture(kCrBio), {{R"(<id root="1.2.250.1.213.1.1.1.55.2024.9.1"/>)", ""}});
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("ClinicalDocument/id"), std::string::npos)
      << read.status();
}

TEST(ReadCdaMetadata, NamesTheMissingIns) {
  // The INS id under a non-INS root: only the IPPs remain.
  const std::string cda = absl::StrReplaceAll(
      ReadFixture(kCrBio),
      {{R"(<id extension="279035121518989" root="1.2.250.1.213.1.4.10"/>)", ""}});
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("recordTarget/patientRole has no INS"), std::string::npos)
      << read.status();
}

TEST(ReadCdaMetadata, RefusesWhatIsNotACda) {
  absl::StatusOr<DocumentMetadata> not_xml = ReadCdaMetadata("MSH|^~\\&|not xml");
  ASSERT_FALSE(not_xml.ok());
  EXPECT_NE(not_xml.status().message().find("not well-formed XML"), std::string::npos)
      << not_xml.status();
  absl::StatusOr<DocumentMetadata> other = ReadCdaMetadata("<a xmlns=\"urn:hl7-org:v3\"/>");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not ClinicalDocument"), std::string::npos);
}

TEST(ReadCdaMetadata, NamesAMissingFacilityCode) {
  const std::string cda = absl::StrReplaceAll(
      ReadFixture(kCrBio), {{R"(<code code="SA25" displayName="Laboratoire de biologie médicale")",
                             R"(<code nullFlavor="UNK")"}});
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("healthCareFacility/code"), std::string::npos)
      << read.status();
}

}  // namespace
}  // namespace navette::adapters::dmp::xds
