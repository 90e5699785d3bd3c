// The public samples against navette's reader and checks: the ANS IG's
// automate example (the model for indirect mode) and the CNAM kit's
// indirect-mode VIHF (testdata/README.md).
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/dmp/vihf/vihf_attributes.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/vihf_verifier.h"

namespace navette::adapters::dmp::vihf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(NAVETTE_VIHF_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_FALSE(bytes.str().empty()) << name;
  return bytes.str();
}

TEST(VihfSamples, AnsAutomateExampleLacksOnlyTheCnamSpellingOfTheModeAttribute) {
  const std::string xml = Fixture("ans_vihf_automate_example.xml");
  absl::StatusOr<VihfAttributes> attributes = ReadVihfAttributes(xml);
  ASSERT_TRUE(attributes.ok()) << attributes.status();
  EXPECT_EQ(attributes->size(), 13u);
  EXPECT_THAT(attributes->at("Authentification_Mode"), ElementsAre("INDIRECTE"));
  EXPECT_THAT(attributes->at("VIHF_Version"), ElementsAre("3.0"));
  EXPECT_THAT(attributes->at(std::string(kAttrRole)),
              ElementsAre("AUTOMATE^1.2.250.1.213.1.1.4.6"));
  EXPECT_THAT(attributes->at(std::string(kAttrResourceId)),
              ElementsAre("XXXXXXX^^^&1.2.250.1.213.1.4.10&ISO^NH"));

  // Against the defaults (CNAM spelling): the mode attribute, and the
  // anonymised INS "XXXXXXX", which is not a 15-character matricule.
  const absl::Status cnam = CheckRequiredAttributes(xml, VihfSettings());
  EXPECT_EQ(cnam.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cnam.message(),
            "VIHF incomplete: attribute Authentification_mode is missing (an attribute "
            "\"Authentification_Mode\" is present: the spelling differs); attribute "
            "urn:oasis:names:tc:xacml:2.0:resource:resource-id "
            "\"XXXXXXX^^^&1.2.250.1.213.1.4.10&ISO^NH\" is not an INS as <15-character "
            "matricule>^^^&<oid>&ISO^NH");

  // With the ANS spelling only the anonymised INS remains.
  VihfSettings ans;
  ans.authentication_mode_attribute = "Authentification_Mode";
  const absl::Status with_ans_spelling = CheckRequiredAttributes(xml, ans);
  EXPECT_EQ(with_ans_spelling.message(),
            "VIHF incomplete: attribute urn:oasis:names:tc:xacml:2.0:resource:resource-id "
            "\"XXXXXXX^^^&1.2.250.1.213.1.4.10&ISO^NH\" is not an INS as <15-character "
            "matricule>^^^&<oid>&ISO^NH");
}

TEST(VihfSamples, AnsAutomateExampleSignatureIsAPlaceholder) {
  // ANS anonymised it: the certificate is "WWWW".
  absl::StatusOr<VihfSignatureFacts> facts =
      IdentifyVihfSigner(Fixture("ans_vihf_automate_example.xml"));
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(facts.status().message(), HasSubstr("X509Certificate is not a DER certificate"));
}

}  // namespace
}  // namespace navette::adapters::dmp::vihf
