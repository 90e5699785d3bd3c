// N1 documents carrying a PDF: the three templateIds, the PDF in the
// nonXMLBody, the model per type, valid against CDA_extended.xsd; and a
// structured letter rendered first.
#include "routes/cda/n1_document.h"

#include <string>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "routes/cda/build_cda_step.h"
#include "routes/cda/cda_schema.h"
#include "routes/cda/test_documents.h"

namespace navette::routes::cda {
namespace {

using testing::Cda;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const CdaSchema& Schema() {
  static const std::shared_ptr<const CdaSchema> schema = [] {
    auto loaded = CdaSchema::Shared(DefaultSchemaDir());
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *schema;
}

absl::StatusOr<BuildCdaResult> Build(const navette::document::Document& record,
                                     LetterRenderer render = nullptr) {
  static const navette::config::Hospital hospital = testing::TestHospital();
  static const identity::Identity identity = testing::TestIdentity();
  static const testing::MemoryVersions versions;
  return BuildCda(BuildCdaInput{.record = &record,
                                .identity = &identity,
                                .hospital = &hospital,
                                .message_id = 7,
                                .now_us = 1767225600000000,
                                .versions = &versions,
                                .render_letter = std::move(render)});
}

class N1DocumentTest
    : public ::testing::TestWithParam<std::tuple<std::string, std::string, std::string>> {};

TEST_P(N1DocumentTest, APdfAloneBecomesTheN1OfItsTypeValidAgainstTheSchema) {
  const auto& [code, display, model] = GetParam();
  navette::document::Document record = testing::TestRecord(code, display);
  auto built = Build(record);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->kind, BuildCdaResult::Kind::kBuilt);
  EXPECT_EQ(built->info.template_model(), model);
  EXPECT_EQ(built->info.type_code(), code);
  Cda cda(built->xml);
  EXPECT_THAT(cda.All("/h:ClinicalDocument/h:templateId/@root"),
              ElementsAre("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1",
                          "1.3.6.1.4.1.19376.1.2.20"));
  EXPECT_THAT(cda.All("/h:ClinicalDocument/h:templateId/@extension"), ::testing::IsEmpty());
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:code/@code"), code);
  const std::string text = "/h:ClinicalDocument/h:component/h:nonXMLBody/h:text";
  EXPECT_EQ(cda.One(text + "/@mediaType"), "application/pdf");
  EXPECT_EQ(cda.One(text + "/@representation"), "B64");
  std::string pdf;
  ASSERT_TRUE(absl::Base64Unescape(cda.One(text), &pdf));
  EXPECT_EQ(pdf, record.parts(0).content());
  EXPECT_TRUE(Schema().Validate(built->xml).ok()) << Schema().Validate(built->xml);
}

INSTANTIATE_TEST_SUITE_P(
    Types, N1DocumentTest,
    ::testing::Values(std::tuple{"11490-0",
                                 "Lettre de liaison à la sortie d'un établissement de soins",
                                 "LDL-SES"},
                      std::tuple{"34874-8", "CR opératoire", "CR-OP"},
                      std::tuple{"57833-6", "Prescription de produits de santé", "PRESC"}));

TEST(N1TitleTest, TheModelGivesTheTitleUnlessTheRecordHasOne) {
  navette::document::Document record = testing::TestRecord("34874-8", "CR opératoire");
  auto built = Build(record);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(Cda(built->xml).One("/h:ClinicalDocument/h:title"), "Compte rendu opératoire");
  record.set_title("Compte rendu opératoire — cholécystectomie");
  built = Build(record);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(Cda(built->xml).One("/h:ClinicalDocument/h:title"),
            "Compte rendu opératoire — cholécystectomie");
}

TEST(StructuredLetterTest, SectionsWithoutPdfAreRenderedThenCarriedAsTheN1) {
  navette::document::Document record =
      testing::TestRecord("11490-0", "Lettre de liaison à la sortie d'un établissement de soins");
  record.clear_parts();
  auto* section = record.add_sections();
  section->set_title("Synthèse du séjour");
  section->set_text("Hospitalisée pour une pneumopathie ; évolution favorable.");
  LetterPdfInput seen;
  int calls = 0;
  auto built = Build(record, [&](const LetterPdfInput& input) -> absl::StatusOr<std::string> {
    ++calls;
    seen.title = input.title;
    seen.patient_line = input.patient_line;
    seen.author_line = input.author_line;
    seen.date_line = input.date_line;
    seen.creation_date = input.creation_date;
    EXPECT_EQ(input.sections.size(), 1u);
    return std::string("%PDF-1.5 rendered letter");
  });
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.title, "Lettre de liaison à la sortie de l'établissement de santé");
  EXPECT_EQ(seen.patient_line, "Patient : PAT-TROIS DOMINIQUE, né(e) le 28/03/1979");
  EXPECT_EQ(seen.author_line, "Dr Françoise MÉDECIN");
  EXPECT_EQ(seen.date_line, "Le 3 décembre 2026");
  EXPECT_EQ(seen.creation_date, "2026-12-03T10:15:00+01:00");
  EXPECT_EQ(built->info.template_model(), "LDL-SES");
  std::string pdf;
  ASSERT_TRUE(absl::Base64Unescape(
      Cda(built->xml).One("/h:ClinicalDocument/h:component/h:nonXMLBody/h:text"), &pdf));
  EXPECT_EQ(pdf, "%PDF-1.5 rendered letter");
}

TEST(StructuredLetterTest, ARecordWithNothingToCarryIsRefused) {
  navette::document::Document record = testing::TestRecord("11490-0", "LDL");
  record.clear_parts();
  auto built = Build(record);
  EXPECT_TRUE(absl::IsInvalidArgument(built.status()));
  EXPECT_THAT(built.status().message(), HasSubstr("no CDA, no PDF and no letter sections"));
}

}  // namespace
}  // namespace navette::routes::cda
