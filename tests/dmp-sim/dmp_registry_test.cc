// The registry's invariants without any XML: duplicates, RPLC of the latest
// and of an older version, status and confidentiality updates.
#include "tests/dmp-sim/dmp_registry.h"

#include <gtest/gtest.h>

namespace navette::testing::dmp_sim {
namespace {

constexpr char kPatient[] = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH";

NewEntry Entry(const std::string& uuid, const std::string& unique_id, const std::string& hash,
               const std::string& replaces = {}) {
  NewEntry entry;
  entry.entry.entry_uuid = uuid;
  entry.entry.unique_id = unique_id;
  entry.entry.patient_id = kPatient;
  entry.entry.hash = hash;
  entry.replaces_entry_uuid = replaces;
  return entry;
}

std::string OnlyCode(const std::vector<XdsError>& errors) {
  return errors.size() == 1 ? errors[0].code : std::to_string(errors.size()) + " errors";
}

TEST(DmpRegistryTest, SameUniqueIdIsADuplicateAndOtherBytesANonIdenticalHash) {
  DmpRegistry registry;
  ASSERT_TRUE(registry.Register({Entry("urn:uuid:a", "1.2.3.1", "aa")}).empty());
  EXPECT_EQ(OnlyCode(registry.Register({Entry("urn:uuid:b", "1.2.3.1", "aa")})),
            "XDSDuplicateUniqueIdInRegistry");
  EXPECT_EQ(OnlyCode(registry.Register({Entry("urn:uuid:c", "1.2.3.1", "bb")})),
            "XDSNonIdenticalHash");
  EXPECT_EQ(registry.size(), 1u);
}

TEST(DmpRegistryTest, ReplacingTheLatestDeprecatesItAndAnOlderVersionIsRefused) {
  DmpRegistry registry;
  ASSERT_TRUE(registry.Register({Entry("urn:uuid:v1", "1.2.3.1", "h1")}).empty());
  ASSERT_TRUE(registry.Register({Entry("urn:uuid:v2", "1.2.3.2", "h2", "urn:uuid:v1")}).empty());
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:v1")->status, EntryStatus::kDeprecated);
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:v1")->replaced_by, "urn:uuid:v2");
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:v2")->status, EntryStatus::kApproved);

  std::vector<XdsError> refused =
      registry.Register({Entry("urn:uuid:v3", "1.2.3.3", "h3", "urn:uuid:v1")});
  EXPECT_EQ(OnlyCode(refused), "XDSRegistryDeprecatedDocumentError");
  EXPECT_NE(refused[0].context.find("urn:uuid:v1"), std::string::npos) << refused[0].context;
  EXPECT_EQ(OnlyCode(registry.Register({Entry("urn:uuid:v4", "1.2.3.4", "h4", "urn:uuid:x")})),
            "XDSReplaceFailed");
  EXPECT_FALSE(registry.FindByEntryUuid("urn:uuid:v3").has_value());
}

TEST(DmpRegistryTest, StatusChangeNeedsTheRightOriginalStatus) {
  DmpRegistry registry;
  ASSERT_TRUE(registry.Register({Entry("urn:uuid:a", "1.2.3.1", "aa")}).empty());
  EXPECT_EQ(
      registry.UpdateStatus("urn:uuid:zz", EntryStatus::kApproved, EntryStatus::kDeleted)->code,
      "XDSMetadataUpdateError");
  EXPECT_FALSE(registry.UpdateStatus("urn:uuid:a", EntryStatus::kApproved, EntryStatus::kArchived));
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:a")->status, EntryStatus::kArchived);
  EXPECT_TRUE(registry.UpdateStatus("urn:uuid:a", EntryStatus::kApproved, EntryStatus::kDeleted));
  EXPECT_EQ(EntryStatusUrn(EntryStatus::kDeleted),
            std::string("urn:asip:ci-sis:2010:StatusType:Deleted"));
}

TEST(DmpRegistryTest, ConfidentialityUpdateChecksTheVersion) {
  DmpRegistry registry;
  ASSERT_TRUE(registry.Register({Entry("urn:uuid:a", "1.2.3.1", "aa")}).empty());
  EXPECT_EQ(registry.UpdateConfidentiality("urn:uuid:a", 2, {"N^x"})->code,
            "XDSMetadataVersionError");
  EXPECT_FALSE(registry.UpdateConfidentiality("urn:uuid:a", 1, {"N^x", "MASQUE_PS^y"}));
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:a")->version, 2);
  EXPECT_EQ(registry.FindByEntryUuid("urn:uuid:a")->confidentiality_codes,
            (std::vector<std::string>{"N^x", "MASQUE_PS^y"}));
}

}  // namespace
}  // namespace navette::testing::dmp_sim
