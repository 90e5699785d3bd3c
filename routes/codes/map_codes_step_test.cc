#include "routes/codes/map_codes_step.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "adapters/hl7v2/message.h"
#include "routes/codes/map_codes_kind.h"
#include "routes/codes/test_table_file.h"
#include "tests/support/fake_clock.h"

namespace navette::routes::codes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Kind = StepOutcome::Kind;
using MapCodesConfig = navette::config::MapCodesStep;

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The ANS CR-BIO ORU (document OBX, MetaDMPMSS OBX) followed by lab
// results: local codes (system L, another system, none), a LOINC code, and
// one the table lacks.
std::string CorpusOruWithResults() {
  std::string oru = ReadFixture("hl7/oru_r01_cr_bio_init.hl7");
  while (!oru.empty() && (oru.back() == '\n' || oru.back() == '\r')) oru.pop_back();
  return oru +
         "\nOBX|14|NM|GLU^Glycémie à jeun^L||5.2|mmol/L|3.9-5.5|N|||F"
         "\nOBX|15|NM|CRP^Protéine C \\T\\ réactive^99LAB||3|mg/L|<5|N|||F"
         "\nOBX|16|NM|2823-3^Potassium [Moles/Volume] Sérum/Plasma^LN||4.1|mmol/L||N|||F"
         "\nOBX|17|NM|XYZ^Examen inconnu^L||1||||||F"
         "\nOBX|18|NM|NA^Sodium||140|mmol/L||N|||F\n";
}

constexpr std::string_view kTable =
    "local_code,loinc_code,loinc_display,local_system\n"
    "GLU,2345-7,Glucose [Masse/Volume] Sérum/Plasma\n"
    "CRP,1988-5,\"C réactive protéine [Masse/Volume] Sérum/Plasma\"\n"
    "NA,2951-2,Sodium [Moles/Volume] Sérum/Plasma\n"
    "1234,1988-5,C réactive protéine [Masse/Volume] Sérum/Plasma ; Numérique,1.2.250.1.2.3.4\n";

class CountingMetrics final : public kinds::StepMetrics {
 public:
  void UnmappedCodes(uint64_t count) override { unmapped += count; }
  uint64_t unmapped = 0;
};

class MapCodesStepTest : public ::testing::Test {
 protected:
  void SetUp() override { file_.Write(kTable); }

  // The step as the engine builds it, through its kind.
  std::unique_ptr<Step> Build(MapCodesConfig::OnUnmapped on_unmapped = MapCodesConfig::CONTINUE) {
    MapCodesConfig config;
    config.set_table(file_.path().string());
    config.set_on_unmapped(on_unmapped);
    kinds::StepContext context;
    context.clock = &clock_;
    context.route = "lab";
    context.metrics = &metrics_;
    auto step = MapCodesKind().create(config, context);
    EXPECT_TRUE(step.ok()) << step.status();
    return step.ok() ? std::move(*step) : nullptr;
  }

  StepOutcome Run(const Step& step, std::string_view document,
                  std::string_view content_type = "application/hl7-v2",
                  const navette::document::Document* record = nullptr) {
    StepInput input;
    input.message_id = 7;
    input.envelope = &envelope_;
    input.document = document;
    input.route = "lab";
    input.content_type = content_type;
    input.record = record;
    auto outcome = step.Run(input);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? std::move(*outcome) : StepOutcome();
  }

  // Every OBX-3 of `hl7` (in UTF-8), wire text, in order.
  static std::vector<std::string> Obx3(std::string_view hl7) {
    auto message = adapters::hl7v2::Message::Parse(hl7);
    EXPECT_TRUE(message.ok()) << message.status();
    std::vector<std::string> codes;
    if (!message.ok()) return codes;
    message->ForEach(*adapters::hl7v2::FieldPath::Parse("OBX-3"), [&](std::string_view value) {
      codes.emplace_back(value);
      return true;
    });
    return codes;
  }

  TableFile file_;
  FakeClock clock_;
  CountingMetrics metrics_;
  navette::Envelope envelope_ = [] {
    navette::Envelope envelope;
    envelope.set_charset("UNICODE UTF-8");
    return envelope;
  }();
};

TEST_F(MapCodesStepTest, MapsResultObx3OfTheCorpusOruAndLeavesTheRestAlone) {
  auto step = Build();
  const std::string oru = CorpusOruWithResults();
  StepOutcome outcome = Run(*step, oru);
  ASSERT_EQ(outcome.kind, Kind::kContinue) << outcome.reason;
  ASSERT_TRUE(outcome.output.has_value());
  EXPECT_FALSE(outcome.content_type.has_value());  // still HL7 v2
  std::vector<std::string> before = Obx3(oru);
  std::vector<std::string> after = Obx3(*outcome.output);
  ASSERT_EQ(after.size(), 18u);
  // The document OBX and the MetaDMPMSS flags are untouched.
  for (size_t i = 0; i < 13; ++i) EXPECT_EQ(after[i], before[i]) << "OBX " << i + 1;
  EXPECT_EQ(after[13], "2345-7^Glucose [Masse/Volume] Sérum/Plasma^LN^GLU^Glycémie à jeun^L");
  // The local text moves as on the wire, its escape kept.
  EXPECT_EQ(after[14],
            "1988-5^C réactive protéine [Masse/Volume] Sérum/Plasma^LN^CRP^Protéine C \\T\\ "
            "réactive^99LAB");
  EXPECT_EQ(after[15], before[15]);  // already LOINC
  EXPECT_EQ(after[16], before[16]);  // unmapped: kept
  EXPECT_EQ(after[17], "2951-2^Sodium [Moles/Volume] Sérum/Plasma^LN^NA^Sodium^L");
  // The other fields of a mapped OBX are kept.
  EXPECT_THAT(*outcome.output, HasSubstr("^L||5.2|mmol/L|3.9-5.5|N|||F\r"));
  EXPECT_THAT(outcome.notes,
              ElementsAre("map_codes: 3 codes mapped to LOINC by " + file_.path().string(),
                          "map_codes: 1 local code not in " + file_.path().string() +
                              ": XYZ (delivered with the local codes)"));
  EXPECT_EQ(metrics_.unmapped, 1u);
}

TEST_F(MapCodesStepTest, WritesTheLoincLabelInTheMessagesCharset) {
  auto step = Build();
  envelope_.set_charset("8859/1");
  const std::string oru =
      "MSH|^~\\&|LAB|CHU|DPI|CHU|202106060931||ORU^R01^ORU_R01|9|P|2.5|||||FRA|8859/1\r"
      "PID|||IPP1^^^CHU&1.2.3&ISO^PI\rOBR|1\rOBX|1|NM|GLU^Glyc\xE9mie^L||5.2|mmol/L|||||F\r";
  StepOutcome outcome = Run(*step, oru);
  ASSERT_TRUE(outcome.output.has_value());
  EXPECT_THAT(*outcome.output,
              HasSubstr("|2345-7^Glucose [Masse/Volume] S\xE9rum/Plasma^LN^GLU^Glyc\xE9mie^L|"));
}

TEST_F(MapCodesStepTest, NothingToMapLeavesTheDocumentAsItWas) {
  auto step = Build();
  StepOutcome outcome = Run(*step, ReadFixture("hl7/oru_r01_cr_bio_init.hl7"));
  EXPECT_EQ(outcome.kind, Kind::kContinue);
  EXPECT_FALSE(outcome.output.has_value());
  EXPECT_THAT(outcome.notes,
              ElementsAre("map_codes: 0 codes mapped to LOINC by " + file_.path().string()));
  EXPECT_EQ(metrics_.unmapped, 0u);
}

TEST_F(MapCodesStepTest, ParkPolicyHoldsTheDocumentUnderTheRoutesKey) {
  auto step = Build(MapCodesConfig::PARK);
  clock_.Set(1767225600123456);
  StepOutcome outcome = Run(*step, CorpusOruWithResults());
  ASSERT_EQ(outcome.kind, Kind::kPark);
  EXPECT_EQ(outcome.park_key, "map_codes:lab");
  EXPECT_EQ(outcome.reason, "map_codes: 1 local code not in " + file_.path().string() + ": XYZ");
  EXPECT_EQ(outcome.at_us, 1767225600123456);
  EXPECT_EQ(metrics_.unmapped, 1u);
}

TEST_F(MapCodesStepTest, DeadPolicyFailsTheDocument) {
  auto step = Build(MapCodesConfig::DEAD);
  StepOutcome outcome = Run(*step, CorpusOruWithResults());
  ASSERT_EQ(outcome.kind, Kind::kDead);
  EXPECT_EQ(outcome.reason, "map_codes: 1 local code not in " + file_.path().string() + ": XYZ");
  EXPECT_EQ(metrics_.unmapped, 1u);
}

TEST_F(MapCodesStepTest, EveryPolicyLetsAFullyMappedDocumentThrough) {
  for (auto policy : {MapCodesConfig::PARK, MapCodesConfig::DEAD}) {
    auto step = Build(policy);
    std::string oru = CorpusOruWithResults();
    oru.replace(oru.find("XYZ^"), 4, "GLU^");
    StepOutcome outcome = Run(*step, oru);
    EXPECT_EQ(outcome.kind, Kind::kContinue) << outcome.reason;
    EXPECT_TRUE(outcome.output.has_value());
  }
  EXPECT_EQ(metrics_.unmapped, 0u);
}

TEST_F(MapCodesStepTest, TheListOfUnmappedCodesIsCappedAndEachDistinctCodeCounted) {
  auto step = Build();
  std::string oru = "MSH|^~\\&|LAB|CHU|DPI|CHU|2021||ORU^R01^ORU_R01|9|P|2.5\rOBR|1\r";
  for (int i = 1; i <= 25; ++i) oru += fmt::format("OBX|{0}|NM|X{0}^x^L||1||||||F\r", i);
  oru += "OBX|26|NM|X1^x^L||2||||||F\r";  // the same code again: listed once
  StepOutcome outcome = Run(*step, oru);
  ASSERT_EQ(outcome.notes.size(), 2u);
  EXPECT_EQ(outcome.notes[1],
            "map_codes: 25 local codes not in " + file_.path().string() +
                ": X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15, X16, X17, "
                "X18, X19, X20 (and 5 more) (delivered with the local codes)");
  EXPECT_EQ(metrics_.unmapped, 25u);
}

TEST_F(MapCodesStepTest, AChangedTableIsUsedWithoutRestart) {
  auto step = Build(MapCodesConfig::PARK);
  ASSERT_EQ(Run(*step, CorpusOruWithResults()).kind, Kind::kPark);
  file_.Write(std::string(kTable) + "XYZ,2160-0,Créatinine [Masse/Volume] Sérum/Plasma\n");
  clock_.Advance(std::chrono::seconds(1));
  StepOutcome outcome = Run(*step, CorpusOruWithResults());
  ASSERT_EQ(outcome.kind, Kind::kContinue) << outcome.reason;
  EXPECT_EQ(Obx3(*outcome.output)[16],
            "2160-0^Créatinine [Masse/Volume] Sérum/Plasma^LN^XYZ^Examen inconnu^L");
}

TEST_F(MapCodesStepTest, ABrokenTableOnReloadKeepsMappingWithThePreviousOne) {
  auto step = Build();
  file_.Write("GLU,2345-7,Glucose\nGLU,2345-8,Glucose\n");
  clock_.Advance(std::chrono::seconds(1));
  StepOutcome outcome = Run(*step, CorpusOruWithResults());
  EXPECT_THAT(outcome.notes[0], HasSubstr("3 codes mapped"));
}

TEST_F(MapCodesStepTest, AnUnreadableMessageIsDead) {
  auto step = Build();
  StepOutcome outcome = Run(*step, "not hl7");
  ASSERT_EQ(outcome.kind, Kind::kDead);
  EXPECT_THAT(outcome.reason, HasSubstr("map_codes: "));
}

TEST_F(MapCodesStepTest, AnotherContentTypeIsLeftAloneWithANote) {
  auto step = Build();
  StepOutcome outcome = Run(*step, "%PDF-1.4", "application/pdf");
  EXPECT_EQ(outcome.kind, Kind::kContinue);
  EXPECT_FALSE(outcome.output.has_value());
  EXPECT_THAT(outcome.notes, ElementsAre(HasSubstr("application/pdf")));
}

// The kind.

TEST(MapCodesKindTest, DefaultsToContinue) {
  MapCodesConfig config;
  ApplyMapCodesDefaults(config);
  EXPECT_EQ(config.on_unmapped(), MapCodesConfig::CONTINUE);
}

class RecordingReporter final : public kinds::CheckReporter {
 public:
  void Error(std::string_view field, std::string message) override {
    errors.push_back(std::string(field) + ": " + message);
  }
  void Warning(std::string_view field, std::string message) override {
    errors.push_back("warning " + std::string(field) + ": " + message);
  }
  std::vector<std::string> errors;
};

TEST(MapCodesKindTest, CheckReportsATableThatDoesNotLoadAtItsSetting) {
  TableFile file;
  file.Write("GLU,2345-7,Glucose\n,1988-5,CRP\n");
  MapCodesConfig config;
  config.set_table(file.path().string());
  RecordingReporter reporter;
  MapCodesKind().check(config, reporter);
  EXPECT_THAT(reporter.errors,
              ElementsAre("table: " + file.path().string() + ":2: empty local_code"));

  RecordingReporter missing;
  MapCodesKind().check(MapCodesConfig(), missing);
  EXPECT_THAT(missing.errors, ElementsAre(HasSubstr("table: required")));

  file.Write("GLU,2345-7,Glucose\n");
  RecordingReporter fine;
  MapCodesKind().check(config, fine);
  EXPECT_THAT(fine.errors, IsEmpty());
}

TEST(MapCodesKindTest, CreationFailsOnATableThatDoesNotLoadNamingTheSetting) {
  TableFile file;
  file.Write("GLU,2345-8,Glucose\n");
  MapCodesConfig config;
  config.set_table(file.path().string());
  FakeClock clock;
  kinds::StepContext context;
  context.clock = &clock;
  auto step = MapCodesKind().create(config, context);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(kinds::SettingErrorField(step.status()), "table");
  EXPECT_THAT(step.status().message(), HasSubstr(file.path().string() + ":1: loinc_code '2345-8'"));
}

}  // namespace
}  // namespace navette::routes::codes
