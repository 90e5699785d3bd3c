// What the dmp destination decides before it speaks to the DMP: who may
// have a document in their DMP, who answers for the VIHF, the submission's
// fresh ids, and where a document stands after the receipts of the earlier
// messages about it.
#include "adapters/dmp/dmp_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::dmp {
namespace {

using navette::document::DmpReceipt;
using ::testing::HasSubstr;

navette::identity::Identity Qualified(const std::string& oid = "1.2.250.1.213.1.4.8") {
  navette::identity::Identity identity;
  identity.set_status(navette::identity::QUALIFIED);
  identity.mutable_ins()->set_matricule("279035121518989");
  identity.mutable_ins()->set_oid(oid);
  return identity;
}

TEST(RefusePatientTest, OnlyAQualifiedInsNotOpposedReachesTheDmp) {
  EXPECT_EQ(RefusePatient(nullptr, false)->code, "INS_ABSENT");
  navette::identity::Identity identity = Qualified();
  EXPECT_FALSE(RefusePatient(&identity, false).has_value());

  identity.set_status(navette::identity::VALIDATED);
  EXPECT_EQ(RefusePatient(&identity, false)->code, "INS_NON_QUALIFIEE");

  identity = Qualified("1.2.250.1.213.1.4.10");
  EXPECT_EQ(RefusePatient(&identity, false)->code, "INS_OID_TEST");
  EXPECT_FALSE(RefusePatient(&identity, true).has_value());

  identity = Qualified("1.2.250.1.213.1.4.2");  // the withdrawn INS-C
  EXPECT_EQ(RefusePatient(&identity, true)->code, "INS_OID");

  identity = Qualified();
  identity.mutable_dmp()->set_feeding("IO");
  std::optional<Refusal> opposed = RefusePatient(&identity, false);
  ASSERT_TRUE(opposed.has_value());
  EXPECT_EQ(opposed->code, "OPPOSITION_ALIMENTATION");
  EXPECT_THAT(opposed->reason, HasSubstr("ZFA-9"));
  identity.mutable_dmp()->set_feeding("INO");
  EXPECT_FALSE(RefusePatient(&identity, false).has_value());
}

xds::DocumentMetadata Metadata() {
  xds::DocumentMetadata metadata;
  metadata.patient.ins = "279035121518989";
  metadata.patient.ins_oid = "1.2.250.1.213.1.4.8";
  metadata.author.institution_id = "1120459876";
  metadata.author.person = {"899900063480", "1.2.250.1.71.4.2.1", "LIBRE", "Max"};
  return metadata;
}

DmpSettings Settings() {
  DmpSettings settings;
  settings.hospital.set_finess("010000001");
  settings.source_id = "1.2.250.1.999.1";
  settings.content_type = {"04", "", "1.2.250.1.213.2.2"};
  return settings;
}

TEST(VihfRequestForTest, TheSenderAnswersElseTheConfiguredPersonElseTheAuthor) {
  const auto now = std::chrono::system_clock::now();
  navette::document::Document record;
  auto request = VihfRequestFor(Metadata(), record, Settings(), now);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->responsible_id, "899900063480");  // the CDA's author
  EXPECT_EQ(request->responsible_name, "LIBRE Max");
  EXPECT_EQ(request->structure_id, "1120459876");  // the authorInstitution
  EXPECT_EQ(request->patient_ins, "279035121518989");

  DmpSettings settings = Settings();
  settings.responsible_id = "10001";
  EXPECT_EQ(VihfRequestFor(Metadata(), record, settings, now)->responsible_id, "10001");

  auto* sender = record.add_participants();
  sender->set_role(navette::document::Participant::SENDER);
  sender->mutable_person()->mutable_id()->set_id("801234564895");
  sender->mutable_person()->set_family("MARTIN");
  sender->mutable_person()->set_given("Paul");
  request = VihfRequestFor(Metadata(), record, settings, now);
  EXPECT_EQ(request->responsible_id, "801234564895");
  EXPECT_EQ(request->responsible_name, "MARTIN Paul");

  xds::DocumentMetadata anonymous = Metadata();
  anonymous.author.person = {};
  anonymous.author.institution_id.clear();
  auto nobody = VihfRequestFor(anonymous, navette::document::Document(), Settings(), now);
  EXPECT_THAT(nobody.status().message(), HasSubstr("dmp.vihf.responsible_id"));
  settings.responsible_id = "10001";
  auto from_finess = VihfRequestFor(anonymous, navette::document::Document(), settings, now);
  ASSERT_TRUE(from_finess.ok());
  EXPECT_EQ(from_finess->structure_id, "1010000001");
}

TEST(NewSubmissionSetTest, EachSubmissionHasItsOwnUuidOid) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    xds::SubmissionSet set = NewSubmissionSet(Settings(), absl::Now());
    EXPECT_TRUE(set.unique_id.starts_with("2.25.")) << set.unique_id;
    EXPECT_TRUE(xds::IsOid(set.unique_id)) << set.unique_id;
    seen.insert(set.unique_id);
    EXPECT_EQ(set.source_id, "1.2.250.1.999.1");
  }
  EXPECT_EQ(seen.size(), 100u);
}

KeptReceipt Kept(uint64_t message, DmpReceipt::Operation operation, const std::string& entry,
                 const std::string& unique_id, uint32_t version = 1, bool accepted = true) {
  DmpReceipt receipt;
  receipt.set_accepted(accepted);
  receipt.set_operation(operation);
  receipt.set_entry_uuid(entry);
  receipt.set_unique_id(unique_id);
  receipt.set_entry_version(version);
  KeptReceipt kept;
  kept.message_id = message;
  kept.receipt.set_route("r");
  kept.receipt.mutable_body()->PackFrom(receipt);
  return kept;
}

TEST(EntryAfterTest, TheLatestVersionWithItsMaskingAndDeletion) {
  std::vector<KeptReceipt> receipts = {
      Kept(1, DmpReceipt::REGISTER, "urn:uuid:a", "1.1"),
      Kept(2, DmpReceipt::REPLACE, "urn:uuid:b", "1.2"),
      Kept(3, DmpReceipt::CONFIDENTIALITY, "urn:uuid:b", "1.2", 2),
      Kept(4, DmpReceipt::REGISTER, "urn:uuid:c", "1.3", 1, /*accepted=*/false),
  };
  std::optional<DmpEntry> latest = EntryAfter(receipts);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->entry_uuid, "urn:uuid:b");
  EXPECT_EQ(latest->entry_version, 2u);
  EXPECT_EQ(latest->message_id, 2u);  // the bytes are those the replacement sent
  EXPECT_FALSE(latest->deleted);
  std::optional<DmpEntry> first = EntryAfter(receipts, "1.1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->entry_uuid, "urn:uuid:a");
  EXPECT_FALSE(EntryAfter(receipts, "1.3").has_value());  // refused: never registered
  EXPECT_FALSE(EntryAfter({}).has_value());

  receipts.push_back(Kept(5, DmpReceipt::DELETE, "urn:uuid:b", "1.2", 2));
  EXPECT_TRUE(EntryAfter(receipts)->deleted);
}

}  // namespace
}  // namespace navette::adapters::dmp
