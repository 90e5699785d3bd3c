// Ségur documents end to end (issue 13, acceptance points 3, 4 and 5),
// against the real binary over MLLP: a GAM feeds the identity store (PAM-FR
// A28 then A31 making the ANS test patient PAT-TROIS qualified, with her
// INS), a DPI and a lab send documents under the `dpi` and `sgl` profiles,
// and a route takes each through attach_ins and build_cda to a file
// destination. What leaves is checked against CDA_extended.xsd and the ANS
// schematrons (tests/support/schematron.h).
//
//   3  a PDF-only discharge letter (MDM^T02) leaves as an LDL-SES N1 CDA,
//      valid against the schema, the LDL-SES schematron and the header
//      schematron; an operative report (34874-8) as its N1 document;
//   4  a CR-BIO N3 without INS leaves with the INS first in recordTarget and
//      the strict traits, valid against the schema and the CR-BIO
//      schematron, its body byte-identical to the input's;
//   5  replacements (MDM^T10 naming the first version in TXA-13; ORU with
//      ORC RO and OBX-11 C) keep the setId, increment versionNumber and link
//      the previous version with RPLC; deletions (MDM^T04, ORU ORC CA) take
//      the route matching action delete, to its own destination.
//
// Only the ANS test identity appears (PAT-TROIS, test OID .10).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "routes/cda/cda_schema.h"
#include "tests/support/cli_output.h"
#include "tests/support/document_messages.h"
#include "tests/support/engine_process.h"
#include "tests/support/engine_test.h"
#include "tests/support/schematron.h"

namespace navette::testing {
namespace {

constexpr char kOidRoot[] = "1.2.250.1.999.13";

// ---- reading what leaves

// A CDA read back with XPath (prefix "hl7" for urn:hl7-org:v3).
class Cda {
 public:
  explicit Cda(const std::string& xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "cda.xml", nullptr,
                           XML_PARSE_NONET)) {
    if (doc_ == nullptr) return;
    context_ = xmlXPathNewContext(doc_);
    xmlXPathRegisterNs(context_, BAD_CAST "hl7", BAD_CAST "urn:hl7-org:v3");
  }
  ~Cda() {
    if (context_ != nullptr) xmlXPathFreeContext(context_);
    if (doc_ != nullptr) xmlFreeDoc(doc_);
  }
  Cda(const Cda&) = delete;
  Cda& operator=(const Cda&) = delete;

  bool ok() const { return doc_ != nullptr; }
  // The string value of `xpath` (string(...) of it); empty when none.
  std::string Text(const std::string& xpath) const {
    if (context_ == nullptr) return "";
    xmlXPathObjectPtr result =
        xmlXPathEvalExpression(BAD_CAST("string(" + xpath + ")").c_str(), context_);
    std::string value;
    if (result != nullptr && result->stringval != nullptr) {
      value = reinterpret_cast<const char*>(result->stringval);
    }
    xmlXPathFreeObject(result);
    return value;
  }
  double Count(const std::string& xpath) const {
    if (context_ == nullptr) return -1;
    xmlXPathObjectPtr result =
        xmlXPathEvalExpression(BAD_CAST("count(" + xpath + ")").c_str(), context_);
    const double count = result != nullptr ? result->floatval : -1;
    xmlXPathFreeObject(result);
    return count;
  }

 private:
  xmlDocPtr doc_ = nullptr;
  xmlXPathContextPtr context_ = nullptr;
};

// The body of a CDA as bytes: from its top-level <component> (after the
// header's componentOf) to the end of the document element.
std::string BodyOf(const std::string& xml) {
  const size_t header_end = xml.find("</componentOf>");
  if (header_end == std::string::npos) return "";
  const size_t start = xml.find("<component>", header_end);
  const std::string end_tag = "</ClinicalDocument>";
  const size_t end = xml.rfind(end_tag);
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  return xml.substr(start, end + end_tag.size() - start);
}

// Schema errors of `xml` (empty: valid), from the schema navette ships.
std::string SchemaErrors(const std::string& xml) {
  auto schema = routes::cda::CdaSchema::Shared(routes::cda::DefaultSchemaDir());
  if (!schema.ok()) return std::string(schema.status().message());
  absl::Status valid = (*schema)->Validate(xml);
  return valid.ok() ? "" : std::string(valid.message());
}

// Failed assertions of the ANS schematrons on `xml` (empty: it passes them).
std::string SchematronErrors(const std::string& xml, unsigned schematrons) {
  SchematronReport report = RunSchematron(schematrons, xml);
  if (!report.ran) return "the schematrons did not run: " + report.error;
  return absl::StrJoin(report.failures, "\n");
}

// The routes: the GAM's ADTs feed the identity store; documents created or
// replaced get the INS and become CDA for `cda`; deletions go to `deleted`
// as received.
constexpr char kRoutes[] =
    "  - name: identities\n"
    "    from: [gam]\n"
    "    steps: [ { identity_feed: {} } ]\n"
    "  - name: documents\n"
    "    from: [dpi, sgl]\n"
    "    match: { document: { action: [create, replace] } }\n"
    "    steps: [ { attach_ins: {} }, { build_cda: {} } ]\n"
    "    to: [cda]\n"
    "  - name: deletions\n"
    "    from: [dpi, sgl]\n"
    "    match: { document: { action: [delete] } }\n"
    "    to: [deleted]\n";

class CdaDocumentsTest : public EngineTest {
 protected:
  CdaDocumentsTest() : EngineTest("navette-cda-documents") {}

  void SetUp() override {
    EngineTest::SetUp();
    dpi_port_ = FreePort();
    sgl_port_ = FreePort();
    StartEngineWith(
        fmt::format("engine:\n"
                    "  admin: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "identity:\n"
                    "  environment: test\n"
                    "  reliability_codes: {{ VALI: qualified }}\n"
                    "hospital:\n"
                    "  name: Centre hospitalier de test\n"
                    "  finess: \"{}\"\n"
                    "  oid_root: {}\n"
                    "  facility_type_code: SA01\n"
                    "  facility_type_display: Etablissement public de santé\n"
                    "sources:\n"
                    "  - name: gam\n"
                    "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "  - name: dpi\n"
                    "    profile: dpi\n"
                    "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "  - name: sgl\n"
                    "    profile: sgl\n"
                    "    mllp: {{ listen: \"127.0.0.1:{}\" }}\n"
                    "destinations:\n"
                    "  - name: cda\n"
                    "    file: {{ directory: cda, suffix: .xml }}\n"
                    "  - name: deleted\n"
                    "    file: {{ directory: deleted }}\n"
                    "routes:\n{}",
                    admin_port_, kFiness, kOidRoot, mllp_port_, dpi_port_, sgl_port_, kRoutes));
    if (HasFatalFailure()) return;
    // PAT-TROIS: known first, then qualified with her INS.
    Send(mllp_port_, Adt("A28", "ADT-1", false));
    Send(mllp_port_, Adt("A31", "ADT-2", true));
    ASSERT_FALSE(WaitForListed("ADT-2", "consumed").empty()) << engine_->Log();
  }

  // The CDA the `cda` destination wrote for the message with `control_id`
  // once delivered; empty if it is not delivered in time.
  std::string DeliveredCda(const std::string& control_id) {
    const std::string id = WaitForState(control_id, "delivered");
    EXPECT_FALSE(id.empty()) << control_id << " not delivered:\n"
                             << Messages({"messages", "list"}).out << engine_->Log();
    if (id.empty()) return "";
    EXPECT_TRUE(std::filesystem::exists(engine_->data_dir() / "cda" / (id + ".xml"))) << Show(id);
    return ReadFileBytes(engine_->data_dir() / "cda" / (id + ".xml"));
  }
  // The recordTarget of a CDA carries PAT-TROIS's INS first, then her
  // strict traits as the identity store holds them.
  static void ExpectInsFirstAndStrictTraits(const Cda& cda) {
    const std::string role = "/hl7:ClinicalDocument/hl7:recordTarget/hl7:patientRole";
    EXPECT_EQ(cda.Text(role + "/hl7:id[1]/@root"), kInsOid);
    EXPECT_EQ(cda.Text(role + "/hl7:id[1]/@extension"), kMatricule);
    const std::string patient = role + "/hl7:patient";
    EXPECT_EQ(cda.Text(patient + "/hl7:name/hl7:family[@qualifier='BR']"), "PAT-TROIS");
    EXPECT_EQ(cda.Text(patient + "/hl7:name/hl7:given[@qualifier='BR']"), "DOMINIQUE");
    EXPECT_EQ(cda.Text(patient + "/hl7:name/hl7:given[not(@qualifier)]"), "DOMINIQUE MARIE-LOUISE");
    EXPECT_EQ(cda.Text(patient + "/hl7:administrativeGenderCode/@code"), "F");
    EXPECT_EQ(cda.Text(patient + "/hl7:birthTime/@value"), "19790328");
    EXPECT_EQ(cda.Text(patient + "/hl7:birthplace/hl7:place/hl7:addr/hl7:county"), "51215");
  }

  uint16_t dpi_port_ = 0, sgl_port_ = 0;
};

// ---- 3: PDF-only letters and reports become N1 CDA documents

TEST_F(CdaDocumentsTest, PdfDischargeLetterLeavesAsAValidLdlSesN1Document) {
  const std::string pdf = MinimalPdf("Lettre de liaison a la sortie");
  Send(dpi_port_, PdfMdm("LDL-1", Action::kCreate,
                         "11490-0^Lettre de liaison a la sortie d'un etablissement de soins^LN",
                         pdf, "1.2.250.1.999.7.1001"));
  const std::string xml = DeliveredCda("LDL-1");
  ASSERT_FALSE(xml.empty());
  Cda cda(xml);
  ASSERT_TRUE(cda.ok()) << xml.substr(0, 2000);

  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:code/@code"), "11490-0");
  // An N1 document: exactly the HL7 France, CI-SIS and XDS-SD templates (the
  // LDL-SES structured template is for an N3 letter).
  EXPECT_EQ(cda.Count("/hl7:ClinicalDocument/hl7:templateId"), 3);
  EXPECT_EQ(cda.Count("/hl7:ClinicalDocument/hl7:templateId[@root='1.3.6.1.4.1.19376.1.2.20']"), 1);
  // The PDF is the N1 body, as sent.
  const std::string body = "/hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody/hl7:text";
  EXPECT_EQ(cda.Text(body + "/@mediaType"), "application/pdf");
  EXPECT_EQ(cda.Text(body + "/@representation"), "B64");
  std::string carried;
  ASSERT_TRUE(absl::Base64Unescape(cda.Text(body), &carried));
  EXPECT_EQ(carried, pdf);
  ExpectInsFirstAndStrictTraits(cda);
  // The hospital's values.
  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:custodian/hl7:assignedCustodian/"
                     "hl7:representedCustodianOrganization/hl7:id/@extension"),
            std::string("1") + kFiness);
  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:componentOf/hl7:encompassingEncounter/"
                     "hl7:location/hl7:healthCareFacility/hl7:code/@code"),
            "SA01");
  EXPECT_EQ(cda.Text("//hl7:documentationOf/hl7:serviceEvent/hl7:performer/hl7:assignedEntity/"
                     "hl7:representedOrganization/hl7:standardIndustryClassCode/@code"),
            "ETABLISSEMENT");

  EXPECT_EQ(SchemaErrors(xml), "");
  EXPECT_EQ(SchematronErrors(xml, Schematron::kLdlSes | Schematron::kHeader), "");
}

TEST_F(CdaDocumentsTest, PdfOperativeReportLeavesAsAValidN1Document) {
  const std::string pdf = MinimalPdf("Compte rendu operatoire");
  Send(dpi_port_,
       PdfMdm("CRO-1", Action::kCreate, "34874-8^CR operatoire^LN", pdf, "1.2.250.1.999.7.2001"));
  const std::string xml = DeliveredCda("CRO-1");
  ASSERT_FALSE(xml.empty());
  Cda cda(xml);
  ASSERT_TRUE(cda.ok());
  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:code/@code"), "34874-8");
  // An N1 document: the CI-SIS header templates and XDS-SD, no others.
  EXPECT_EQ(cda.Count("/hl7:ClinicalDocument/hl7:templateId"), 3);
  EXPECT_EQ(cda.Count("/hl7:ClinicalDocument/hl7:templateId[@root='1.3.6.1.4.1.19376.1.2.20']"), 1);
  std::string carried;
  ASSERT_TRUE(absl::Base64Unescape(
      cda.Text("/hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody/hl7:text"), &carried));
  EXPECT_EQ(carried, pdf);
  ExpectInsFirstAndStrictTraits(cda);
  EXPECT_EQ(SchemaErrors(xml), "");
  EXPECT_EQ(SchematronErrors(xml, Schematron::kHeader), "");
}

// ---- 4: an incoming CR-BIO completed with the INS, its body untouched

TEST_F(CdaDocumentsTest, CrBioWithoutInsLeavesWithTheInsFirstAndItsBodyUnchanged) {
  const std::string input = CrBioWithoutIns();
  ASSERT_EQ(SchemaErrors(input), "");  // the input itself is a valid CDA
  Send(sgl_port_, CdaOru("BIO-1", Action::kCreate, input));
  const std::string xml = DeliveredCda("BIO-1");
  ASSERT_FALSE(xml.empty());
  Cda cda(xml);
  ASSERT_TRUE(cda.ok());
  ExpectInsFirstAndStrictTraits(cda);
  // The lab's own ids are kept, after the INS.
  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:recordTarget/hl7:patientRole/hl7:id[2]/"
                     "@extension"),
            "1234567890121");
  EXPECT_EQ(cda.Text("/hl7:ClinicalDocument/hl7:id/@root"), "1.2.250.1.213.1.1.1.55.2024.9.1");
  const std::string body = BodyOf(input);
  ASSERT_FALSE(body.empty());
  EXPECT_TRUE(BodyOf(xml) == body)
      << "the body changed (" << BodyOf(xml).size() << " bytes, was " << body.size() << ")";
  EXPECT_EQ(SchemaErrors(xml), "");
  EXPECT_EQ(SchematronErrors(xml, Schematron::kCrBio), "");
}

// ---- 5: replacements and deletions

TEST_F(CdaDocumentsTest, MdmReplacementKeepsTheSetIdIncrementsTheVersionAndLinksThePrevious) {
  const std::string type = "11490-0^Lettre de liaison a la sortie d'un etablissement de soins^LN";
  Send(dpi_port_,
       PdfMdm("LDL-V1", Action::kCreate, type, MinimalPdf("Version 1"), "1.2.250.1.999.7.3001"));
  const std::string first_xml = DeliveredCda("LDL-V1");
  ASSERT_FALSE(first_xml.empty());
  Send(dpi_port_, PdfMdm("LDL-V2", Action::kReplace, type, MinimalPdf("Version 2"),
                         "1.2.250.1.999.7.3002", "1.2.250.1.999.7.3001"));
  const std::string second_xml = DeliveredCda("LDL-V2");
  ASSERT_FALSE(second_xml.empty());

  Cda first(first_xml), second(second_xml);
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string set_id = first.Text("/hl7:ClinicalDocument/hl7:setId/@root");
  ASSERT_FALSE(set_id.empty());
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:setId/@root"), set_id);
  const std::string first_version = first.Text("/hl7:ClinicalDocument/hl7:versionNumber/@value");
  ASSERT_FALSE(first_version.empty());
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:versionNumber/@value"),
            std::to_string(std::stoi(first_version) + 1));
  const std::string first_id = first.Text("/hl7:ClinicalDocument/hl7:id/@root");
  EXPECT_NE(second.Text("/hl7:ClinicalDocument/hl7:id/@root"), first_id);
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:relatedDocument/@typeCode"), "RPLC");
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:relatedDocument/hl7:parentDocument/hl7:id/"
                        "@root"),
            first_id);
  EXPECT_EQ(first.Count("/hl7:ClinicalDocument/hl7:relatedDocument"), 0);
  EXPECT_EQ(SchemaErrors(second_xml), "");
  EXPECT_EQ(SchematronErrors(second_xml, Schematron::kLdlSes | Schematron::kHeader), "");
}

TEST_F(CdaDocumentsTest, OruReplacementKeepsTheSetIdIncrementsTheVersionAndLinksThePrevious) {
  const std::string v1 = CrBioWithoutIns();
  Send(sgl_port_, CdaOru("BIO-V1", Action::kCreate, v1));
  const std::string first_xml = DeliveredCda("BIO-V1");
  ASSERT_FALSE(first_xml.empty());
  Send(sgl_port_, CdaOru("BIO-V2", Action::kReplace, CrBioSecondVersion(v1)));
  const std::string second_xml = DeliveredCda("BIO-V2");
  ASSERT_FALSE(second_xml.empty());

  Cda first(first_xml), second(second_xml);
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string first_id = first.Text("/hl7:ClinicalDocument/hl7:id/@root");
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:setId/@root"),
            first.Text("/hl7:ClinicalDocument/hl7:setId/@root"));
  EXPECT_EQ(first.Text("/hl7:ClinicalDocument/hl7:versionNumber/@value"), "1");
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:versionNumber/@value"), "2");
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:relatedDocument/@typeCode"), "RPLC");
  EXPECT_EQ(second.Text("/hl7:ClinicalDocument/hl7:relatedDocument/hl7:parentDocument/hl7:id/"
                        "@root"),
            first_id);
  ExpectInsFirstAndStrictTraits(second);
  EXPECT_EQ(SchemaErrors(second_xml), "");
  EXPECT_EQ(SchematronErrors(second_xml, Schematron::kCrBio), "");
}

// A deletion takes the route that matches action delete, to its own
// destination, as received; the create/replace route does not take it.
TEST_F(CdaDocumentsTest, DeletionsAreRoutedAsDeletions) {
  const std::string type = "11490-0^Lettre de liaison a la sortie d'un etablissement de soins^LN";
  Send(dpi_port_,
       PdfMdm("LDL-D1", Action::kCreate, type, MinimalPdf("A supprimer"), "1.2.250.1.999.7.4001"));
  ASSERT_FALSE(DeliveredCda("LDL-D1").empty());
  const std::string mdm_delete =
      PdfMdm("LDL-D2", Action::kDelete, type, MinimalPdf("A supprimer"), "1.2.250.1.999.7.4001");
  Send(dpi_port_, mdm_delete);
  const std::string oru_delete = CdaOru("BIO-D1", Action::kDelete, CrBioWithoutIns());
  Send(sgl_port_, oru_delete);

  for (const auto& [control_id, sent] : {std::pair{std::string("LDL-D2"), mdm_delete},
                                         std::pair{std::string("BIO-D1"), oru_delete}}) {
    const std::string id = WaitForState(control_id, "delivered");
    ASSERT_FALSE(id.empty()) << control_id << "\n" << Messages({"messages", "list"}).out;
    const std::string shown = Show(id);
    EXPECT_NE(shown.find("route=deletions"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("route=documents"), std::string::npos) << shown;
    EXPECT_FALSE(std::filesystem::exists(engine_->data_dir() / "cda" / (id + ".xml")));
    // As received: the deletion route has no steps.
    EXPECT_EQ(ReadFileBytes(engine_->data_dir() / "deleted" / (id + ".hl7")), sent);
  }
}

}  // namespace
}  // namespace navette::testing
