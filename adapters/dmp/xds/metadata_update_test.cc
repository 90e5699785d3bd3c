#include "adapters/dmp/xds/metadata_update.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "adapters/dmp/xds/xds_test_support.h"

namespace navette::adapters::dmp::xds {
namespace {

using testing::One;
using testing::Select;

constexpr char kEntryUuid[] = "urn:uuid:41b6cd53-a85f-464c-aebe-ed0bf5c2c85a";

class MetadataUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cda_ = testing::ReadFixture(testing::kCrBio);
    absl::StatusOr<DocumentMetadata> read = ReadCdaMetadata(cda_);
    ASSERT_TRUE(read.ok()) << read.status();
    metadata_ = *read;
    absl::StatusOr<std::shared_ptr<const XdsSchema>> schema =
        XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *schema;
    change_.entry_uuid = kEntryUuid;
    change_.patient = metadata_.patient;
    change_.author = metadata_.author;
  }

  std::string cda_;
  DocumentMetadata metadata_;
  std::shared_ptr<const XdsSchema> schema_;
  SubmissionSet set_ = testing::TestSubmissionSet();
  StatusChange change_;
};

TEST_F(MetadataUpdateTest, DeletionValidatesAndNamesTheAsipStatus) {
  absl::StatusOr<std::string> xml = BuildStatusChange(change_, set_);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_TRUE(schema_->Validate(*xml).ok()) << schema_->Validate(*xml) << "\n" << *xml;
  const std::string update =
      "/lcm:SubmitObjectsRequest/rim:RegistryObjectList/rim:Association[@associationType='urn:ihe:"
      "iti:2010:AssociationType:UpdateAvailabilityStatus']";
  EXPECT_EQ(One(*xml, update + "/@targetObject"), kEntryUuid);
  EXPECT_EQ(One(*xml, update + "/@sourceObject"), One(*xml, "//rim:RegistryPackage/@id"));
  EXPECT_EQ(One(*xml, update + "/rim:Slot[@name='OriginalStatus']//rim:Value"),
            "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved");
  EXPECT_EQ(One(*xml, update + "/rim:Slot[@name='NewStatus']//rim:Value"),
            "urn:asip:ci-sis:2010:StatusType:Deleted");
  EXPECT_EQ(One(*xml,
                "//rim:RegistryPackage/rim:ExternalIdentifier[@identificationScheme='urn:"
                "uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446']/@value"),
            "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH");
  EXPECT_EQ(Select(*xml, "//rim:ExtrinsicObject").size(), 0u);
}

TEST_F(MetadataUpdateTest, ArchivalValidates) {
  change_.to = AvailabilityStatus::kArchived;
  absl::StatusOr<std::string> xml = BuildStatusChange(change_, set_);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_TRUE(schema_->Validate(*xml).ok()) << schema_->Validate(*xml);
  EXPECT_EQ(One(*xml, "//rim:Slot[@name='NewStatus']//rim:Value"),
            "urn:asip:ci-sis:2010:StatusType:Archived");
}

TEST_F(MetadataUpdateTest, RefusesAUniqueIdOrAnImpossibleChange) {
  change_.entry_uuid = "1.2.250.1.213.1.1.1.55.2024.9.1";
  absl::StatusOr<std::string> by_unique_id = BuildStatusChange(change_, set_);
  ASSERT_FALSE(by_unique_id.ok());
  EXPECT_NE(by_unique_id.status().message().find("not an entryUUID"), std::string::npos);
  change_.entry_uuid = kEntryUuid;
  change_.to = AvailabilityStatus::kApproved;
  EXPECT_FALSE(BuildStatusChange(change_, set_).ok());
}

TEST_F(MetadataUpdateTest, ConfidentialityChangeRestatesTheEntryAsANewVersion) {
  metadata_.masking.masque_ps = true;
  ConfidentialityChange change;
  change.entry_uuid = kEntryUuid;
  change.previous_version = "1";
  change.repository_unique_id = "1.2.250.1.213.4.1.1.1.2";
  absl::StatusOr<std::string> xml = BuildConfidentialityChange(metadata_, cda_, change, set_);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_TRUE(schema_->Validate(*xml).ok()) << schema_->Validate(*xml) << "\n" << *xml;
  EXPECT_EQ(One(*xml, "//rim:ExtrinsicObject/@lid"), kEntryUuid);
  EXPECT_EQ(One(*xml, "//rim:ExtrinsicObject/@status"),
            "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved");
  EXPECT_EQ(Select(*xml,
                   "//rim:ExtrinsicObject/rim:Classification[@classificationScheme='urn:"
                   "uuid:f4f85eac-e6cb-4883-b524-f2705394840f']/@nodeRepresentation"),
            (std::vector<std::string>{"N", "MASQUE_PS"}));
  EXPECT_EQ(One(*xml, "//rim:ExtrinsicObject/rim:Slot[@name='repositoryUniqueId']//rim:Value"),
            "1.2.250.1.213.4.1.1.1.2");
  const std::string member =
      "//rim:Association[@associationType='urn:oasis:names:tc:ebxml-regrep:AssociationType:"
      "HasMember']";
  EXPECT_EQ(One(*xml, member + "/@targetObject"), One(*xml, "//rim:ExtrinsicObject/@id"));
  EXPECT_EQ(One(*xml, member + "/rim:Slot[@name='PreviousVersion']//rim:Value"), "1");
  EXPECT_EQ(One(*xml, member + "/rim:Slot[@name='SubmissionSetStatus']//rim:Value"), "Original");
}

}  // namespace
}  // namespace navette::adapters::dmp::xds
