// The unsigned VIHF: its shape, every required attribute under the
// configured spelling, and the refusal of incomplete inputs. No keys here.
#include "adapters/dmp/vihf/vihf_builder.h"

#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/dmp/vihf/vihf_attributes.h"
#include "adapters/dmp/vihf/vihf_names.h"

namespace navette::adapters::dmp::vihf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2024-09-02T13:22:25.789Z, the ANS example's instant.
std::chrono::system_clock::time_point ExampleInstant() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1725283345789));
}

VihfSettings TestSettings() {
  VihfSettings settings;
  settings.homologation_number = "HOMOLOG-123";
  return settings;
}

VihfRequest TestRequest() {
  VihfRequest request;
  request.assertion_id = "_09cd372d-da9e-4d8c-a225-b7304defd6fb";
  request.issue_instant = ExampleInstant();
  request.issuer_dn = "CN=DMP SIGN navette,OU=10B0127189,O=CH NAVETTE TEST,C=FR";
  request.structure_id = "10B0127189";
  request.responsible_id = "899900063480";
  request.responsible_name = "LIBRE MAX";
  request.patient_ins = "279035121518989";
  request.patient_ins_oid = "1.2.250.1.213.1.4.10";
  return request;
}

std::string Build(const VihfSettings& settings, const VihfRequest& request) {
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(settings, request);
  EXPECT_TRUE(doc.ok()) << doc.status();
  return doc.ok() ? SerializeElement(xmlDocGetRootElement(doc->get())) : "";
}

std::vector<std::string> ChildNames(xmlNode* parent) {
  std::vector<std::string> names;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE)
      names.emplace_back(reinterpret_cast<const char*>(child->name));
  }
  return names;
}

TEST(VihfBuilder, AssertionHasSamlShapeInSchemaOrder) {
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(TestSettings(), TestRequest());
  ASSERT_TRUE(doc.ok()) << doc.status();
  xmlNode* assertion = xmlDocGetRootElement(doc->get());
  EXPECT_TRUE(IsElement(assertion, kSamlNamespace, "Assertion"));
  EXPECT_EQ(AttributeValue(assertion, "ID"), "_09cd372d-da9e-4d8c-a225-b7304defd6fb");
  EXPECT_EQ(AttributeValue(assertion, "IssueInstant"), "2024-09-02T13:22:25.789Z");
  EXPECT_EQ(AttributeValue(assertion, "Version"), "2.0");
  EXPECT_THAT(ChildNames(assertion), ElementsAre("Issuer", "Subject", "Conditions",
                                                 "AuthnStatement", "AttributeStatement"));
  // The ID is an XML ID of the document, so "#<ID>" resolves for xmlsec.
  const xmlAttr* id = xmlGetID(doc->get(), BAD_CAST "_09cd372d-da9e-4d8c-a225-b7304defd6fb");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->parent, assertion);

  xmlNode* issuer = FirstChildElement(assertion, kSamlNamespace, "Issuer");
  EXPECT_EQ(AttributeValue(issuer, "Format"), kX509SubjectNameFormat);
  EXPECT_EQ(TextContent(issuer), "CN=DMP SIGN navette,OU=10B0127189,O=CH NAVETTE TEST,C=FR");
  EXPECT_EQ(TextContent(FirstChildElement(FirstChildElement(assertion, kSamlNamespace, "Subject"),
                                          kSamlNamespace, "NameID")),
            "899900063480");
  xmlNode* conditions = FirstChildElement(assertion, kSamlNamespace, "Conditions");
  EXPECT_EQ(AttributeValue(conditions, "NotBefore"), "2024-09-02T13:21:25.789Z");
  EXPECT_EQ(AttributeValue(conditions, "NotOnOrAfter"), "2024-09-02T13:32:25.789Z");
  xmlNode* authn = FirstChildElement(assertion, kSamlNamespace, "AuthnStatement");
  EXPECT_EQ(AttributeValue(authn, "AuthnInstant"), "2024-09-02T13:22:25.789Z");
  EXPECT_EQ(TextContent(authn), "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified");
}

TEST(VihfBuilder, ZeroValidityLeavesConditionsOut) {
  VihfSettings settings = TestSettings();
  settings.validity = std::chrono::seconds(0);
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(settings, TestRequest());
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_THAT(ChildNames(xmlDocGetRootElement(doc->get())),
              ElementsAre("Issuer", "Subject", "AuthnStatement", "AttributeStatement"));
}

TEST(VihfBuilder, EveryRequiredAttributeWithTheCnamSpellingByDefault) {
  const std::string xml = Build(TestSettings(), TestRequest());
  EXPECT_TRUE(CheckRequiredAttributes(xml, TestSettings()).ok())
      << CheckRequiredAttributes(xml, TestSettings());
  absl::StatusOr<VihfAttributes> attributes = ReadVihfAttributes(xml);
  ASSERT_TRUE(attributes.ok()) << attributes.status();
  const VihfAttributes expected = {
      {"Identifiant_Structure", {"10B0127189"}},
      {"Secteur_Activite", {"SA07^1.2.250.1.71.4.2.4"}},
      {"urn:oasis:names:tc:xspa:1.0:subject:subject-id", {"LIBRE MAX"}},
      {"urn:oasis:names:tc:xacml:2.0:subject:role", {"AUTOMATE^1.2.250.1.213.1.1.4.6"}},
      {"VIHF_Version", {"3.0"}},
      {"Authentification_mode", {"INDIRECTE"}},
      {"urn:oasis:names:tc:xacml:2.0:resource:resource-id",
       {"279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH"}},
      {"Ressource_URN", {"urn:dmp"}},
      {"urn:oasis:names:tc:xspa:1.0:subject:purposeofuse", {"normal^1.2.250.1.213.1.1.4.248"}},
      {"LPS_Nom", {"navette"}},
      {"LPS_Version", {"0.1.0"}},
      {"LPS_ID_HOMOLOGATION_DMP", {"HOMOLOG-123"}},
  };
  EXPECT_EQ(*attributes, expected);
  // The '&' of the CX form is escaped by libxml2, not written raw.
  EXPECT_THAT(xml, HasSubstr("279035121518989^^^&amp;1.2.250.1.213.1.4.10&amp;ISO^NH"));
  // The coded values as the samples write them.
  EXPECT_THAT(xml, HasSubstr("<Role xmlns=\"urn:hl7-org:v3\" code=\"AUTOMATE\" "
                             "codeSystem=\"1.2.250.1.213.1.1.4.6\" displayName=\"AUTOMATE\" "
                             "xsi:type=\"CE\"/>"));
  EXPECT_THAT(xml, HasSubstr("<PurposeOfUse xmlns=\"urn:hl7-org:v3\" code=\"normal\" "
                             "codeSystem=\"1.2.250.1.213.1.1.4.248\" codeSystemName=\"mode acces "
                             "VIHF 2.0\" displayName=\"Accès normal\" xsi:type=\"CE\"/>"));
}

TEST(VihfBuilder, AnsSpellingVersionAndOptionalAttributesWhenConfigured) {
  VihfSettings settings = TestSettings();
  settings.authentication_mode_attribute = "Authentification_Mode";
  settings.vihf_version = "4.0";
  settings.software_id = "1.2.250.1.259.1.1.1234567890";
  VihfRequest request = TestRequest();
  request.access_reason = "Urgence vitale";
  const std::string xml = Build(settings, request);

  absl::StatusOr<VihfAttributes> attributes = ReadVihfAttributes(xml);
  ASSERT_TRUE(attributes.ok()) << attributes.status();
  EXPECT_THAT(attributes->at("Authentification_Mode"), ElementsAre("INDIRECTE"));
  EXPECT_EQ(attributes->count("Authentification_mode"), 0u);
  EXPECT_THAT(attributes->at("VIHF_Version"), ElementsAre("4.0"));
  EXPECT_THAT(attributes->at("LPS_ID"), ElementsAre("1.2.250.1.259.1.1.1234567890"));
  EXPECT_THAT(attributes->at("Mode_Acces_Raison"), ElementsAre("Urgence vitale"));
  EXPECT_TRUE(CheckRequiredAttributes(xml, settings).ok());

  // Checked against the CNAM spelling, the same assertion lacks exactly that.
  const absl::Status cnam = CheckRequiredAttributes(xml, TestSettings());
  EXPECT_EQ(cnam.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cnam.message(),
            "VIHF incomplete: attribute Authentification_mode is missing (an attribute "
            "\"Authentification_Mode\" is present: the spelling differs)");
}

TEST(VihfBuilder, RefusesIncompleteInputsNamingEachOne) {
  VihfSettings settings;  // no homologation number
  VihfRequest request = TestRequest();
  request.assertion_id = "9-starts-with-a-digit";
  request.structure_id.clear();
  request.responsible_name.clear();
  request.patient_ins = "27903512151898";  // 14 characters
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(settings, request);
  ASSERT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(doc.status().message());
  EXPECT_THAT(message, HasSubstr("settings.homologation_number is empty"));
  EXPECT_THAT(message,
              HasSubstr("request.assertion_id \"9-starts-with-a-digit\" is not an NCName"));
  EXPECT_THAT(message, HasSubstr("request.structure_id is empty"));
  EXPECT_THAT(message, HasSubstr("request.responsible_name is empty"));
  EXPECT_THAT(message, HasSubstr("request.patient_ins \"27903512151898\" is not a 15-character"));
}

TEST(VihfBuilder, StructureIdIsOnePlusFiness) {
  EXPECT_EQ(StructureIdFromFiness("0B0127189").value(), "10B0127189");
  EXPECT_EQ(StructureIdFromFiness("750712184").value(), "1750712184");
  EXPECT_EQ(StructureIdFromFiness("75071218").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StructureIdFromFiness("75071218-").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VihfBuilder, InstantsAreUtcWithMilliseconds) {
  EXPECT_EQ(SamlInstant(ExampleInstant()), "2024-09-02T13:22:25.789Z");
  EXPECT_EQ(SamlInstant(std::chrono::system_clock::time_point(std::chrono::seconds(1561538766))),
            "2019-06-26T08:46:06.000Z");
}

}  // namespace
}  // namespace navette::adapters::dmp::vihf
