#include "adapters/dmp/xds/provide_and_register.h"

#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "adapters/dmp/xds/xds_test_support.h"

namespace navette::adapters::dmp::xds {
namespace {

using testing::One;
using testing::ReadFixture;
using testing::Select;

constexpr char kEntry[] = "//rim:ExtrinsicObject";
constexpr char kSet[] = "//rim:RegistryPackage";

// SHA-1 straight from OpenSSL, not through the code under test.
std::string OpenSslSha1(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha1(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// The value of the coded classification under `scheme` (one expected).
std::string ClassificationCode(const std::string& xml, const std::string& scheme) {
  return One(xml, absl::StrCat(kEntry, "/rim:Classification[@classificationScheme='", scheme,
                               "']/@nodeRepresentation"));
}
std::string ClassificationScheme(const std::string& xml, const std::string& scheme) {
  return One(xml, absl::StrCat(kEntry, "/rim:Classification[@classificationScheme='", scheme,
                               "']/rim:Slot[@name='codingScheme']/rim:ValueList/rim:Value"));
}
std::string EntrySlot(const std::string& xml, const std::string& name) {
  return One(xml, absl::StrCat(kEntry, "/rim:Slot[@name='", name, "']/rim:ValueList/rim:Value"));
}

class ProvideAndRegisterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cda_ = ReadFixture(testing::kCrBio);
    ASSERT_FALSE(cda_.empty());
    absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda_);
    ASSERT_TRUE(read.ok()) << read.status();
    metadata_ = *read;
    absl::StatusOr<std::shared_ptr<const XdsSchema>> schema =
        XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *schema;
  }

  absl::Status Validate(const ProvideAndRegisterRequest& request) const {
    return schema_->Validate(request.xml, {{request.content_id, cda_}});
  }

  std::string cda_;
  DocumentMetadata metadata_;
  std::shared_ptr<const XdsSchema> schema_;
  SubmissionSet set_ = testing::TestSubmissionSet();
};

TEST_F(ProvideAndRegisterTest, CrBioRequestValidatesAgainstTheXdsSchema) {
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_TRUE(Validate(*request).ok()) << Validate(*request) << "\n" << request->xml;
}

TEST_F(ProvideAndRegisterTest, DocumentEntryCarriesTheCdaHeader) {
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string& xml = request->xml;

  EXPECT_EQ(One(xml, absl::StrCat(kEntry, "/@id")), request->entry_uuid);
  EXPECT_EQ(One(xml, absl::StrCat(kEntry, "/@mimeType")), "text/xml");
  EXPECT_EQ(One(xml, absl::StrCat(kEntry, "/@objectType")),
            "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1");
  // patientId and uniqueId external identifiers.
  EXPECT_EQ(One(xml, absl::StrCat(kEntry,
                                  "/rim:ExternalIdentifier[@identificationScheme='urn:uuid:"
                                  "58a6f841-87b3-4a3e-92fd-a8ffeff98427']/@value")),
            "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH");
  EXPECT_EQ(One(xml, absl::StrCat(kEntry,
                                  "/rim:ExternalIdentifier[@identificationScheme='urn:uuid:"
                                  "2e82c1f6-a085-4c72-9da3-8640a32e42ab']/@value")),
            "1.2.250.1.213.1.1.1.55.2024.9.1");  // the CDA's ClinicalDocument/id
  // Hash and size of the exact bytes.
  EXPECT_EQ(EntrySlot(xml, "hash"), OpenSslSha1(cda_));
  EXPECT_EQ(EntrySlot(xml, "size"), std::to_string(cda_.size()));
  EXPECT_EQ(request->hash, OpenSslSha1(cda_));
  // Times in UTC.
  EXPECT_EQ(EntrySlot(xml, "creationTime"), "20210401161000");
  EXPECT_EQ(EntrySlot(xml, "serviceStartTime"), "20210104082200");
  EXPECT_EQ(EntrySlot(xml, "serviceStopTime"), "20210104150500");
  EXPECT_EQ(EntrySlot(xml, "languageCode"), "fr-FR");
  EXPECT_EQ(EntrySlot(xml, "legalAuthenticator"),
            "801234534765^CAMPARINI^Marcel^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS");
  EXPECT_EQ(EntrySlot(xml, "sourcePatientId"), "1234567890121^^^&1.2.3.4.567.8.9.10&ISO^PI");
  EXPECT_EQ(
      Select(xml,
             absl::StrCat(kEntry, "/rim:Slot[@name='sourcePatientInfo']/rim:ValueList/rim:Value")),
      (std::vector<std::string>{"PID-3|1234567890121^^^&1.2.3.4.567.8.9.10&ISO^PI",
                                "PID-5|PAT-TROIS^DOMINIQUE^^^^^L", "PID-7|19790328", "PID-8|F"}));
  EXPECT_EQ(One(xml, absl::StrCat(kEntry, "/rim:Name/rim:LocalizedString/@value")),
            "Compte rendu d'examens biologiques");

  // Codes.
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"), "10");
  EXPECT_EQ(ClassificationScheme(xml, "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"),
            "1.2.250.1.213.1.1.4.1");
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"), "11502-2");
  EXPECT_EQ(ClassificationScheme(xml, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"),
            "2.16.840.1.113883.6.1");
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"),
            "urn:ihe:lab:xd-lab:2008");
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"), "N");
  EXPECT_EQ(ClassificationScheme(xml, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"),
            "2.16.840.1.113883.5.25");
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"), "SA25");
  EXPECT_EQ(ClassificationCode(xml, "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"),
            "AMBULATOIRE");
  // Every classification classifies the entry.
  EXPECT_EQ(Select(xml, absl::StrCat(kEntry, "/rim:Classification[@classifiedObject!='",
                                     request->entry_uuid, "']"))
                .size(),
            0u);

  // Author.
  const std::string author =
      absl::StrCat(kEntry,
                   "/rim:Classification[@classificationScheme='urn:uuid:93606bcf-9494-43ec-9b4e-"
                   "a7748d1a838d']");
  EXPECT_EQ(One(xml, absl::StrCat(author, "/@nodeRepresentation")), "");
  EXPECT_EQ(One(xml, absl::StrCat(author, "/rim:Slot[@name='authorPerson']//rim:Value")),
            "801234534765^CAMPARINI^Marcel^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS");
  EXPECT_EQ(One(xml, absl::StrCat(author, "/rim:Slot[@name='authorInstitution']//rim:Value")),
            "Laboratoire des charmes^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1120459876");
  EXPECT_EQ(One(xml, absl::StrCat(author, "/rim:Slot[@name='authorSpecialty']//rim:Value")),
            "G15_10/SM03^Médecin - Biologie médicale (SM)^1.2.250.1.213.1.1.4.5");
}

TEST_F(ProvideAndRegisterTest, SubmissionSetAndAssociationAndDocumentPart) {
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string& xml = request->xml;
  EXPECT_EQ(One(xml, absl::StrCat(kSet, "/@id")), request->submission_set_uuid);
  EXPECT_EQ(One(xml, absl::StrCat(kSet, "/rim:Slot[@name='submissionTime']//rim:Value")),
            "20260302101530");
  const auto set_identifier = [&](const std::string& scheme) {
    return One(xml, absl::StrCat(kSet, "/rim:ExternalIdentifier[@identificationScheme='", scheme,
                                 "']/@value"));
  };
  EXPECT_EQ(set_identifier("urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"),
            "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH");
  EXPECT_EQ(set_identifier("urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"),
            "1.2.250.1.999.1.1.7898");
  EXPECT_EQ(set_identifier("urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"),
            "1.2.250.1.999.1.1.7898.1.42");
  EXPECT_EQ(One(xml, absl::StrCat(kSet,
                                  "/rim:Classification[@classificationScheme='urn:uuid:"
                                  "aa543740-bdda-424e-8c96-df4873be8500']/"
                                  "@nodeRepresentation")),
            "04");
  EXPECT_EQ(One(xml, absl::StrCat(kSet, "/rim:Classification/@classificationNode")),
            "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd");

  // One association: HasMember, set -> entry, Original.
  ASSERT_EQ(Select(xml, "//rim:Association").size(), 1u);
  EXPECT_EQ(One(xml, "//rim:Association/@associationType"),
            "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember");
  EXPECT_EQ(One(xml, "//rim:Association/@sourceObject"), request->submission_set_uuid);
  EXPECT_EQ(One(xml, "//rim:Association/@targetObject"), request->entry_uuid);
  EXPECT_EQ(One(xml, "//rim:Association/rim:Slot[@name='SubmissionSetStatus']//rim:Value"),
            "Original");

  // The document part: same id as the entry, an XOP reference to the cid.
  EXPECT_EQ(One(xml, "/xdsb:ProvideAndRegisterDocumentSetRequest/xdsb:Document/@id"),
            request->entry_uuid);
  EXPECT_EQ(One(xml, "//xdsb:Document/xop:Include/@href"), "cid:" + request->content_id);
  EXPECT_EQ(Select(xml,
                   "/xdsb:ProvideAndRegisterDocumentSetRequest/lcm:SubmitObjectsRequest/"
                   "rim:RegistryObjectList")
                .size(),
            1u);
}

TEST_F(ProvideAndRegisterTest, EachRequestHasFreshEntryUuids) {
  absl::StatusOr<ProvideAndRegisterRequest> first = BuildProvideAndRegister(metadata_, cda_, set_);
  absl::StatusOr<ProvideAndRegisterRequest> second =
      BuildProvideAndRegister(metadata_, cda_, set_, {}, "part1@example");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->entry_uuid, second->entry_uuid);
  EXPECT_NE(first->submission_set_uuid, second->submission_set_uuid);
  EXPECT_EQ(second->content_id, "part1@example");
}

TEST_F(ProvideAndRegisterTest, MaskingFlagsAddConfidentialityCodesUnderTheSameScheme) {
  metadata_.masking.masque_ps = true;
  metadata_.masking.invisible_patient = true;
  metadata_.masking.invisible_rep_legaux = true;
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string confidentiality =
      absl::StrCat(kEntry,
                   "/rim:Classification[@classificationScheme='urn:uuid:f4f85eac-e6cb-4883-b524-"
                   "f2705394840f']");
  EXPECT_EQ(Select(request->xml, absl::StrCat(confidentiality, "/@nodeRepresentation")),
            (std::vector<std::string>{"N", "MASQUE_PS", "INVISIBLE_PATIENT",
                                      "INVISIBLE_REPRESENTANTS_LEGAUX"}));
  EXPECT_EQ(Select(request->xml, absl::StrCat(confidentiality,
                                              "[@nodeRepresentation!='N']/rim:Slot/"
                                              "rim:ValueList/rim:Value")),
            (std::vector<std::string>(3, "1.2.250.1.213.1.1.4.13")));
  EXPECT_TRUE(Validate(*request).ok()) << Validate(*request);
}

TEST_F(ProvideAndRegisterTest, ReplacementCarriesAnRplcAssociation) {
  const std::string previous = "urn:uuid:41b6cd53-a85f-464c-aebe-ed0bf5c2c85a";
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_, previous);
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string rplc =
      "//rim:Association[@associationType='urn:ihe:iti:2007:AssociationType:RPLC']";
  EXPECT_EQ(One(request->xml, rplc + "/@sourceObject"), request->entry_uuid);
  EXPECT_EQ(One(request->xml, rplc + "/@targetObject"), previous);
  EXPECT_EQ(Select(request->xml, "//rim:Association").size(), 2u);
  EXPECT_TRUE(Validate(*request).ok()) << Validate(*request);
}

TEST_F(ProvideAndRegisterTest, RefusesAUniqueIdAsReplacementTarget) {
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_, "1.2.250.1.213.1.1.1.55.2024.8.1");
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("not an entryUUID"), std::string::npos);
}

TEST_F(ProvideAndRegisterTest, RefusesTheTestInsOutsideTheTestPlatform) {
  set_.allow_test_ins = false;
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("1.2.250.1.213.1.4.10"), std::string::npos)
      << request.status();
}

TEST_F(ProvideAndRegisterTest, RefusesAnIdWithExtension) {
  metadata_.unique_id = "1.2.250.1.213.1.1.1.55^2024";
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("XDSDocumentEntry.uniqueId"), std::string::npos)
      << request.status();
}

TEST_F(ProvideAndRegisterTest, RefusesAnUnknownDocumentType) {
  metadata_.type = {"99999-9", "?", "2.16.840.1.113883.6.1"};
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.status().message().find("99999-9"), std::string::npos);
}

TEST_F(ProvideAndRegisterTest, HospitalAndRecordFillWhatTheCdaLacks) {
  metadata_.practice_setting = {};
  metadata_.patient.ipp.clear();
  ::navette::config::Hospital hospital;
  hospital.set_facility_type_code("SA01");
  ApplyHospitalDefaults(hospital, &metadata_);
  EXPECT_EQ(metadata_.practice_setting.code, "ETABLISSEMENT");
  EXPECT_EQ(metadata_.healthcare_facility_type.code, "SA25");  // the CDA's wins
  ::navette::document::Document record;
  record.mutable_flags()->set_masque_ps(true);
  record.mutable_patient()->mutable_ipp()->set_id("42");
  record.mutable_patient()->mutable_ipp()->set_authority_oid("1.2.3");
  ApplyDocumentRecord(record, &metadata_);
  EXPECT_TRUE(metadata_.masking.masque_ps);
  EXPECT_EQ(metadata_.patient.ipp, "42");
  absl::StatusOr<ProvideAndRegisterRequest> request =
      BuildProvideAndRegister(metadata_, cda_, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(EntrySlot(request->xml, "sourcePatientId"), "42^^^&1.2.3&ISO^PI");
  EXPECT_TRUE(Validate(*request).ok()) << Validate(*request);
}

TEST_F(ProvideAndRegisterTest, N1RequestValidates) {
  const std::string n1 = ReadFixture(testing::kCrBioN1);
  absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(n1);
  ASSERT_TRUE(read.ok()) << read.status();
  ApplyHospitalDefaults({}, &*read);
  absl::StatusOr<ProvideAndRegisterRequest> request = BuildProvideAndRegister(*read, n1, set_);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(ClassificationCode(request->xml, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"),
            "urn:ihe:iti:xds-sd:pdf:2008");
  EXPECT_TRUE(schema_->Validate(request->xml, {{request->content_id, n1}}).ok());
}

}  // namespace
}  // namespace navette::adapters::dmp::xds
