// The step runner carries what a step changed to the next steps and to the
// decision: the content type, the document record and the identity
// (routes/step.h StepInput), the route output's content type and record, and
// the document versions the store writes with the routing (documents CF).
// The steps are built with the route, the data directory, the hospital
// section and a reader of the versions already emitted.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/wrappers.pb.h>

#include "engine/step_runner.h"
#include "store/message_id.h"
#include "store/test_store.h"
#include "tests/support/fake_clock.h"

namespace navette::engine {
namespace {

// What one step saw, copied out of its input.
struct Seen {
  std::string setting;
  std::string content_type;
  std::optional<navette::document::Document> record;
  std::optional<identity::Identity> identity;
};

// What the steps were built with, and saw when run.
struct Probe {
  std::vector<Seen> seen;
  std::vector<std::string> routes;
  std::filesystem::path data_dir;
  std::string finess;
  const routes::DocumentVersions* documents = nullptr;
};

// A test step: records its input, then acts by its setting:
//   "identity"  attaches an identity (as attach_ins)
//   "cda"       outputs a CDA: content type, record and a document version
//   "dead"      is dead
//   anything else: only looks.
class ProbeStep : public routes::Step {
 public:
  ProbeStep(std::string setting, Probe& probe) : setting_(std::move(setting)), probe_(probe) {}

  absl::StatusOr<routes::StepOutcome> Run(const routes::StepInput& input) const override {
    Seen seen{setting_, std::string(input.content_type), std::nullopt, std::nullopt};
    if (input.record != nullptr) seen.record = *input.record;
    if (input.identity != nullptr) seen.identity = *input.identity;
    probe_.seen.push_back(std::move(seen));
    routes::StepOutcome outcome;
    if (setting_ == "dead") return routes::StepOutcome::Dead("probe: told to fail");
    if (setting_ == "identity") {
      identity::Identity attached;
      attached.set_ipp("IPP-1");
      outcome.identity = attached;
      outcome.output = std::string(input.document) + "+ins";
    }
    if (setting_ == "cda") {
      outcome.output = "<ClinicalDocument/>";
      outcome.content_type = "text/xml";
      navette::document::Document record =
          input.record != nullptr ? *input.record : navette::document::Document();
      record.mutable_cda()->set_id("1.2.250.1.999.7.1");
      record.mutable_cda()->set_set_id("1.2.250.1.999.7.2");
      record.mutable_cda()->set_version(1);
      outcome.record = record;
      store::DocumentVersion version;
      version.set_id("1.2.250.1.999.7.1");
      version.set_set_id("1.2.250.1.999.7.2");
      version.set_version(1);
      version.set_message_id(input.message_id);
      outcome.document_version = version;
    }
    return outcome;
  }

 private:
  const std::string setting_;
  Probe& probe_;
};

kinds::StepKind ProbeStepKind(Probe* probe) {
  kinds::StepKind kind;
  kind.name = "probe";
  kind.config_type = google::protobuf::StringValue::descriptor();
  kind.create =
      [probe](const google::protobuf::Message& config,
              const kinds::StepContext& context) -> absl::StatusOr<std::unique_ptr<routes::Step>> {
    probe->routes.push_back(context.route);
    probe->data_dir = context.data_dir;
    probe->finess = context.hospital != nullptr ? context.hospital->finess() : "(null)";
    probe->documents = context.documents;
    return std::make_unique<ProbeStep>(
        static_cast<const google::protobuf::StringValue&>(config).value(), *probe);
  };
  return kind;
}

navette::config::Step ProbeOf(const std::string& setting) {
  google::protobuf::StringValue value;
  value.set_value(setting);
  navette::config::Step step;
  step.mutable_extension()->PackFrom(value);
  return step;
}

class StepRunnerRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshStoreDir("navette-step-runner-record");
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
    ASSERT_TRUE(kinds_.Add(ProbeStepKind(&probe_)).ok());
  }
  void TearDown() override {
    runner_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A message from a source with a profile: its envelope carries a record.
  store::StoredMessage Ingest() {
    store::StoredMessage message;
    message.set_id(ids_.Next());
    *message.mutable_envelope() = store::MakeTestEnvelope("m" + std::to_string(message.id()));
    message.mutable_envelope()->set_content_type("application/hl7-v2");
    navette::document::Document* record = message.mutable_envelope()->mutable_document();
    record->set_profile("sgl");
    record->mutable_type()->set_code("11502-2");
    store::IngressRecord ingress{message.id(), &message.envelope(), "hash"};
    EXPECT_TRUE(store_->CommitIngress({&ingress, 1}).ok());
    return message;
  }

  // Runs route "docs" of these probe settings to "outbox".
  store::RoutingDecision Run(const store::StoredMessage& message,
                             const std::vector<std::string>& settings) {
    navette::config::Config config;
    config.mutable_hospital()->set_finess("010000001");
    navette::config::Route* route = config.add_routes();
    route->set_name("docs");
    for (const std::string& setting : settings) *route->add_steps() = ProbeOf(setting);
    auto runner = StepRunner::Create(*store_, config, kinds_, clock_, dir_ / "data");
    EXPECT_TRUE(runner.ok()) << runner.status();
    store::RoutingDecision decision;
    decision.id = message.id();
    if (!runner.ok()) return decision;
    runner_ = std::move(*runner);
    routes::RouteMatch match;
    match.route = "docs";
    match.destinations = {"outbox"};
    absl::Status ran = runner_->RunRoute(message, match, "", decision);
    EXPECT_TRUE(ran.ok()) << ran;
    return decision;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StepRunner> runner_;
  store::MessageIdGenerator ids_;
  FakeClock clock_;
  Probe probe_;
  kinds::KindRegistry kinds_;
};

TEST_F(StepRunnerRecordTest, EachStepSeesTheRecordContentTypeAndIdentityThePreviousOnesLeft) {
  const store::StoredMessage message = Ingest();
  Run(message, {"first", "identity", "cda", "last"});
  ASSERT_EQ(probe_.seen.size(), 4u);

  const Seen& first = probe_.seen[0];
  EXPECT_EQ(first.content_type, "application/hl7-v2");  // the envelope's
  ASSERT_TRUE(first.record.has_value());
  EXPECT_EQ(first.record->type().code(), "11502-2");  // the envelope's record
  EXPECT_FALSE(first.identity.has_value());

  const Seen& cda = probe_.seen[2];
  EXPECT_EQ(cda.content_type, "application/hl7-v2");
  ASSERT_TRUE(cda.identity.has_value());  // attached by the step before
  EXPECT_EQ(cda.identity->ipp(), "IPP-1");
  ASSERT_TRUE(cda.record.has_value());
  EXPECT_FALSE(cda.record->has_cda());

  const Seen& last = probe_.seen[3];
  EXPECT_EQ(last.content_type, "text/xml");  // as the cda step left it
  ASSERT_TRUE(last.record.has_value());
  EXPECT_EQ(last.record->cda().id(), "1.2.250.1.999.7.1");
  EXPECT_EQ(last.record->type().code(), "11502-2");
  ASSERT_TRUE(last.identity.has_value());
  EXPECT_EQ(last.identity->ipp(), "IPP-1");
}

TEST_F(StepRunnerRecordTest, TheOutputKeepsTheContentTypeRecordAndIdentityTheStepsSet) {
  store::RoutingDecision decision = Run(Ingest(), {"identity", "cda"});
  ASSERT_EQ(decision.outputs.size(), 1u);
  const store::RouteOutput& output = decision.outputs[0].second;
  EXPECT_EQ(output.payload(), "<ClinicalDocument/>");
  EXPECT_EQ(output.content_type(), "text/xml");
  ASSERT_TRUE(output.has_document());
  EXPECT_EQ(output.document().cda().set_id(), "1.2.250.1.999.7.2");
  EXPECT_EQ(output.document().profile(), "sgl");
  EXPECT_EQ(output.identity().ipp(), "IPP-1");
  ASSERT_EQ(decision.deliveries.size(), 1u);
  EXPECT_TRUE(decision.deliveries[0].has_output);
}

TEST_F(StepRunnerRecordTest, AnOutputWhoseTypeAndRecordNoStepChangedKeepsNeither) {
  store::RoutingDecision decision = Run(Ingest(), {"identity"});
  ASSERT_EQ(decision.outputs.size(), 1u);
  const store::RouteOutput& output = decision.outputs[0].second;
  EXPECT_EQ(output.content_type(), "");  // the envelope's
  EXPECT_FALSE(output.has_document());   // the envelope's
  EXPECT_TRUE(decision.document_versions.empty());
}

TEST_F(StepRunnerRecordTest, TheEmittedVersionIsCommittedAndFoundThroughTheStepsReader) {
  const store::StoredMessage message = Ingest();
  store::RoutingDecision decision = Run(message, {"cda"});
  ASSERT_EQ(decision.document_versions.size(), 1u);
  EXPECT_EQ(decision.document_versions[0].message_id(), message.id());
  ASSERT_NE(probe_.documents, nullptr);
  auto before = probe_.documents->Find("1.2.250.1.999.7.1");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->has_value());  // not before the routing is committed

  ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());
  auto after = probe_.documents->Find("1.2.250.1.999.7.1");
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->set_id(), "1.2.250.1.999.7.2");
  EXPECT_EQ((*after)->version(), 1u);
}

TEST_F(StepRunnerRecordTest, ADeadRouteEmitsNoVersion) {
  store::RoutingDecision decision = Run(Ingest(), {"cda", "dead"});
  EXPECT_TRUE(decision.document_versions.empty());
  EXPECT_TRUE(decision.outputs.empty());
}

TEST_F(StepRunnerRecordTest, StepsAreBuiltWithTheirRouteDataDirectoryAndHospital) {
  Run(Ingest(), {"first"});
  EXPECT_EQ(probe_.routes, std::vector<std::string>{"docs"});
  EXPECT_EQ(probe_.data_dir, dir_ / "data");
  EXPECT_EQ(probe_.finess, "010000001");
  EXPECT_NE(probe_.documents, nullptr);
}

}  // namespace
}  // namespace navette::engine
