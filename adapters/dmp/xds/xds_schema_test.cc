#include "adapters/dmp/xds/xds_schema.h"

#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/provide_and_register.h"
#include "adapters/dmp/xds/xds_test_support.h"

namespace navette::adapters::dmp::xds {
namespace {

class XdsSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::shared_ptr<const XdsSchema>> schema =
        XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *schema;
    cda_ = testing::ReadFixture(testing::kCrBio);
    absl::StatusOr<DocumentMetadata> metadata = ReadCdaMetadata(cda_);
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    absl::StatusOr<ProvideAndRegisterRequest> request =
        BuildProvideAndRegister(*metadata, cda_, testing::TestSubmissionSet());
    ASSERT_TRUE(request.ok()) << request.status();
    request_ = *request;
  }

  std::shared_ptr<const XdsSchema> schema_;
  std::string cda_;
  ProvideAndRegisterRequest request_;
};

TEST_F(XdsSchemaTest, IsCompiledOncePerDirectory) {
  absl::StatusOr<std::shared_ptr<const XdsSchema>> again =
      XdsSchema::Shared(NAVETTE_XDS_SCHEMA_DIR);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), schema_.get());
  EXPECT_EQ(XdsSchema::Load("/nonexistent").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(XdsSchemaTest, ReportsASchemaErrorWithItsLine) {
  // An ExternalIdentifier without its required value attribute.
  const std::string broken =
      absl::StrReplaceAll(request_.xml, {{"value=\"1.2.250.1.999.1.1.7898\"", ""}});
  ASSERT_NE(broken, request_.xml);
  const absl::Status status = schema_->Validate(broken);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("line "), std::string::npos) << status;
  EXPECT_NE(status.message().find("value"), std::string::npos) << status;
}

TEST_F(XdsSchemaTest, ChecksThatEveryIncludeHasItsPart) {
  const absl::Status status = schema_->Validate(request_.xml, {{"other@navette", cda_}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("no such part"), std::string::npos) << status;
  EXPECT_TRUE(schema_->Validate(request_.xml).ok());  // no parts: the shape only
}

TEST_F(XdsSchemaTest, RefusesWhatIsNotXml) {
  const absl::Status status = schema_->Validate("<lcm:SubmitObjectsRequest");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("not well-formed"), std::string::npos) << status;
}

}  // namespace
}  // namespace navette::adapters::dmp::xds
