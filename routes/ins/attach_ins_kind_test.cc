// The attach_ins step as a route runs it: each outcome (continue, park,
// dead) under each on_missing policy, the times it gives by its clock, and
// its kind's defaults and factory.
#include "routes/ins/attach_ins_kind.h"

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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Kind = StepOutcome::Kind;
using OnMissing = navette::config::AttachInsStep::OnMissing;
using namespace std::chrono_literals;

const std::string kKey = std::string("IPP42\x1f") + std::string(kTestAuthority);
constexpr std::string_view kIpp42 = "IPP42^^^CHU-X&000897406&N^PI";
constexpr std::string_view kSentIns =
    "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20101207";
constexpr std::string_view kMatricule = "279035121518989";
constexpr std::string_view kTraits =
    "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220";

std::string Oru(std::string_view identifiers, std::string_view traits = kTraits) {
  return "MSH|^~\\&|SIL-Y|labo|PFI-X|Organisation-X|202106060931||ORU^R01^ORU_R01|015|P|2.5|||||"
         "FRA|UNICODE UTF-8\rPID|1||" +
         std::string(identifiers) + "||" + std::string(traits) +
         "\rOBR|1|98765431^Nephro\rOBX|1|NM|2160-0^Creatinine^LN||81\r";
}

class AttachInsKindTest : public ::testing::Test {
 protected:
  AttachInsKindTest() { identity_.set_environment(navette::config::IdentitySettings::TEST); }

  std::unique_ptr<Step> Make(OnMissing on_missing) {
    navette::config::AttachInsStep config;
    config.set_on_missing(on_missing);
    kinds::StepContext context;
    context.clock = &clock_;
    context.identity = &identity_;
    context.identities = &reader_;
    auto step = AttachInsKind().create(config, context);
    EXPECT_TRUE(step.ok()) << step.status();
    return step.ok() ? std::move(*step) : nullptr;
  }

  // Runs a step made with `on_missing` on `document`, its envelope holding
  // the same bytes unless `raw` says otherwise.
  absl::StatusOr<StepOutcome> Run(OnMissing on_missing, const std::string& document,
                                  const std::string& raw = "") {
    envelope_.set_raw(raw.empty() ? document : raw);
    envelope_.set_charset("UNICODE UTF-8");
    StepInput input;
    input.message_id = 7;
    input.envelope = &envelope_;
    input.document = document;
    input.route = "lab";
    std::unique_ptr<Step> step = Make(on_missing);
    if (step == nullptr) return absl::InternalError("no step");
    return step->Run(input);
  }

  FakeClock clock_;
  navette::config::IdentitySettings identity_;
  MemoryIdentityReader reader_;
  navette::Envelope envelope_;
};

TEST_F(AttachInsKindTest, QualifiedIdentityContinuesWithTheInsWritten) {
  reader_.records[kKey] = TestPatient("IPP42", identity::QUALIFIED);
  // Whatever the policy.
  for (OnMissing on_missing :
       {navette::config::AttachInsStep::PARK, navette::config::AttachInsStep::DEAD,
        navette::config::AttachInsStep::CONTINUE_WITHOUT_INS}) {
    auto outcome = Run(on_missing, Oru(kIpp42));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->kind, Kind::kContinue);
    ASSERT_TRUE(outcome->output.has_value());
    EXPECT_THAT(*outcome->output,
                HasSubstr("279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"));
    ASSERT_TRUE(outcome->identity.has_value());
    EXPECT_EQ(outcome->identity->ins().matricule(), kMatricule);
    EXPECT_THAT(outcome->notes, ElementsAre("attach_ins: INS and traits written into PID-3"));
    EXPECT_FALSE(outcome->identity_update.has_value());
  }
}

TEST_F(AttachInsKindTest, ReadsTheDocumentAsEarlierStepsLeftIt) {
  reader_.records[kKey] = TestPatient("IPP42", identity::QUALIFIED);
  // The envelope's own bytes name nobody; the document does.
  auto outcome = Run(navette::config::AttachInsStep::DEAD, Oru(kIpp42), Oru(""));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_TRUE(outcome->output.has_value());
}

TEST_F(AttachInsKindTest, UnknownPatientParksUnderItsKeyAtTheClocksTime) {
  clock_.Advance(90s);
  auto outcome = Run(navette::config::AttachInsStep::PARK, Oru(kIpp42));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kPark);
  EXPECT_EQ(outcome->reason, "attach_ins: patient unknown to the identity store");
  EXPECT_EQ(outcome->park_key, kKey);
  EXPECT_EQ(outcome->at_us, clock_.NowMicros());
  EXPECT_FALSE(outcome->output.has_value());
  EXPECT_THAT(outcome->notes, IsEmpty());
}

TEST_F(AttachInsKindTest, ProvisionalIdentityParksWithItsStatus) {
  reader_.records[kKey] = TestPatient("IPP42", identity::PROVISIONAL);
  auto outcome = Run(navette::config::AttachInsStep::PARK, Oru(kIpp42));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kPark);
  EXPECT_EQ(outcome->reason, "attach_ins: identity not qualified (provisional)");
  EXPECT_EQ(outcome->park_key, kKey);
}

TEST_F(AttachInsKindTest, DocumentNamingNoPatientCannotPark) {
  clock_.Advance(5s);
  auto outcome = Run(navette::config::AttachInsStep::PARK, Oru(""));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_EQ(outcome->reason,
            "attach_ins: no patient identifier in PID-3 (neither an IPP nor an INS) (a document "
            "naming no patient cannot be parked)");
  EXPECT_EQ(outcome->at_us, clock_.NowMicros());
}

TEST_F(AttachInsKindTest, OnMissingDeadFailsAtOnce) {
  clock_.Advance(7s);
  auto outcome = Run(navette::config::AttachInsStep::DEAD, Oru(kIpp42));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_EQ(outcome->reason, "attach_ins: patient unknown to the identity store");
  EXPECT_EQ(outcome->at_us, clock_.NowMicros());
  EXPECT_TRUE(outcome->park_key.empty());
}

TEST_F(AttachInsKindTest, ContinueWithoutInsRemovesAnInsTheDocumentCarried) {
  reader_.records[kKey] = TestPatient("IPP42", identity::PROVISIONAL);
  const std::string with_ins = Oru(std::string(kIpp42) + "~" + std::string(kSentIns));
  auto stripped = Run(navette::config::AttachInsStep::CONTINUE_WITHOUT_INS, with_ins);
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  EXPECT_EQ(stripped->kind, Kind::kContinue);
  ASSERT_TRUE(stripped->output.has_value());
  EXPECT_THAT(*stripped->output, Not(HasSubstr(std::string(kMatricule))));
  EXPECT_THAT(*stripped->output, HasSubstr(std::string(kIpp42)));
  EXPECT_FALSE(stripped->identity.has_value());
  EXPECT_THAT(stripped->notes,
              ElementsAre("attach_ins: identity not qualified (provisional): the INS the "
                          "document carried removed from PID-3"));

  // A document without an INS goes as it came.
  auto as_is = Run(navette::config::AttachInsStep::CONTINUE_WITHOUT_INS, Oru(kIpp42));
  ASSERT_TRUE(as_is.ok()) << as_is.status();
  EXPECT_EQ(as_is->kind, Kind::kContinue);
  EXPECT_FALSE(as_is->output.has_value());
  EXPECT_THAT(as_is->notes,
              ElementsAre("attach_ins: identity not qualified (provisional): sent without the "
                          "INS"));
}

TEST_F(AttachInsKindTest, MismatchIsDeadWhateverThePolicy) {
  reader_.records[kKey] = TestPatient("IPP42", identity::QUALIFIED);
  const std::string other_name =
      Oru(std::string(kIpp42) + "~" + std::string(kSentIns),
          "PAT-TRIOS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220");
  for (OnMissing on_missing : {navette::config::AttachInsStep::PARK,
                               navette::config::AttachInsStep::CONTINUE_WITHOUT_INS}) {
    auto outcome = Run(on_missing, other_name);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->kind, Kind::kDead);
    EXPECT_EQ(outcome->reason, "attach_ins: birth name (PID-5.1) differs from the identity store");
    EXPECT_EQ(outcome->at_us, clock_.NowMicros());
  }
}

TEST_F(AttachInsKindTest, UnreadableDocumentIsDead) {
  auto outcome = Run(navette::config::AttachInsStep::CONTINUE_WITHOUT_INS,
                     "MSH|^~\\&|SIL|LABO|||20261122||ORU^R01|1|P|2.5\rOBX|1|NM|x||1\r");
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, ::testing::StartsWith("attach_ins: "));
  EXPECT_THAT(outcome->reason, HasSubstr("PID"));
}

TEST_F(AttachInsKindTest, StoreFailureIsAnErrorNotAnOutcome) {
  reader_.error = absl::UnavailableError("store is closed");
  auto outcome = Run(navette::config::AttachInsStep::DEAD, Oru(kIpp42));
  EXPECT_TRUE(absl::IsUnavailable(outcome.status())) << outcome.status();
}

TEST_F(AttachInsKindTest, ProductionRefusesATestInsNamingThePatient) {
  identity_.set_environment(navette::config::IdentitySettings::PRODUCTION);
  // No IPP: the test INS would name the patient, and production refuses it.
  auto outcome = Run(navette::config::AttachInsStep::PARK, Oru(kSentIns));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, HasSubstr("cannot name the patient"));
}

TEST(AttachInsKindRowTest, DefaultsAreQualifiedAndPark) {
  kinds::StepKind kind = AttachInsKind();
  EXPECT_EQ(kind.name, "attach_ins");
  EXPECT_EQ(kind.config_type, navette::config::AttachInsStep::descriptor());
  navette::config::AttachInsStep config;
  kind.apply_defaults(config);
  EXPECT_EQ(config.require(), navette::config::AttachInsStep::QUALIFIED);
  EXPECT_EQ(config.on_missing(), navette::config::AttachInsStep::PARK);

  navette::config::AttachInsStep dead;
  dead.set_on_missing(navette::config::AttachInsStep::DEAD);
  kind.apply_defaults(dead);
  EXPECT_EQ(dead.on_missing(), navette::config::AttachInsStep::DEAD);
}

TEST(AttachInsKindRowTest, DryRunBuildsNothingAndNeedsNoStore) {
  FakeClock clock;
  navette::config::IdentitySettings identity;
  kinds::StepContext context;
  context.clock = &clock;
  context.identity = &identity;
  context.dry_run = true;
  auto dry = AttachInsKind().create(navette::config::AttachInsStep(), context);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(*dry, nullptr);

  context.dry_run = false;
  EXPECT_FALSE(AttachInsKind().create(navette::config::AttachInsStep(), context).ok());
}

}  // namespace
}  // namespace navette::routes::ins
