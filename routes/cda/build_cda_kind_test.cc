// The build_cda step as a route runs it: its outcomes (continue with the
// CDA, the record and the version; dead with a reason; a deletion's note),
// validation by the real CDA_extended.xsd, the real letter renderer, and
// its kind's defaults and factory.
#include "routes/cda/build_cda_kind.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "routes/cda/cda_schema.h"
#include "routes/cda/letter_pdf.h"
#include "routes/cda/test_documents.h"
#include "tests/support/fake_clock.h"

namespace navette::routes::cda {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Kind = StepOutcome::Kind;
using testing::Cda;

class BuildCdaKindTest : public ::testing::Test {
 protected:
  std::unique_ptr<Step> Make(navette::config::BuildCdaStep config = {}) {
    ApplyBuildCdaDefaults(config);
    kinds::StepContext context;
    context.clock = &clock_;
    context.hospital = &hospital_;
    context.documents = &versions_;
    auto step = BuildCdaKind().create(config, context);
    EXPECT_TRUE(step.ok()) << step.status();
    return step.ok() ? std::move(*step) : nullptr;
  }

  absl::StatusOr<StepOutcome> Run(const Step& step, const navette::document::Document* record,
                                  const identity::Identity* identity) {
    StepInput input;
    input.message_id = 314;
    input.envelope = &envelope_;
    input.document = "MSH|...";
    input.content_type = "application/hl7-v2";
    input.record = record;
    input.identity = identity;
    return step.Run(input);
  }

  FakeClock clock_;
  navette::config::Hospital hospital_ = testing::TestHospital();
  testing::MemoryVersions versions_;
  navette::Envelope envelope_;
  identity::Identity identity_ = testing::TestIdentity();
  navette::document::Document record_ =
      testing::TestRecord("11490-0", "Lettre de liaison à la sortie d'un établissement de soins");
};

TEST_F(BuildCdaKindTest, ContinuesWithAValidCdaTheRecordAndTheVersionToStore) {
  auto step = Make();
  ASSERT_NE(step, nullptr);
  auto outcome = Run(*step, &record_, &identity_);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->kind, Kind::kContinue) << outcome->reason;
  ASSERT_TRUE(outcome->output.has_value());
  EXPECT_EQ(outcome->content_type, "text/xml");
  EXPECT_TRUE((*CdaSchema::Shared(DefaultSchemaDir()))->Validate(*outcome->output).ok());
  ASSERT_TRUE(outcome->record.has_value());
  EXPECT_EQ(outcome->record->cda().id(), "1.2.250.1.999.7.1.1.314");
  EXPECT_EQ(outcome->record->cda().template_model(), "LDL-SES");
  EXPECT_EQ(outcome->record->patient().birth_name(), "PAT-TROIS");  // the rest as it was
  ASSERT_TRUE(outcome->document_version.has_value());
  EXPECT_EQ(outcome->document_version->id(), "1.2.250.1.999.7.1.1.314");
  EXPECT_EQ(outcome->document_version->set_id(), "1.2.250.1.999.7.1.2.314");
  EXPECT_EQ(outcome->document_version->at_us(), clock_.NowMicros());
  EXPECT_THAT(outcome->notes.back(), HasSubstr("valid against CDA_extended.xsd"));
}

TEST_F(BuildCdaKindTest, ADocumentFailingTheSchemaIsDeadWithTheValidatorsErrors) {
  // A CR-BIO whose header misses its title (title is 1..1 in CDA).
  std::string broken =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">"
      "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>"
      "<id root=\"1.2.3\"/><setId root=\"1.2.4\"/><versionNumber value=\"1\"/>"
      "<recordTarget><patientRole><id root=\"1.2.5\" extension=\"7\"/><patient><name><family "
      "qualifier=\"BR\">PAT-TROIS</family></name><administrativeGenderCode code=\"F\"/><birthTime "
      "value=\"19790328\"/></patient></patientRole></recordTarget>"
      "<component><nonXMLBody><text mediaType=\"text/plain\">x</text></nonXMLBody></component>"
      "</ClinicalDocument>\n";
  record_.clear_parts();
  auto* part = record_.add_parts();
  part->set_kind(navette::document::Part::CDA_N1);
  part->set_content(broken);
  auto step = Make();
  auto outcome = Run(*step, &record_, &identity_);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, HasSubstr("fails CDA_extended.xsd"));
  EXPECT_THAT(outcome->reason, HasSubstr("line "));
  EXPECT_EQ(outcome->at_us, clock_.NowMicros());

  // validate: false lets it through (a test bench only).
  navette::config::BuildCdaStep config;
  config.set_validate(false);
  auto unvalidated = Make(config);
  outcome = Run(*unvalidated, &record_, &identity_);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->kind, Kind::kContinue) << outcome->reason;
}

TEST_F(BuildCdaKindTest, WithoutARecordOrWithoutTheInsForTheDmpItIsDead) {
  auto step = Make();
  auto outcome = Run(*step, nullptr, &identity_);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, HasSubstr("build_cda: the message carries no document record"));
  outcome = Run(*step, &record_, nullptr);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, Kind::kDead);
  EXPECT_THAT(outcome->reason, HasSubstr("DESTDMP"));
}

TEST_F(BuildCdaKindTest, ADeletionContinuesWithANoteAndTheRecordUnchanged) {
  record_.set_action(navette::document::DELETE);
  auto step = Make();
  auto outcome = Run(*step, &record_, &identity_);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_FALSE(outcome->output.has_value());
  EXPECT_FALSE(outcome->record.has_value());
  EXPECT_FALSE(outcome->document_version.has_value());
  EXPECT_THAT(outcome->notes.front(), HasSubstr("deletion"));
}

TEST_F(BuildCdaKindTest, AConfidentialityChangeContinuesWithANoteAndTheRecordUnchanged) {
  record_.mutable_flags()->set_modif_conf_code(true);
  auto step = Make();
  auto outcome = Run(*step, &record_, &identity_);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_FALSE(outcome->output.has_value());
  EXPECT_FALSE(outcome->document_version.has_value());
  EXPECT_THAT(outcome->notes.front(), HasSubstr("MODIF_CONF_CODE"));
}

TEST_F(BuildCdaKindTest, AStructuredLetterIsRenderedByTheRealRendererAndValid) {
  record_.clear_parts();
  auto* section = record_.add_sections();
  section->set_title("Synthèse du séjour");
  section->set_text("Évolution favorable ; reprise de l'œstroprogestatif à la sortie.");
  auto step = Make();
  auto outcome = Run(*step, &record_, &identity_);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->kind, Kind::kContinue) << outcome->reason;
  std::string pdf;
  ASSERT_TRUE(absl::Base64Unescape(
      Cda(*outcome->output).One("/h:ClinicalDocument/h:component/h:nonXMLBody/h:text"), &pdf));
  EXPECT_TRUE(pdf.starts_with("%PDF-"));
  // The same message renders the same bytes (replay).
  auto again = Run(*step, &record_, &identity_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->output, outcome->output);
}

TEST_F(BuildCdaKindTest, TheKindDefaultsToValidateAndNamesABadSchemaDir) {
  navette::config::BuildCdaStep config;
  ApplyBuildCdaDefaults(config);
  EXPECT_TRUE(config.has_validate() && config.validate());
  config.set_schema_dir("/nonexistent/schemas");
  kinds::StepContext context;
  context.clock = &clock_;
  context.hospital = &hospital_;
  context.documents = &versions_;
  auto step = BuildCdaKind().create(config, context);
  EXPECT_FALSE(step.ok());
  EXPECT_EQ(kinds::SettingErrorField(step.status()), "schema_dir");
  // A dry run checks the schema but builds no step.
  config.clear_schema_dir();
  context.dry_run = true;
  context.documents = nullptr;
  step = BuildCdaKind().create(config, context);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, nullptr);
}

}  // namespace
}  // namespace navette::routes::cda
