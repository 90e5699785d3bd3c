// Document ids, setIds and versions: stable for the same message, TXA-12
// when it is an OID, a replacement keeping the setId with RPLC; deletions
// and DMP-bound records without INS.
#include "routes/cda/document_ids.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/cda/build_cda_step.h"
#include "routes/cda/test_documents.h"

namespace navette::routes::cda {
namespace {

using testing::Cda;
using ::testing::HasSubstr;

class DocumentIdsTest : public ::testing::Test {
 protected:
  absl::StatusOr<BuildCdaResult> Build(uint64_t message_id) {
    return BuildCda(BuildCdaInput{.record = &record_,
                                  .identity = &identity_,
                                  .hospital = &hospital_,
                                  .message_id = message_id,
                                  .now_us = now_us_,
                                  .versions = &versions_,
                                  .render_letter = nullptr});
  }

  navette::config::Hospital hospital_ = testing::TestHospital();
  identity::Identity identity_ = testing::TestIdentity();
  navette::document::Document record_ = testing::TestRecord("34874-8", "CR opératoire");
  testing::MemoryVersions versions_;
  int64_t now_us_ = 1767225600000000;
};

TEST_F(DocumentIdsTest, TheSameMessageGetsTheSameIdsAfterACrashOrAReplay) {
  auto first = Build(81);
  now_us_ += 3600LL * 1000000;  // routed again an hour later
  auto again = Build(81);
  auto other = Build(82);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->info.id(), "1.2.250.1.999.7.1.1.81");
  EXPECT_EQ(first->info.set_id(), "1.2.250.1.999.7.1.2.81");
  EXPECT_EQ(again->info.id(), first->info.id());
  EXPECT_EQ(again->info.set_id(), first->info.set_id());
  EXPECT_NE(other->info.id(), first->info.id());
  EXPECT_NE(other->info.set_id(), first->info.set_id());
  EXPECT_TRUE(IsOid(first->info.id()));
  EXPECT_EQ(first->version.id(), first->info.id());
  EXPECT_EQ(first->version.version(), 1u);
  EXPECT_EQ(first->version.message_id(), 81u);
}

TEST_F(DocumentIdsTest, TheProducersDocumentIdIsKeptWhenItIsAnOid) {
  record_.set_document_id("1.2.250.1.999.55.3.20261203.1");
  auto built = Build(9);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->info.id(), "1.2.250.1.999.55.3.20261203.1");
  EXPECT_EQ(Cda(built->xml).One("/h:ClinicalDocument/h:id/@root"), "1.2.250.1.999.55.3.20261203.1");
  record_.set_document_id("CR-2026-0042");  // not an OID: the DMP cannot take it
  built = Build(9);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->info.id(), "1.2.250.1.999.7.1.1.9");
}

TEST_F(DocumentIdsTest, AReplacementKeepsTheSetIdIncrementsTheVersionAndLinksRplc) {
  store::DocumentVersion previous;
  previous.set_id("1.2.250.1.999.7.1.1.81");
  previous.set_set_id("1.2.250.1.999.7.1.2.81");
  previous.set_version(2);
  versions_.Add(previous);
  record_.set_action(navette::document::REPLACE);
  record_.set_parent_document_id("1.2.250.1.999.7.1.1.81");
  auto built = Build(95);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->info.id(), "1.2.250.1.999.7.1.1.95");
  EXPECT_EQ(built->info.set_id(), "1.2.250.1.999.7.1.2.81");
  EXPECT_EQ(built->info.version(), 3u);
  EXPECT_EQ(built->info.parent_id(), "1.2.250.1.999.7.1.1.81");
  EXPECT_EQ(built->version.parent_id(), "1.2.250.1.999.7.1.1.81");
  Cda cda(built->xml);
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:setId/@root"), "1.2.250.1.999.7.1.2.81");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:versionNumber/@value"), "3");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:relatedDocument/@typeCode"), "RPLC");
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:relatedDocument/h:parentDocument/h:id/@root"),
            "1.2.250.1.999.7.1.1.81");
  EXPECT_EQ(
      cda.One("/h:ClinicalDocument/h:relatedDocument/h:parentDocument/h:versionNumber/@value"),
      "2");
}

TEST_F(DocumentIdsTest, AReplacementOfAnUnknownOrUnnamedVersionIsRefused) {
  record_.set_action(navette::document::REPLACE);
  record_.set_parent_document_id("1.2.250.1.999.7.1.1.404");
  auto built = Build(96);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("TXA-13 1.2.250.1.999.7.1.1.404"));
  EXPECT_THAT(built.status().message(), HasSubstr("never emitted"));
  record_.clear_parent_document_id();
  built = Build(96);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("TXA-13"));
}

TEST_F(DocumentIdsTest, ADeletionBuildsNothing) {
  record_.set_action(navette::document::DELETE);
  auto built = Build(97);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->kind, BuildCdaResult::Kind::kNothing);
  EXPECT_TRUE(built->xml.empty());
  EXPECT_THAT(built->notes.front(), HasSubstr("deletion"));
}

TEST_F(DocumentIdsTest, ADmpBoundRecordWithoutInsIsRefused) {
  identity_.clear_ins();
  auto built = Build(98);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("DESTDMP"));
  record_.mutable_flags()->set_dest_dmp(false);
  EXPECT_TRUE(Build(98).ok());
}

TEST(OidTest, OnlyDigitsAndDotsWithoutLeadingZeros) {
  EXPECT_TRUE(IsOid("1.2.250.1.213.1.4.10"));
  EXPECT_FALSE(IsOid("1.2.250.01"));
  EXPECT_FALSE(IsOid("1..2"));
  EXPECT_FALSE(IsOid("1"));
  EXPECT_FALSE(IsOid("1.2.x"));
  EXPECT_FALSE(IsOid(std::string(70, '1')));
  navette::config::Hospital hospital = testing::TestHospital();
  hospital.set_oid_root("not-an-oid");
  navette::document::Document record = testing::TestRecord("34874-8", "CR");
  auto ids = AssignIds(record, hospital, 1, nullptr);
  EXPECT_TRUE(absl::IsInvalidArgument(ids.status()));
  EXPECT_THAT(ids.status().message(), HasSubstr("hospital.oid_root"));
}

}  // namespace
}  // namespace navette::routes::cda
