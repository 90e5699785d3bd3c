// The step runner against a real store: what a route's steps add to the
// routing decision, and what they say for the history (RoutingDecision::notes,
// field names, never values).
#include "engine/step_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/keys.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

constexpr char kMatricule[] = "279035121518989";  // the ANS test patient, PAT-TROIS
constexpr char kInsOid[] = "1.2.250.1.213.1.4.10";
constexpr char kIpp[] = "000100^^^CHU-X&000897406&N^PI";
constexpr char kIns[] = "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS";
constexpr char kTraits[] = "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F|||^^^^^^BDL^^63220";

std::string Adt(const std::string& identifiers, const std::string& reliability) {
  return "MSH|^~\\&|GAM|CHU-X|PFI|CHU-X|20261122120000||ADT^A28^ADT_A05|A28-1|P|2.5^FRA^2.11|||||"
         "FRA|UNICODE UTF-8\rEVN||20261122120000\rPID|1||" +
         identifiers + "||" + kTraits + "|||||||||||||||||||||" + reliability + "\r";
}

std::string Oru(const std::string& identifiers, const std::string& traits = kTraits) {
  return "MSH|^~\\&|SIL|LABO|PFI|CHU-X|20261122120000||ORU^R01^ORU_R01|ORU-1|P|2.5|||||FRA|"
         "UNICODE UTF-8\rPID|1||" +
         identifiers + "||" + traits + "\rOBR|1|98765431\rOBX|1|NM|2160-0^Creatinine^LN||81\r";
}

navette::config::Step AttachIns(navette::config::AttachInsStep::OnMissing on_missing) {
  navette::config::Step step;
  step.mutable_attach_ins()->set_on_missing(on_missing);
  return step;
}

class StepRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("navette-step-runner-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
    StepSettings settings;
    settings.environment = routes::ins::Environment::kTest;
    runner_ = std::make_unique<StepRunner>(*store_, settings);
  }
  void TearDown() override {
    runner_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::StoredMessage Ingest(const std::string& raw) {
    store::StoredMessage message;
    message.set_id(ids_.Next());
    navette::Envelope* envelope = message.mutable_envelope();
    envelope->set_source("lab");
    envelope->set_raw(raw);
    envelope->set_charset("UNICODE UTF-8");
    store::IngressRecord record;
    record.id = message.id();
    record.envelope = envelope;
    record.content_hash = std::to_string(message.id());
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    return message;
  }

  // Runs `steps` as the route `route` to "outbox" (none for a feed).
  store::RoutingDecision Run(const store::StoredMessage& message, const std::string& route,
                             const std::vector<navette::config::Step>& steps,
                             std::vector<std::string> destinations = {"outbox"}) {
    routes::RouteMatch match;
    match.route = route;
    match.destinations = std::move(destinations);
    match.steps = &steps;
    store::RoutingDecision decision;
    decision.id = message.id();
    EXPECT_TRUE(runner_->RunRoute(message, match, "", decision).ok());
    return decision;
  }

  // The identity feed applies an A28 of the ANS test patient.
  void Feed(const std::string& identifiers, const std::string& reliability) {
    navette::config::Step feed;
    feed.mutable_identity_feed();
    store::RoutingDecision decision =
        Run(Ingest(Adt(identifiers, reliability)), "identities", {feed}, {});
    ASSERT_TRUE(decision.identity_update.has_value());
    ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1", [this] { return ids_.Next(); }).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StepRunner> runner_;
  store::MessageIdGenerator ids_;
};

TEST_F(StepRunnerTest, AttachedDocumentTellsTheFieldsWritten) {
  Feed(std::string(kIpp) + "~" + kIns, "QUAL");
  store::RoutingDecision decision =
      Run(Ingest(Oru(kIpp)), "lab", {AttachIns(navette::config::AttachInsStep::PARK)});
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_TRUE(decision.deliveries[0].has_output);
  EXPECT_TRUE(decision.deliveries[0].dead_reason.empty());
  EXPECT_THAT(decision.notes,
              ElementsAre(Pair("lab", "attach_ins: INS and traits written into PID-3")));
  ASSERT_EQ(decision.outputs.size(), 1u);
  EXPECT_THAT(decision.outputs[0].second.payload(), HasSubstr(kIns));

  // A document that names its patient by the INS alone, as attach_ins writes
  // it, and lacks the birthplace: only PID-11 is written.
  decision = Run(Ingest(Oru(kIns, "PAT-TROIS^DOMINIQUE^DOMINIQUE^^^^L||19790328|F")), "lab",
                 {AttachIns(navette::config::AttachInsStep::PARK)});
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_THAT(
      decision.notes,
      ElementsAre(
          Pair("lab", "attach_ins: patient found by its INS; INS and traits written into PID-11")));
}

TEST_F(StepRunnerTest, InsOnlyDocumentParksUnderItsInsAndSaysNothingWritten) {
  Feed(std::string(kIpp) + "~" + kIns, "PROV");
  store::RoutingDecision decision =
      Run(Ingest(Oru(kIns)), "lab", {AttachIns(navette::config::AttachInsStep::PARK)});
  EXPECT_THAT(decision.deliveries, IsEmpty());
  EXPECT_THAT(decision.notes, IsEmpty());
  ASSERT_EQ(decision.parked.size(), 1u);
  EXPECT_EQ(decision.parked[0].route(), "lab");
  EXPECT_EQ(decision.parked[0].patient(), store::InsParkKey(kInsOid, kMatricule));
  EXPECT_EQ(decision.parked[0].reason(), "attach_ins: identity not qualified (provisional)");
}

TEST_F(StepRunnerTest, ContinueWithoutInsTellsTheInsWasRemoved) {
  store::RoutingDecision decision = Run(
      Ingest(Oru(kIns)), "lab", {AttachIns(navette::config::AttachInsStep::CONTINUE_WITHOUT_INS)});
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_TRUE(decision.deliveries[0].has_output);
  EXPECT_THAT(decision.notes,
              ElementsAre(Pair("lab",
                               "attach_ins: INS unknown to the identity store (no IPP in PID-3): "
                               "the INS the document carried removed from PID-3")));
  ASSERT_EQ(decision.outputs.size(), 1u);
  EXPECT_THAT(decision.outputs[0].second.payload(), Not(HasSubstr(kMatricule)));

  // A document without an INS goes as it came.
  decision = Run(Ingest(Oru(kIpp)), "lab",
                 {AttachIns(navette::config::AttachInsStep::CONTINUE_WITHOUT_INS)});
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_FALSE(decision.deliveries[0].has_output);
  EXPECT_THAT(decision.notes,
              ElementsAre(Pair("lab",
                               "attach_ins: patient unknown to the identity store: sent without "
                               "the INS")));
}

TEST_F(StepRunnerTest, DeadRouteHasNoNote) {
  store::RoutingDecision decision =
      Run(Ingest(Oru(kIns)), "lab", {AttachIns(navette::config::AttachInsStep::DEAD)});
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_EQ(decision.deliveries[0].dead_reason,
            "attach_ins: INS unknown to the identity store (no IPP in PID-3)");
  EXPECT_THAT(decision.notes, IsEmpty());
}

}  // namespace
}  // namespace navette::engine
