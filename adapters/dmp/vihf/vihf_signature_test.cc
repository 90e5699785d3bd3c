// Signing and verifying with real keys the test makes (vihf_test_pki.h):
// the round trip, tampering, the TLS key mistaken for the signing key, the
// SHA-1 option, key loading errors, and concurrent signing.
#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_attributes.h"
#include "adapters/dmp/vihf/vihf_builder.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "adapters/dmp/vihf/vihf_verifier.h"
#include "adapters/dmp/vihf/vihf_xml.h"

namespace navette::adapters::dmp::vihf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class VihfSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_vihf_test_", ::getpid()));
    pki_ = new testing::VihfTestPki(*dir_);
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << pki_->error(); }

  static VihfSettings Settings() {
    VihfSettings settings;
    settings.homologation_number = "HOMOLOG-123";
    return settings;
  }
  static VihfRequest Request(std::string id = "_65db4fa8-b44a-4c11-adc5-135dcc327b24") {
    VihfRequest request;
    request.assertion_id = std::move(id);
    request.issue_instant = std::chrono::system_clock::now();
    request.structure_id = "10B0127189";
    request.responsible_id = "899900063480";
    request.responsible_name = "LIBRE MAX";
    request.patient_ins = "279035121518989";
    request.patient_ins_oid = "1.2.250.1.213.1.4.10";
    return request;
  }
  static VihfSigner Signer(const std::string& pair) {
    absl::StatusOr<VihfSigner> signer = VihfSigner::FromPemFiles(
        pki_->Path(absl::StrCat(pair, ".key")), pki_->Path(absl::StrCat(pair, ".pem")));
    EXPECT_TRUE(signer.ok()) << signer.status();
    return *std::move(signer);
  }
  static X509Ptr Certificate(const std::string& pair) {
    absl::StatusOr<X509Ptr> certificate =
        LoadCertificatePemFile(pki_->Path(absl::StrCat(pair, ".pem")));
    EXPECT_TRUE(certificate.ok()) << certificate.status();
    return *std::move(certificate);
  }
  static std::string SignedBy(const std::string& pair, const VihfSettings& settings = Settings()) {
    absl::StatusOr<std::string> xml = Signer(pair).BuildSigned(settings, Request());
    EXPECT_TRUE(xml.ok()) << xml.status();
    return xml.ok() ? *xml : "";
  }

  static std::filesystem::path* dir_;
  static testing::VihfTestPki* pki_;
};

std::filesystem::path* VihfSignatureTest::dir_ = nullptr;
testing::VihfTestPki* VihfSignatureTest::pki_ = nullptr;

// The text between `open` and the next '<' (an element's text content).
std::string Between(const std::string& xml, std::string_view open) {
  const size_t start = xml.find(open);
  if (start == std::string::npos) return "";
  const size_t from = start + open.size();
  return xml.substr(from, xml.find('<', from) - from);
}

TEST_F(VihfSignatureTest, SignedAssertionVerifiesWithTheSigningCertificate) {
  const VihfSigner signer = Signer("sign");
  const std::string xml = SignedBy("sign");
  const X509Ptr trusted = Certificate("sign");

  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(xml, trusted.get());
  ASSERT_TRUE(facts.ok()) << facts.status() << "\n" << xml;
  EXPECT_EQ(facts->assertion_id, "_65db4fa8-b44a-4c11-adc5-135dcc327b24");
  EXPECT_EQ(facts->signature_method, kRsaSha256);
  EXPECT_EQ(facts->digest_method, kSha256);
  EXPECT_EQ(facts->signer_subject_dn, "CN=DMP SIGN navette,OU=10B0127189,O=CH NAVETTE TEST,C=FR");
  EXPECT_EQ(facts->signer_fingerprint, signer.CertificateFingerprint());

  // Issuer is the signing certificate's DN; the signature follows it; the
  // reference is the assertion's ID; exc-c14n throughout; one certificate.
  EXPECT_THAT(xml, HasSubstr(absl::StrCat("<saml2:Issuer Format=\"", kX509SubjectNameFormat, "\">",
                                          signer.IssuerDn(), "</saml2:Issuer><ds:Signature")));
  EXPECT_THAT(xml, HasSubstr("<ds:Reference URI=\"#_65db4fa8-b44a-4c11-adc5-135dcc327b24\">"));
  EXPECT_THAT(xml, HasSubstr(absl::StrCat("<ds:CanonicalizationMethod Algorithm=\"", kExcC14n)));
  // (xmlsec's template puts a newline between the signature's elements.)
  EXPECT_THAT(xml, HasSubstr(absl::StrCat("<ds:Transform Algorithm=\"", kEnvelopedSignature,
                                          "\"/>\n<ds:Transform Algorithm=\"", kExcC14n,
                                          "\"/>\n</ds:Transforms>")));
  size_t certificates = 0;
  for (size_t at = xml.find("<ds:X509Certificate>"); at != std::string::npos;
       at = xml.find("<ds:X509Certificate>", at + 1)) {
    ++certificates;
  }
  EXPECT_EQ(certificates, 1u);
  // Signing does not disturb the attributes.
  EXPECT_TRUE(CheckRequiredAttributes(xml, Settings()).ok());
}

TEST_F(VihfSignatureTest, StillVerifiesOnceEmbeddedInWsSecurity) {
  const std::string assertion = SignedBy("sign");
  // Another context of namespaces around it, as in the SOAP header.
  const std::string envelope = absl::StrCat(
      "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns=\"urn:example:default\"><soap:Header><wsse:Security xmlns:wsse=\""
      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\">",
      assertion, "</wsse:Security></soap:Header><soap:Body/></soap:Envelope>");
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(envelope, trusted.get());
  EXPECT_TRUE(facts.ok()) << facts.status();
}

TEST_F(VihfSignatureTest, AlteredAttributeValueFailsVerification) {
  const std::string xml = SignedBy("sign");
  const std::string altered =
      absl::StrReplaceAll(xml, {{"279035121518989^^^", "180032B02040123^^^"}});
  ASSERT_NE(altered, xml);
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(altered, trusted.get());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(facts.status().message(),
              HasSubstr("digest does not match its Reference (the assertion was altered after "
                        "signing)"));
  EXPECT_EQ(IdentifyVihfSigner(altered).status().code(), absl::StatusCode::kInvalidArgument);
  // The unaltered one still verifies: the failure is the alteration.
  EXPECT_TRUE(VerifyVihfSignature(xml, trusted.get()).ok());
}

TEST_F(VihfSignatureTest, AlteredModeSpellingFailsVerification) {
  const std::string xml = SignedBy("sign");
  const std::string altered = absl::StrReplaceAll(
      xml, {{"Name=\"Authentification_mode\"", "Name=\"Authentification_Mode\""}});
  ASSERT_NE(altered, xml);
  const X509Ptr trusted = Certificate("sign");
  EXPECT_EQ(VerifyVihfSignature(altered, trusted.get()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VihfSignatureTest, SignatureByTheTlsKeyIsNotBySigningCertificate) {
  const std::string xml = SignedBy("tls");
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(xml, trusted.get());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(facts.status().message(),
              HasSubstr("VIHF signed by CN=DMP AUTH_CLI navette,OU=10B0127189,O=CH NAVETTE "
                        "TEST,C=FR"));
  EXPECT_THAT(facts.status().message(),
              HasSubstr("not by the trusted signing certificate CN=DMP SIGN navette"));

  // The simulator can tell which certificate signed.
  absl::StatusOr<VihfSignatureFacts> who = IdentifyVihfSigner(xml);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->signer_subject_dn, "CN=DMP AUTH_CLI navette,OU=10B0127189,O=CH NAVETTE TEST,C=FR");
  EXPECT_EQ(who->signer_fingerprint, Sha256Fingerprint(Certificate("tls").get()));
}

TEST_F(VihfSignatureTest, TlsSignatureWithTheSigningCertificateInKeyInfoIsInvalid) {
  // Signed with the TLS key, but claiming the signing certificate.
  const std::string by_sign = SignedBy("sign");
  const std::string by_tls = SignedBy("tls");
  const std::string forged = absl::StrReplaceAll(
      by_tls,
      {{Between(by_tls, "<ds:X509Certificate>"), Between(by_sign, "<ds:X509Certificate>")}});
  ASSERT_NE(forged, by_tls);
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(forged, trusted.get());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(facts.status().message(),
              HasSubstr("SignatureValue does not verify with CN=DMP SIGN navette"));
}

TEST_F(VihfSignatureTest, ReferenceToAnotherIdIsRefusedBeforeCryptography) {
  const std::string xml = SignedBy("sign");
  const std::string moved =
      absl::StrReplaceAll(xml, {{"ID=\"_65db4fa8-b44a-4c11-adc5-135dcc327b24\"", "ID=\"_other\""}});
  ASSERT_NE(moved, xml);
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(moved, trusted.get());
  EXPECT_EQ(facts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(facts.status().message(),
              HasSubstr("the Reference URI \"#_65db4fa8-b44a-4c11-adc5-135dcc327b24\" is not the "
                        "assertion's ID \"#_other\""));
}

TEST_F(VihfSignatureTest, Sha1OptionUsesRsaSha1AndSha1) {
  VihfSettings settings = Settings();
  settings.digest = DigestAlgorithm::kSha1;
  const std::string xml = SignedBy("sign", settings);
  EXPECT_THAT(xml, HasSubstr(absl::StrCat("<ds:SignatureMethod Algorithm=\"", kRsaSha1, "\"/>")));
  EXPECT_THAT(xml, HasSubstr(absl::StrCat("<ds:DigestMethod Algorithm=\"", kSha1, "\"/>")));
  EXPECT_THAT(xml, Not(HasSubstr("sha256")));
  const X509Ptr trusted = Certificate("sign");
  absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(xml, trusted.get());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->signature_method, kRsaSha1);
  EXPECT_EQ(facts->digest_method, kSha1);
}

TEST_F(VihfSignatureTest, SigningTwiceIsRefusedAndLeavesTheDocumentAlone) {
  const VihfSigner signer = Signer("sign");
  VihfRequest request = Request();
  request.issuer_dn = signer.IssuerDn();
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(Settings(), request);
  ASSERT_TRUE(doc.ok()) << doc.status();
  ASSERT_TRUE(signer.Sign(doc->get(), DigestAlgorithm::kSha256).ok());
  const std::string once = SerializeElement(xmlDocGetRootElement(doc->get()));
  EXPECT_EQ(signer.Sign(doc->get(), DigestAlgorithm::kSha256).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SerializeElement(xmlDocGetRootElement(doc->get())), once);
}

TEST_F(VihfSignatureTest, Pkcs12WithPasswordSignsLikeThePemPair) {
  absl::StatusOr<VihfSigner> signer =
      VihfSigner::FromPkcs12File(pki_->Path("sign.p12"), std::string(testing::kP12Password));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->IssuerDn(), Signer("sign").IssuerDn());
  absl::StatusOr<std::string> xml = signer->BuildSigned(Settings(), Request());
  ASSERT_TRUE(xml.ok()) << xml.status();
  const X509Ptr trusted = Certificate("sign");
  EXPECT_TRUE(VerifyVihfSignature(*xml, trusted.get()).ok());
}

TEST_F(VihfSignatureTest, EncryptedPemKeyNeedsItsPassword) {
  EXPECT_TRUE(VihfSigner::FromPemFiles(pki_->Path("sign_encrypted.key"), pki_->Path("sign.pem"),
                                       std::string(testing::kKeyPassword))
                  .ok());
  absl::StatusOr<VihfSigner> without =
      VihfSigner::FromPemFiles(pki_->Path("sign_encrypted.key"), pki_->Path("sign.pem"));
  EXPECT_EQ(without.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(without.status().message(), HasSubstr("its password is needed"));
}

TEST_F(VihfSignatureTest, LoadingErrorsSayWhatIsWrong) {
  absl::StatusOr<VihfSigner> missing =
      VihfSigner::FromPemFiles(pki_->Path("absent.key"), pki_->Path("sign.pem"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("absent.key: cannot open the file"));

  absl::StatusOr<VihfSigner> mismatch =
      VihfSigner::FromPemFiles(pki_->Path("sign.key"), pki_->Path("tls.pem"));
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(mismatch.status().message(),
              HasSubstr("the private key does not match the certificate CN=DMP AUTH_CLI navette"));

  absl::StatusOr<VihfSigner> wrong_password =
      VihfSigner::FromPkcs12File(pki_->Path("sign.p12"), "not-the-password");
  EXPECT_EQ(wrong_password.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_password.status().message(), HasSubstr("sign.p12: wrong password"));

  absl::StatusOr<VihfSigner> not_p12 =
      VihfSigner::FromPkcs12File(pki_->Path("sign.pem"), std::string(testing::kP12Password));
  EXPECT_EQ(not_p12.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_p12.status().message(), HasSubstr("not a PKCS#12 file"));
}

TEST_F(VihfSignatureTest, SignersOnSeveralThreadsProduceValidSignatures) {
  const VihfSigner signer = Signer("sign");
  const X509Ptr trusted = Certificate("sign");
  constexpr int kThreads = 4;
  constexpr int kEach = 8;
  std::vector<std::vector<std::string>> produced(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::StatusOr<std::string> xml =
            signer.BuildSigned(Settings(), Request(absl::StrCat("_thread", t, "-", i)));
        produced[t].push_back(xml.ok() ? *xml : std::string(xml.status().message()));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(produced[t].size(), static_cast<size_t>(kEach));
    for (int i = 0; i < kEach; ++i) {
      absl::StatusOr<VihfSignatureFacts> facts = VerifyVihfSignature(produced[t][i], trusted.get());
      ASSERT_TRUE(facts.ok()) << facts.status() << "\n" << produced[t][i];
      EXPECT_EQ(facts->assertion_id, absl::StrCat("_thread", t, "-", i));
    }
  }
}

}  // namespace
}  // namespace navette::adapters::dmp::vihf
