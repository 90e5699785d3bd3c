// The identity_feed step as a route runs it: an identity update, an event
// that changes nothing, a dead ADT, a store that cannot be read, and the
// settings and clock it gets from its kind's factory.
#include "routes/ins/identity_feed_kind.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/ins/test_identities.h"
#include "tests/support/fake_clock.h"

namespace navette::routes::ins {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using Kind = StepOutcome::Kind;
using namespace std::chrono_literals;

const std::string kKey = std::string("IPP42\x1f") + std::string(kTestAuthority);
constexpr uint64_t kMessageId = 0x0123456789abcdef;

// An ADT of the ANS test patient, event `trigger`, PID-32 `reliability`.
std::string Adt(std::string_view trigger, std::string_view reliability) {
  return "MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|20260101120000||ADT^" + std::string(trigger) +
         "|MSG1|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM\r"
         "EVN||20260101120000\r"
         "PID|1||IPP42^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213."
         "1.4.10&ISO^INS^^20101207||PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||"
         "^^^^^^BDL^^63220|||||||||||||||||||||" +
         std::string(reliability) + "\r";
}

class IdentityFeedKindTest : public ::testing::Test {
 protected:
  IdentityFeedKindTest() { identity_.set_environment(navette::config::IdentitySettings::TEST); }

  absl::StatusOr<StepOutcome> Run(const std::string& document, bool planned = false) {
    kinds::StepContext context;
    context.clock = &clock_;
    context.identity = &identity_;
    context.identities = &reader_;
    auto step = IdentityFeedKind().create(navette::config::IdentityFeedStep(), context);
    if (!step.ok()) return step.status();
    envelope_.set_raw(document);
    envelope_.set_charset("UNICODE UTF-8");
    StepInput input;
    input.message_id = kMessageId;
    input.envelope = &envelope_;
    input.document = document;
    input.route = "identities";
    input.identity_update_planned = planned;
    return (*step)->Run(input);
  }

  FakeClock clock_;
  navette::config::IdentitySettings identity_;
  MemoryIdentityReader reader_;
  navette::Envelope envelope_;
};

TEST_F(IdentityFeedKindTest, UpdateContinuesWithTheIdentityUpdateDatedByTheClock) {
  clock_.Advance(42s);
  auto outcome = Run(Adt("A28", "QUAL"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  ASSERT_TRUE(outcome->identity_update.has_value());
  const store::IdentityUpdate& update = *outcome->identity_update;
  EXPECT_EQ(update.patient, kKey);
  EXPECT_EQ(update.identity.status(), identity::QUALIFIED);
  EXPECT_EQ(update.identity.updated_at_us(), clock_.NowMicros());
  EXPECT_EQ(update.identity.updated_by(), kMessageId);
  EXPECT_EQ(update.change.at_us(), clock_.NowMicros());
  EXPECT_EQ(update.change.summary(), "created (qualified, with INS)");
  // The update's history tells the change: no note of its own.
  EXPECT_THAT(outcome->notes, IsEmpty());
  EXPECT_FALSE(outcome->output.has_value());
}

TEST_F(IdentityFeedKindTest, EventChangingNoIdentityContinuesWithANote) {
  auto outcome = Run(Adt("A02", "QUAL"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_FALSE(outcome->identity_update.has_value());
  EXPECT_THAT(outcome->notes, ElementsAre("identity feed: A02 changes no identity"));
}

TEST_F(IdentityFeedKindTest, UpdatePlannedByAnotherRouteIsNotPlannedAgain) {
  auto outcome = Run(Adt("A28", "QUAL"), /*planned=*/true);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_FALSE(outcome->identity_update.has_value());
  EXPECT_THAT(outcome->notes, IsEmpty());
  EXPECT_EQ(reader_.reads, 0);
}

TEST_F(IdentityFeedKindTest, UnreadableAdtIsDeadAtTheClocksTime) {
  clock_.Advance(3s);
  std::string no_ipp = Adt("A28", "QUAL");
  no_ipp.replace(no_ipp.find("IPP42^^^CHU-X&000897406&N^PI~"), 29, "");
  auto outcome = Run(no_ipp);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, StartsWith("identity_feed: "));
  EXPECT_EQ(outcome->at_us, clock_.NowMicros());
  EXPECT_FALSE(outcome->identity_update.has_value());
}

TEST_F(IdentityFeedKindTest, UpdateOfAMergedIppIsDead) {
  identity::Identity merged = TestPatient("IPP42", identity::QUALIFIED);
  merged.set_merged_into(std::string("IPP7\x1f") + std::string(kTestAuthority));
  reader_.records[kKey] = merged;
  auto outcome = Run(Adt("A31", "QUAL"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_EQ(outcome->reason,
            "identity_feed: PID-3: this IPP was merged into another one (A40/A47); updates and "
            "merges must name the surviving IPP");
}

TEST_F(IdentityFeedKindTest, StoreFailureIsAnErrorNotAnOutcome) {
  reader_.error = absl::UnavailableError("store is closed");
  auto outcome = Run(Adt("A28", "QUAL"));
  EXPECT_TRUE(absl::IsUnavailable(outcome.status())) << outcome.status();
}

TEST_F(IdentityFeedKindTest, ReadsTheEnvironmentAndTheSitesReliabilityCodes) {
  // A site whose DPI writes XQ for qualified.
  (*identity_.mutable_reliability_codes())["XQ"] = navette::config::QUALIFIED;
  auto outcome = Run(Adt("A28", "XQ"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_TRUE(outcome->identity_update.has_value());
  EXPECT_EQ(outcome->identity_update->identity.status(), identity::QUALIFIED);

  // The test INS OID is refused in production.
  identity_.set_environment(navette::config::IdentitySettings::PRODUCTION);
  auto production = Run(Adt("A28", "QUAL"));
  ASSERT_TRUE(production.ok()) << production.status();
  EXPECT_EQ(production->kind, Kind::kDead);
  EXPECT_THAT(production->reason, StartsWith("identity_feed: "));
}

TEST(IdentityFeedKindRowTest, DryRunBuildsNothingAndNeedsNoStore) {
  FakeClock clock;
  navette::config::IdentitySettings identity;
  kinds::StepContext context;
  context.clock = &clock;
  context.identity = &identity;
  context.dry_run = true;
  kinds::StepKind kind = IdentityFeedKind();
  EXPECT_EQ(kind.name, "identity_feed");
  auto dry = kind.create(navette::config::IdentityFeedStep(), context);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(*dry, nullptr);

  context.dry_run = false;
  EXPECT_FALSE(kind.create(navette::config::IdentityFeedStep(), context).ok());
}

}  // namespace
}  // namespace navette::routes::ins
