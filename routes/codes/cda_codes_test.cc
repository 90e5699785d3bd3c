// map_codes on a CR-BIO N3: the ANS example whose CRP result has no LOINC.
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/cda/cda_schema.h"
#include "routes/codes/cda_codes.h"
#include "routes/codes/map_codes_kind.h"
#include "routes/codes/test_table_file.h"
#include "routes/step.h"
#include "tests/support/fake_clock.h"

namespace navette::routes::codes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = StepOutcome::Kind;

constexpr std::string_view kFixture = "cda/corpus/BIO-CR-BIO_2024.01_CRP_non_LOINC.xml";

std::string ReadFixture(std::string_view relative) {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/" + std::string(relative),
                   std::ios::binary);
  EXPECT_TRUE(in) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The example's CRP observation code: no code of its own, the local code in
// a translation.
constexpr std::string_view kLocalTranslation =
    "<translation code=\"1234\" displayName=\"C Réactive protéine [Masse/Volume] Sérum/Plasma ; "
    "Numérique\"";

constexpr std::string_view kTable =
    "1234,1988-5,C réactive protéine [Masse/Volume] Sérum/Plasma,1.2.250.1.2.3.4\n"
    "GLU,2345-7,Glucose [Masse/Volume] Sérum/Plasma,1.2.250.1.2.3.4\n";

LoincTable Table(std::string_view text = kTable) {
  auto table = LoincTable::Parse(text, "t.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? std::move(*table) : LoincTable();
}

void ExpectValid(std::string_view xml) {
  auto schema = cda::CdaSchema::Shared(cda::DefaultSchemaDir());
  ASSERT_TRUE(schema.ok()) << schema.status();
  absl::Status valid = (*schema)->Validate(xml);
  EXPECT_TRUE(valid.ok()) << valid;
}

TEST(CdaCodesTest, TheExampleIsValidAsGiven) { ExpectValid(ReadFixture(kFixture)); }

TEST(CdaCodesTest, ALocalCodeInATranslationGetsItsLoincAsTheCode) {
  const std::string cda = ReadFixture(kFixture);
  auto found = MapCdaCodes(cda, Table());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->mapped, 1);
  EXPECT_THAT(found->unmapped, ::testing::IsEmpty());
  const std::string& out = found->output;
  EXPECT_THAT(out, HasSubstr("<code code=\"1988-5\" codeSystem=\"2.16.840.1.113883.6.1\" "
                             "codeSystemName=\"LOINC\" displayName=\"C réactive protéine "
                             "[Masse/Volume] Sérum/Plasma\">"));
  EXPECT_THAT(out, HasSubstr(kLocalTranslation));  // the local code stays
  EXPECT_THAT(out, HasSubstr("<reference value=\"#CRP-code-local\"/>"));
  ExpectValid(out);
  // Mapping the output again finds the LOINC there and changes nothing.
  auto again = MapCdaCodes(out, Table());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->mapped, 0);
  EXPECT_TRUE(again->output.empty());
}

TEST(CdaCodesTest, ALocalCodeBecomesATranslationOfItsLoinc) {
  std::string cda = ReadFixture(kFixture);
  const size_t start = cda.find("<code>", cda.find("templateId root=\"1.2.250.1.213.1.1.3.80\""));
  const size_t end = cda.find("</code>", start) + 7;
  ASSERT_NE(start, std::string::npos);
  cda.replace(start, end - start,
              "<code code=\"GLU\" codeSystem=\"1.2.250.1.2.3.4\" codeSystemName=\"labo\" "
              "displayName=\"Glycémie\"/>");
  ExpectValid(cda);
  auto found = MapCdaCodes(cda, Table());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->mapped, 1);
  EXPECT_THAT(found->output,
              HasSubstr("<code code=\"2345-7\" codeSystem=\"2.16.840.1.113883.6.1\" "
                        "codeSystemName=\"LOINC\" displayName=\"Glucose [Masse/Volume] "
                        "Sérum/Plasma\"><translation code=\"GLU\" codeSystem=\"1.2.250.1.2.3.4\" "
                        "codeSystemName=\"labo\" displayName=\"Glycémie\"/></code>"));
  ExpectValid(found->output);
}

TEST(CdaCodesTest, SectionAndLoincCodesAreLeftAlone) {
  // Every LOINC row of the table names a code the example uses as a section
  // or act code: none of them is touched.
  auto found = MapCdaCodes(ReadFixture(kFixture), Table("18719-5,2345-7,Glucose\n"
                                                        "55107-7,2345-7,Glucose\n"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->mapped, 0);
  EXPECT_THAT(found->unmapped, ElementsAre("1234"));
  EXPECT_TRUE(found->output.empty());
}

TEST(CdaCodesTest, NotWellFormedXmlIsRefusedWithItsLine) {
  auto found = MapCdaCodes("<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n<component>", Table());
  ASSERT_FALSE(found.ok());
  EXPECT_THAT(found.status().message(), HasSubstr("not well-formed XML: line 2"));
}

class CdaStepTest : public ::testing::Test {
 protected:
  void SetUp() override { file_.Write(kTable); }
  std::unique_ptr<Step> Build(navette::config::MapCodesStep::OnUnmapped on_unmapped) {
    navette::config::MapCodesStep config;
    config.set_table(file_.path().string());
    config.set_on_unmapped(on_unmapped);
    kinds::StepContext context;
    context.clock = &clock_;
    auto step = MapCodesKind().create(config, context);
    EXPECT_TRUE(step.ok()) << step.status();
    return step.ok() ? std::move(*step) : nullptr;
  }
  TableFile file_;
  FakeClock clock_;
  navette::Envelope envelope_;
};

TEST_F(CdaStepTest, ACdaDocumentIsMappedAsTheOutputKeepingItsContentType) {
  auto step = Build(navette::config::MapCodesStep::DEAD);
  const std::string cda = ReadFixture(kFixture);
  StepInput input;
  input.envelope = &envelope_;
  input.document = cda;
  input.content_type = "text/xml";
  input.route = "lab";
  auto outcome = step->Run(input);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->kind, Kind::kContinue) << outcome->reason;
  ASSERT_TRUE(outcome->output.has_value());
  EXPECT_FALSE(outcome->content_type.has_value());
  EXPECT_THAT(*outcome->output, HasSubstr("<code code=\"1988-5\""));
  ExpectValid(*outcome->output);
}

TEST_F(CdaStepTest, TheRecordsN3PartOfAnOruIsMapped) {
  auto step = Build(navette::config::MapCodesStep::CONTINUE);
  envelope_.set_charset("UNICODE UTF-8");
  const std::string oru =
      "MSH|^~\\&|LAB|CHU|DPI|CHU|2021||ORU^R01^ORU_R01|9|P|2.5\rOBR|1\r"
      "OBX|1|ED|11502-2^CR d'examens biologiques^LN||^TEXT^XML^Base64^PD94||||||F\r";
  navette::document::Document record;
  record.set_profile("sgl");
  navette::document::Part* part = record.add_parts();
  part->set_kind(navette::document::Part::CDA_N3);
  part->set_media_type("text/xml");
  part->set_content(ReadFixture(kFixture));
  part->set_location("OBX[1]-5");
  StepInput input;
  input.envelope = &envelope_;
  input.document = oru;
  input.content_type = "application/hl7-v2";
  input.record = &record;
  auto outcome = step->Run(input);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->kind, Kind::kContinue);
  EXPECT_FALSE(outcome->output.has_value());  // no local code in the OBX
  ASSERT_TRUE(outcome->record.has_value());
  EXPECT_EQ(outcome->record->profile(), "sgl");
  ASSERT_EQ(outcome->record->parts_size(), 1);
  EXPECT_EQ(outcome->record->parts(0).location(), "OBX[1]-5");
  EXPECT_THAT(outcome->record->parts(0).content(), HasSubstr("<code code=\"1988-5\""));
  ExpectValid(outcome->record->parts(0).content());
  EXPECT_THAT(outcome->notes, ElementsAre(HasSubstr("1 code mapped")));
}

TEST_F(CdaStepTest, AnUnmappedCodeInTheN3ParksTheDocument) {
  file_.Write("GLU,2345-7,Glucose\n");
  auto step = Build(navette::config::MapCodesStep::PARK);
  const std::string cda = ReadFixture(kFixture);
  StepInput input;
  input.envelope = &envelope_;
  input.document = cda;
  input.content_type = "text/xml";
  input.route = "biologie";
  auto outcome = step->Run(input);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome->kind, Kind::kPark);
  EXPECT_EQ(outcome->park_key, "map_codes:biologie");
  EXPECT_THAT(outcome->reason, HasSubstr(": 1234"));
}

}  // namespace
}  // namespace navette::routes::codes
