#include "routes/ins/identity_reader.h"
#include "routes/ins/test_identities.h"

#include <map>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace navette::routes::ins {
namespace {

using ::testing::HasSubstr;

using FakeReader = MemoryIdentityReader;

const std::string kKeyA = std::string("IPP-A\x1f") + "CHU-X&000897406&N";
const std::string kKeyB = std::string("IPP-B\x1f") + "CHU-X&000897406&N";
const std::string kKeyC = std::string("IPP-C\x1f") + "CHU-X&000897406&N";

// The ANS test patient, qualified, with its INS and every strict trait.
identity::Identity QualifiedPatTrois(std::string_view ipp) {
  identity::Identity identity = TestPatient(ipp, identity::QUALIFIED);
  identity.set_reliability_code("QUAL");
  return identity;
}

identity::Identity LinkTo(std::string_view ipp, const std::string& survivor) {
  identity::Identity link = QualifiedPatTrois(ipp);
  link.set_merged_into(survivor);
  return link;
}

TEST(ResolveTest, UnknownPatientIsNullopt) {
  FakeReader reader;
  reader.records[kKeyB] = QualifiedPatTrois("IPP-B");
  auto resolved = Resolve(reader, kKeyA);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_FALSE(resolved->has_value());
}

TEST(ResolveTest, RecordWithoutLinkIsItself) {
  FakeReader reader;
  reader.records[kKeyA] = QualifiedPatTrois("IPP-A");
  auto resolved = Resolve(reader, kKeyA);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_TRUE(resolved->has_value());
  EXPECT_EQ((*resolved)->patient, kKeyA);
  EXPECT_EQ((*resolved)->identity.SerializeAsString(), reader.records[kKeyA].SerializeAsString());
}

TEST(ResolveTest, FollowsAChainToTheSurvivor) {
  FakeReader reader;
  reader.records[kKeyA] = LinkTo("IPP-A", kKeyB);
  reader.records[kKeyB] = LinkTo("IPP-B", kKeyC);
  identity::Identity survivor = QualifiedPatTrois("IPP-C");
  survivor.set_updated_by(77);
  reader.records[kKeyC] = survivor;
  auto resolved = Resolve(reader, kKeyA);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_TRUE(resolved->has_value());
  EXPECT_EQ((*resolved)->patient, kKeyC);
  EXPECT_EQ((*resolved)->identity.ipp(), "IPP-C");
  EXPECT_EQ((*resolved)->identity.updated_by(), 77u);
  EXPECT_TRUE((*resolved)->identity.merged_into().empty());
}

TEST(ResolveTest, ChainToAnUnknownKeyIsNullopt) {
  FakeReader reader;
  reader.records[kKeyA] = LinkTo("IPP-A", kKeyB);
  auto resolved = Resolve(reader, kKeyA);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_FALSE(resolved->has_value());
}

TEST(ResolveTest, LoopIsAnError) {
  FakeReader reader;
  reader.records[kKeyA] = LinkTo("IPP-A", kKeyB);
  reader.records[kKeyB] = LinkTo("IPP-B", kKeyA);
  auto resolved = Resolve(reader, kKeyA);
  ASSERT_FALSE(resolved.ok());
  EXPECT_THAT(resolved.status().message(), HasSubstr("loop"));
  // The error names no patient.
  EXPECT_THAT(resolved.status().message(), ::testing::Not(HasSubstr("IPP-")));
  // It stops after a bounded number of reads.
  EXPECT_LT(reader.reads, 100);
}

TEST(ResolveTest, SelfLoopIsAnError) {
  FakeReader reader;
  reader.records[kKeyA] = LinkTo("IPP-A", kKeyA);
  EXPECT_FALSE(Resolve(reader, kKeyA).ok());
}

TEST(ResolveTest, ReaderErrorPropagates) {
  FakeReader reader;
  reader.records[kKeyA] = QualifiedPatTrois("IPP-A");
  reader.error = absl::UnavailableError("store is closed");
  auto resolved = Resolve(reader, kKeyA);
  EXPECT_TRUE(absl::IsUnavailable(resolved.status())) << resolved.status();
  EXPECT_EQ(resolved.status().message(), "store is closed");
}

TEST(CanCarryInsTest, QualifiedWithInsAndEveryTrait) {
  const identity::Identity identity = QualifiedPatTrois("IPP-A");
  EXPECT_TRUE(CanCarryIns(identity));
  EXPECT_EQ(WhyNoIns(identity), "");
}

TEST(CanCarryInsTest, StatusBelowQualifiedIsNamed) {
  for (const auto& [status, word] :
       {std::pair(identity::PROVISIONAL, "provisional"),
        std::pair(identity::RECOVERED, "recovered"), std::pair(identity::VALIDATED, "validated"),
        std::pair(identity::IDENTITY_STATUS_UNSPECIFIED, "no status")}) {
    identity::Identity identity = QualifiedPatTrois("IPP-A");
    identity.set_status(status);
    EXPECT_FALSE(CanCarryIns(identity)) << word;
    EXPECT_EQ(WhyNoIns(identity), std::string("identity not qualified (") + word + ")");
  }
}

TEST(CanCarryInsTest, DoubtfulOrFictitiousCannot) {
  identity::Identity doubtful = QualifiedPatTrois("IPP-A");
  doubtful.set_doubtful(true);
  EXPECT_FALSE(CanCarryIns(doubtful));
  EXPECT_THAT(WhyNoIns(doubtful), HasSubstr("doubtful"));

  identity::Identity fictitious = QualifiedPatTrois("IPP-A");
  fictitious.set_fictitious(true);
  EXPECT_FALSE(CanCarryIns(fictitious));
  EXPECT_THAT(WhyNoIns(fictitious), HasSubstr("fictitious"));
}

TEST(CanCarryInsTest, QualifiedWithoutInsCannot) {
  identity::Identity identity = QualifiedPatTrois("IPP-A");
  identity.clear_ins();
  EXPECT_FALSE(CanCarryIns(identity));
  EXPECT_THAT(WhyNoIns(identity), HasSubstr("without an INS"));

  identity::Identity empty_matricule = QualifiedPatTrois("IPP-A");
  empty_matricule.mutable_ins()->clear_matricule();
  EXPECT_FALSE(CanCarryIns(empty_matricule));
}

TEST(CanCarryInsTest, QualifiedMissingATraitNamesIt) {
  const auto* descriptor = identity::StrictTraits::descriptor();
  const auto* reflection = identity::StrictTraits::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    identity::Identity identity = QualifiedPatTrois("IPP-A");
    reflection->ClearField(identity.mutable_traits(), descriptor->field(i));
    const std::string name(descriptor->field(i)->name());
    EXPECT_FALSE(CanCarryIns(identity)) << name;
    const std::string why = WhyNoIns(identity);
    EXPECT_THAT(why, HasSubstr(name));
    // Names the trait, never its value.
    EXPECT_THAT(why, ::testing::Not(HasSubstr("PAT-TROIS")));
    EXPECT_THAT(why, ::testing::Not(HasSubstr("DOMINIQUE")));
  }
}

TEST(CanCarryInsTest, WhyNoInsNeverQuotesPatientData) {
  identity::Identity identity = QualifiedPatTrois("IPP-A");
  identity.set_status(identity::PROVISIONAL);
  const std::string why = WhyNoIns(identity);
  EXPECT_THAT(why, ::testing::Not(HasSubstr("279035121518989")));
  EXPECT_THAT(why, ::testing::Not(HasSubstr("IPP-A")));
}

}  // namespace
}  // namespace navette::routes::ins
