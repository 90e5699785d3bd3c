// Completing an incoming CR-BIO (the ANS example, its INS removed): the INS
// first with the strict traits, the custodian id and the facility code when
// they lack, and the body's bytes unchanged.
#include "routes/cda/cda_completion.h"

#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "routes/cda/cda_schema.h"
#include "routes/cda/test_documents.h"

namespace navette::routes::cda {
namespace {

using testing::Cda;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kInsLine =
    "<id extension=\"279035121518989\" root=\"1.2.250.1.213.1.4.10\"/>";

std::string ReadFixture() {
  std::ifstream in(std::string(NAVETTE_FIXTURES_DIR) + "/cda/corpus/BIO-CR-BIO_2024.01_TSH_1.xml",
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `from` with its first `what` replaced by `with`.
std::string Replace(std::string from, std::string_view what, std::string_view with) {
  size_t at = from.find(what);
  EXPECT_NE(at, std::string::npos) << what;
  if (at != std::string::npos) from.replace(at, what.size(), with);
  return from;
}

// The body's bytes: from the <component> after the header's componentOf to
// the end, found independently of the code under test.
std::string_view Body(std::string_view xml) {
  size_t header_end = xml.find("</componentOf>");
  size_t start = xml.find("<component>", header_end);
  return start == std::string_view::npos ? std::string_view() : xml.substr(start);
}

class CdaCompletionTest : public ::testing::Test {
 protected:
  absl::StatusOr<CompletedCda> Complete(std::string_view xml) {
    return CompleteCda(xml, &identity_, hospital_, navette::document::Encounter());
  }

  const std::string original_ = ReadFixture();
  // The lab's CR-BIO as it arrives when the lab had no INS.
  const std::string without_ins_ = Replace(original_, kInsLine, "");
  navette::config::Hospital hospital_ = testing::TestHospital();
  identity::Identity identity_ = testing::TestIdentity();
};

TEST_F(CdaCompletionTest, AddsTheInsFirstAndKeepsTheBodyByteIdentical) {
  ASSERT_GT(original_.size(), 100000u);
  ASSERT_EQ(without_ins_.find(kInsLine), std::string::npos);
  auto completed = Complete(without_ins_);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_THAT(completed->added, ElementsAre("INS"));
  Cda cda(completed->xml);
  ASSERT_TRUE(cda.ok());
  const std::string role = "/h:ClinicalDocument/h:recordTarget/h:patientRole/";
  EXPECT_THAT(cda.All(role + "h:id/@root"),
              ElementsAre("1.2.250.1.213.1.4.10", "1.2.3.4.567.8.9.10"));
  EXPECT_EQ(cda.One(role + "h:id[1]/@extension"), "279035121518989");
  EXPECT_EQ(cda.One(role + "h:patient/h:name/h:family[@qualifier='BR']"), "PAT-TROIS");
  EXPECT_EQ(cda.One(role + "h:patient/h:birthTime/@value"), "19790328");

  std::string_view body_in = Body(without_ins_);
  std::string_view body_out = Body(completed->xml);
  ASSERT_GT(body_in.size(), 50000u);
  EXPECT_TRUE(body_in == body_out) << "the body's bytes changed";
  // The ids the lab wrote are kept.
  EXPECT_EQ(completed->id, cda.One("/h:ClinicalDocument/h:id/@root"));
  EXPECT_EQ(completed->set_id, cda.One("/h:ClinicalDocument/h:setId/@root"));
  EXPECT_EQ(cda.One("/h:ClinicalDocument/h:id/@root"),
            Cda(original_).One("/h:ClinicalDocument/h:id/@root"));

  auto schema = CdaSchema::Shared(DefaultSchemaDir());
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_TRUE((*schema)->Validate(completed->xml).ok()) << (*schema)->Validate(completed->xml);
}

TEST_F(CdaCompletionTest, ADocumentLackingNothingIsLeftAsItWas) {
  auto completed = Complete(original_);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_THAT(completed->added, IsEmpty());
  EXPECT_TRUE(Body(original_) == Body(completed->xml));
}

TEST_F(CdaCompletionTest, TheBodyStartIsTheRootsLastChild) {
  std::optional<size_t> start = LastRootChildOffset(original_);
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(original_.substr(*start), Body(original_));
  // Markup-like text in comments, attribute values and CDATA does not count.
  std::string_view tricky =
      "<?xml version=\"1.0\"?><!-- <a> --><r x=\"a>b\"><a/><b><c/></b><![CDATA[<d>]]><e "
      "y='>'>t</e><!-- <f> --></r>";
  start = LastRootChildOffset(tricky);
  ASSERT_TRUE(start.has_value());
  EXPECT_TRUE(tricky.substr(*start).starts_with("<e "));
}

TEST_F(CdaCompletionTest, AddsTheCustodianIdAndTheFacilityCodeWhenTheyLack) {
  std::string lacking = without_ins_;
  // The custodian's organisation without its id.
  size_t custodian = lacking.find("<custodian>");
  size_t id = lacking.find("<id root=\"1.2.250.1.71.4.2.2\"", custodian);
  ASSERT_NE(id, std::string::npos);
  lacking.erase(id, lacking.find("/>", id) + 2 - id);
  // The healthCareFacility without its code.
  size_t code = lacking.find("<code code=\"SA25\"");
  ASSERT_NE(code, std::string::npos);
  lacking.erase(code, lacking.find("</code>", code) + 7 - code);
  auto completed = Complete(lacking);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_THAT(completed->added, ElementsAre("INS", "custodian id", "healthCareFacility code"));
  Cda cda(completed->xml);
  EXPECT_EQ(cda.One("//h:custodian//h:representedCustodianOrganization/h:id/@extension"),
            "1770000446");
  EXPECT_EQ(cda.One("//h:componentOf//h:healthCareFacility/h:code/@code"), "SA01");
  EXPECT_TRUE(Body(lacking) == Body(completed->xml));
}

TEST_F(CdaCompletionTest, RefusesWhatNavetteCannotSupplyOrThatDisagrees) {
  // No recordTarget.
  size_t from = without_ins_.find("<recordTarget>");
  size_t to = without_ins_.find("</recordTarget>") + std::string_view("</recordTarget>").size();
  std::string no_patient = without_ins_.substr(0, from) + without_ins_.substr(to);
  auto completed = Complete(no_patient);
  EXPECT_TRUE(absl::IsInvalidArgument(completed.status()));
  EXPECT_THAT(completed.status().message(), HasSubstr("no recordTarget/patientRole"));

  // Another patient's INS.
  completed = Complete(Replace(original_, "279035121518989", "180012B23456782"));
  EXPECT_TRUE(absl::IsInvalidArgument(completed.status()));
  EXPECT_THAT(completed.status().message(), HasSubstr("INS other than"));

  // A birth date that disagrees with the identity store.
  identity_.mutable_traits()->set_birth_date("19800101");
  completed = Complete(without_ins_);
  EXPECT_TRUE(absl::IsInvalidArgument(completed.status()));
  EXPECT_THAT(completed.status().message(), HasSubstr("birth date"));

  // Not UTF-8: the body's bytes could not be carried as they are.
  completed = Complete(Replace(without_ins_, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""));
  EXPECT_TRUE(absl::IsInvalidArgument(completed.status()));
  EXPECT_THAT(completed.status().message(), HasSubstr("UTF-8"));

  completed = Complete("<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2\"/>");
  EXPECT_TRUE(absl::IsInvalidArgument(completed.status()));
  EXPECT_THAT(completed.status().message(), HasSubstr("not well-formed"));
}

}  // namespace
}  // namespace navette::routes::cda
