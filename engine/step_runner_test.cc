// The step runner against a real store: what a route's steps add to the
// routing decision, and what they say for the history (RoutingDecision::notes,
// field names, never values).
#include "engine/step_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <google/protobuf/wrappers.pb.h>

#include "engine/builtin_kinds.h"
#include "engine/metrics.h"
#include "store/keys.h"
#include "store/message_id.h"
#include "tests/support/fake_clock.h"

namespace navette::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
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

// A step kind of the test's own (its settings a StringValue): it records
// the document it is given, then appends its setting to it, or is dead when
// its setting is "dead".
struct Recorder {
  std::vector<std::string> seen;
  int built = 0;
};

class RecordingStep : public routes::Step {
 public:
  RecordingStep(std::string setting, Recorder& recorder)
      : setting_(std::move(setting)), recorder_(recorder) {}

  absl::StatusOr<routes::StepOutcome> Run(const routes::StepInput& input) const override {
    recorder_.seen.emplace_back(input.document);
    if (setting_ == "dead") return routes::StepOutcome::Dead("record: told to fail");
    routes::StepOutcome outcome;
    outcome.output = std::string(input.document) + setting_;
    outcome.notes.push_back("record: appended");
    return outcome;
  }

 private:
  const std::string setting_;
  Recorder& recorder_;
};

kinds::StepKind RecordingStepKind(Recorder* recorder) {
  kinds::StepKind kind;
  kind.name = "record";
  kind.config_type = google::protobuf::StringValue::descriptor();
  kind.create = [recorder](
                    const google::protobuf::Message& config,
                    const kinds::StepContext&) -> absl::StatusOr<std::unique_ptr<routes::Step>> {
    ++recorder->built;
    return std::make_unique<RecordingStep>(
        static_cast<const google::protobuf::StringValue&>(config).value(), *recorder);
  };
  return kind;
}

navette::config::Step Record(const std::string& setting) {
  google::protobuf::StringValue value;
  value.set_value(setting);
  navette::config::Step step;
  step.mutable_extension()->PackFrom(value);
  return step;
}

navette::config::Step IdentityFeed() {
  navette::config::Step step;
  step.mutable_identity_feed();
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
    ASSERT_TRUE(kinds_.Add(RecordingStepKind(&recorder_)).ok());
  }
  void TearDown() override {
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

  // Runs `steps` as the route `route` to "outbox" (none for a feed), built
  // as the engine builds them, in a test environment.
  store::RoutingDecision Run(const store::StoredMessage& message, const std::string& route,
                             const std::vector<navette::config::Step>& steps,
                             std::vector<std::string> destinations = {"outbox"}) {
    store::RoutingDecision decision;
    decision.id = message.id();
    auto runner = Build({{route, steps}});
    if (runner == nullptr) return decision;
    RunInto(*runner, message, route, std::move(destinations), decision);
    return decision;
  }

  // A runner for these routes (name, steps), built as the engine builds it.
  std::unique_ptr<StepRunner> Build(
      const std::vector<std::pair<std::string, std::vector<navette::config::Step>>>& routes) {
    navette::config::Config config;
    config.mutable_identity()->set_environment(navette::config::IdentitySettings::TEST);
    for (const auto& [name, steps] : routes) {
      navette::config::Route* route = config.add_routes();
      route->set_name(name);
      for (const auto& step : steps) *route->add_steps() = step;
    }
    auto runner = StepRunner::Create(*store_, config, kinds_, clock_);
    EXPECT_TRUE(runner.ok()) << runner.status();
    return runner.ok() ? std::move(*runner) : nullptr;
  }

  static void RunInto(const StepRunner& runner, const store::StoredMessage& message,
                      const std::string& route, std::vector<std::string> destinations,
                      store::RoutingDecision& decision) {
    routes::RouteMatch match;
    match.route = route;
    match.destinations = std::move(destinations);
    absl::Status ran = runner.RunRoute(message, match, "", decision);
    EXPECT_TRUE(ran.ok()) << ran;
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
  store::MessageIdGenerator ids_;
  FakeClock clock_;
  Recorder recorder_;
  // The built-in kinds and the recording step.
  kinds::KindRegistry kinds_ = BuiltinKinds();
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

TEST_F(StepRunnerTest, EachStepGetsTheDocumentAsThePreviousOneLeftIt) {
  Feed(std::string(kIpp) + "~" + kIns, "QUAL");
  store::RoutingDecision decision = Run(
      Ingest(Oru(kIpp)), "lab", {AttachIns(navette::config::AttachInsStep::PARK), Record("|X")});
  // The recording step was given attach_ins's output.
  ASSERT_EQ(recorder_.seen.size(), 1u);
  EXPECT_THAT(recorder_.seen[0], HasSubstr(kIns));
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_TRUE(decision.deliveries[0].has_output);
  ASSERT_EQ(decision.outputs.size(), 1u);
  EXPECT_EQ(decision.outputs[0].second.payload(), recorder_.seen[0] + "|X");
  // The identity attach_ins attached stays with the last output.
  EXPECT_EQ(decision.outputs[0].second.identity().ins().matricule(), kMatricule);
  EXPECT_THAT(decision.notes,
              ElementsAre(Pair("lab", "attach_ins: INS and traits written into PID-3"),
                          Pair("lab", "record: appended")));
}

TEST_F(StepRunnerTest, IdentityFeedThenAttachInsInOneRoute) {
  Feed(std::string(kIpp) + "~" + kIns, "QUAL");
  const store::StoredMessage adt = Ingest(Adt(std::string(kIpp) + "~" + kIns, "QUAL"));
  std::unique_ptr<StepRunner> runner =
      Build({{"adt", {IdentityFeed(), AttachIns(navette::config::AttachInsStep::PARK)}},
             {"again", {IdentityFeed()}}});
  ASSERT_NE(runner, nullptr);
  store::RoutingDecision decision;
  decision.id = adt.id();
  RunInto(*runner, adt, "adt", {"outbox"}, decision);
  // The update is planned, and attach_ins reads the identity as committed.
  ASSERT_TRUE(decision.identity_update.has_value());
  EXPECT_EQ(decision.identity_update->change.summary(), "no change");
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_TRUE(decision.deliveries[0].dead_reason.empty());
  ASSERT_EQ(decision.outputs.size(), 1u);
  EXPECT_EQ(decision.outputs[0].second.identity().ins().matricule(), kMatricule);
  EXPECT_THAT(decision.notes,
              ElementsAre(Pair("adt",
                               "attach_ins: the document already carried the INS and traits of "
                               "the identity store: nothing written")));

  // A second identity_feed route on the same message plans nothing more.
  const store::IdentityUpdate planned = *decision.identity_update;
  RunInto(*runner, adt, "again", {}, decision);
  EXPECT_EQ(decision.identity_update->change.SerializeAsString(),
            planned.change.SerializeAsString());
  EXPECT_THAT(decision.routes, ElementsAre("adt", "again"));
  EXPECT_THAT(decision.failed_routes, IsEmpty());
  EXPECT_EQ(decision.notes.size(), 1u);
}

TEST_F(StepRunnerTest, DeadStepStopsTheRoute) {
  store::RoutingDecision decision = Run(
      Ingest(Oru(kIns)), "lab", {AttachIns(navette::config::AttachInsStep::DEAD), Record("|X")});
  EXPECT_THAT(recorder_.seen, IsEmpty());
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_EQ(decision.deliveries[0].dead_reason,
            "attach_ins: INS unknown to the identity store (no IPP in PID-3)");
  EXPECT_FALSE(decision.deliveries[0].has_output);
  EXPECT_THAT(decision.outputs, IsEmpty());
  EXPECT_THAT(decision.notes, IsEmpty());

  // A step dead after one that changed the document: nothing of it goes.
  decision = Run(Ingest(Oru(kIpp)), "lab", {Record("|X"), Record("dead")});
  ASSERT_EQ(recorder_.seen.size(), 2u);
  EXPECT_THAT(recorder_.seen[1], EndsWith("|X"));
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_EQ(decision.deliveries[0].dead_reason, "record: told to fail");
  EXPECT_FALSE(decision.deliveries[0].has_output);
  EXPECT_THAT(decision.outputs, IsEmpty());
  EXPECT_THAT(decision.notes, IsEmpty());
}

TEST_F(StepRunnerTest, HoldsAreDatedByTheClock) {
  clock_.Advance(std::chrono::minutes(3));
  store::RoutingDecision parked =
      Run(Ingest(Oru(kIpp)), "lab", {AttachIns(navette::config::AttachInsStep::PARK)});
  ASSERT_EQ(parked.parked.size(), 1u);
  EXPECT_EQ(parked.parked[0].at_us(), clock_.NowMicros());

  // A route with no destinations fails as a route; a step that gives no
  // time is dated by the runner's clock.
  clock_.Advance(std::chrono::seconds(1));
  store::RoutingDecision failed = Run(Ingest(Oru(kIpp)), "feed", {Record("dead")}, {});
  EXPECT_THAT(failed.deliveries, IsEmpty());
  ASSERT_EQ(failed.failed_routes.size(), 1u);
  EXPECT_EQ(failed.failed_routes[0].route(), "feed");
  EXPECT_EQ(failed.failed_routes[0].reason(), "record: told to fail");
  EXPECT_EQ(failed.failed_routes[0].at_us(), clock_.NowMicros());
}

TEST_F(StepRunnerTest, StepsAreBuiltOnceForEveryMessage) {
  std::unique_ptr<StepRunner> runner = Build({{"lab", {Record("|X")}}});
  ASSERT_NE(runner, nullptr);
  for (int i = 0; i < 3; ++i) {
    store::RoutingDecision decision;
    RunInto(*runner, Ingest(Oru(kIpp)), "lab", {"outbox"}, decision);
    ASSERT_EQ(decision.outputs.size(), 1u);
  }
  EXPECT_EQ(recorder_.built, 1);
  EXPECT_EQ(recorder_.seen.size(), 3u);
}

TEST_F(StepRunnerTest, StepOfNoKnownKindIsRefusedNamingTheRoute) {
  navette::config::Config config;
  navette::config::Route* route = config.add_routes();
  route->set_name("lab");
  route->add_steps();
  auto runner = StepRunner::Create(*store_, config, kinds_, clock_);
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.status().message(), "route 'lab': step 1 is of no known kind");
}

// map_codes through the runner: built with the engine's metrics, it counts
// the codes it could not map under its route, and parks under its key.
TEST_F(StepRunnerTest, MapCodesCountsUnmappedCodesInTheEnginesMetrics) {
  const std::filesystem::path table = dir_ / "lab-codes.csv";
  std::ofstream(table) << "local_code,loinc_code,loinc_display\nGLU,2345-7,Glucose\n";
  navette::config::Config config;
  navette::config::Route* route = config.add_routes();
  route->set_name("lab");
  navette::config::MapCodesStep* map_codes = route->add_steps()->mutable_map_codes();
  map_codes->set_table(table.string());
  map_codes->set_on_unmapped(navette::config::MapCodesStep::PARK);
  Metrics metrics(config, kinds_);
  EXPECT_THAT(metrics.Render(), HasSubstr("navette_unmapped_codes_total{route=\"lab\"} 0\n"));
  auto runner = StepRunner::Create(*store_, config, kinds_, clock_, {}, &metrics);
  ASSERT_TRUE(runner.ok()) << runner.status();

  std::string oru = Oru(kIpp) + "OBX|2|NM|GLU^Glycemie^L||5.2\rOBX|3|NM|K2^Potassium^L||4\r";
  store::RoutingDecision decision;
  RunInto(**runner, Ingest(oru), "lab", {"outbox"}, decision);
  ASSERT_EQ(decision.parked.size(), 1u);
  EXPECT_EQ(decision.parked[0].patient(), "map_codes:lab");
  EXPECT_EQ(decision.parked[0].reason(),
            "map_codes: 1 local code not in " + table.string() + ": K2");
  EXPECT_THAT(metrics.Render(), HasSubstr("navette_unmapped_codes_total{route=\"lab\"} 1\n"));
}

}  // namespace
}  // namespace navette::engine
