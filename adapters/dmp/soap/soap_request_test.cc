// The ITI-41 and ITI-57 requests with a real signed VIHF (keys made by
// vihf_test_pki.h): the envelope's shape, the signature still verifying
// inside it, the MTOM package read back, the boundary check.
#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/dmp/soap/mtom_reader.h"
#include "adapters/dmp/soap/mtom_writer.h"
#include "adapters/dmp/soap/soap_envelope.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/soap/soap_test_support.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "adapters/dmp/vihf/vihf_verifier.h"

namespace navette::adapters::dmp::soap {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::XPathProbe;

constexpr char kEndpoint[] =
    "https://dev6.lps2.dmp.gouv.fr/si-dmp-server/v2/services/DocumentRepository_Service?a=1&b=2";
constexpr char kContentId[] = "4f1c2d3e-0000-4000-8000-000000000001@navette";

// The shape of xds::BuildProvideAndRegister's output, trimmed to what the
// SOAP layer looks at (the metadata itself is dmp_xds_test's business).
std::string ProvideAndRegisterBody(const std::string& cid = kContentId) {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb=\"urn:ihe:iti:xds-b:2007\" "
      "xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\">"
      "<lcm:SubmitObjectsRequest/>"
      "<xdsb:Document id=\"urn:uuid:4f1c2d3e-0000-4000-8000-000000000001\">"
      "<xop:Include xmlns:xop=\"http://www.w3.org/2004/08/xop/include\" href=\"cid:",
      cid, "\"/></xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>");
}

constexpr char kUpdateBody[] =
    "<lcm:SubmitObjectsRequest xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\">"
    "<rim:RegistryObjectList xmlns:rim=\"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0\"/>"
    "</lcm:SubmitObjectsRequest>";

// A CDA-ish document with what breaks careless MIME code: CRLF, bare CR,
// NUL bytes, a line that looks like a delimiter, non-ASCII.
std::string AwkwardDocument() {
  std::string bytes = "<ClinicalDocument>\r\n--not-a-boundary\r\n\r\n";
  bytes += std::string("a\0b\0\0c", 6);
  bytes += "\rcafé\n\r\n";
  return bytes;
}

class SoapRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_soap_test_", ::getpid()));
    pki_ = new vihf::testing::VihfTestPki(*dir_);
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(pki_->ok()) << pki_->error(); }

  static std::string SignedVihf() {
    absl::StatusOr<vihf::VihfSigner> signer =
        vihf::VihfSigner::FromPemFiles(pki_->Path("sign.key"), pki_->Path("sign.pem"));
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (!signer.ok()) return "";
    vihf::VihfSettings settings;
    settings.homologation_number = "HOMOLOG-123";
    vihf::VihfRequest request;
    request.assertion_id = "_65db4fa8-b44a-4c11-adc5-135dcc327b24";
    request.issue_instant = std::chrono::system_clock::now();
    request.structure_id = "10B0127189";
    request.responsible_id = "899900063480";
    request.responsible_name = "LIBRE Max";
    request.patient_ins = "279035121518989";
    request.patient_ins_oid = "1.2.250.1.213.1.4.10";
    absl::StatusOr<std::string> xml = signer->BuildSigned(settings, request);
    EXPECT_TRUE(xml.ok()) << xml.status();
    return xml.ok() ? *xml : "";
  }
  static vihf::X509Ptr SigningCertificate() {
    absl::StatusOr<vihf::X509Ptr> certificate =
        vihf::LoadCertificatePemFile(pki_->Path("sign.pem"));
    EXPECT_TRUE(certificate.ok()) << certificate.status();
    return *std::move(certificate);
  }

  static std::filesystem::path* dir_;
  static vihf::testing::VihfTestPki* pki_;
};

std::filesystem::path* SoapRequestTest::dir_ = nullptr;
vihf::testing::VihfTestPki* SoapRequestTest::pki_ = nullptr;

TEST_F(SoapRequestTest, EnvelopeIsSoap12WithAddressingSecurityAndBody) {
  absl::StatusOr<Envelope> envelope = BuildEnvelope({.action = kProvideAndRegisterAction,
                                                     .endpoint = kEndpoint,
                                                     .signed_vihf = SignedVihf(),
                                                     .body_xml = ProvideAndRegisterBody(),
                                                     .message_id = {}});
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  XPathProbe xml(envelope->xml);
  ASSERT_TRUE(xml.parsed());
  EXPECT_THAT(envelope->xml, Not(HasSubstr(kSoap11Namespace)));
  EXPECT_EQ(xml.Count("/soap:Envelope"), "1");
  EXPECT_EQ(xml.Count("//soap11:*"), "0");
  EXPECT_EQ(xml.Count("/soap:Envelope/*"), "2");
  const std::string header = "/soap:Envelope/soap:Header";
  EXPECT_EQ(xml.String(header + "/wsa:Action"), kProvideAndRegisterAction);
  EXPECT_EQ(xml.String(header + "/wsa:Action/@soap:mustUnderstand"), "1");
  EXPECT_EQ(xml.String(header + "/wsa:MessageID"), envelope->message_id);
  EXPECT_THAT(envelope->message_id, StartsWith("urn:uuid:"));
  EXPECT_EQ(envelope->message_id.size(), 45u);
  EXPECT_EQ(xml.String(header + "/wsa:To"), kEndpoint);  // '&' escaped, read back intact
  EXPECT_EQ(xml.String(header + "/wsa:ReplyTo/wsa:Address"),
            "http://www.w3.org/2005/08/addressing/anonymous");
  EXPECT_EQ(xml.String(header + "/wsse:Security/@soap:mustUnderstand"), "1");
  EXPECT_EQ(xml.Count(header + "/wsse:Security/saml2:Assertion"), "1");
  EXPECT_EQ(xml.String(header + "/wsse:Security/saml2:Assertion/@ID"),
            "_65db4fa8-b44a-4c11-adc5-135dcc327b24");
  EXPECT_EQ(xml.Count("/soap:Envelope/soap:Body/xdsb:ProvideAndRegisterDocumentSetRequest"), "1");
  EXPECT_EQ(xml.String("/soap:Envelope/soap:Body//xop:Include/@href"),
            absl::StrCat("cid:", kContentId));
}

TEST_F(SoapRequestTest, GivenMessageIdIsKeptAndFreshOnesDiffer) {
  EnvelopeParts parts{.action = kUpdateDocumentSetAction,
                      .endpoint = kEndpoint,
                      .signed_vihf = SignedVihf(),
                      .body_xml = kUpdateBody,
                      .message_id = "urn:uuid:11111111-2222-4333-8444-555555555555"};
  absl::StatusOr<Envelope> given = BuildEnvelope(parts);
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(XPathProbe(given->xml).String("//wsa:MessageID"), parts.message_id);
  parts.message_id.clear();
  absl::StatusOr<Envelope> first = BuildEnvelope(parts);
  absl::StatusOr<Envelope> second = BuildEnvelope(parts);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->message_id, second->message_id);
}

TEST_F(SoapRequestTest, VihfSignatureStillVerifiesInsideTheEnvelope) {
  const std::string vihf = SignedVihf();
  vihf::X509Ptr certificate = SigningCertificate();
  ASSERT_TRUE(vihf::VerifyVihfSignature(vihf, certificate.get()).ok());
  absl::StatusOr<Envelope> envelope = BuildEnvelope({.action = kProvideAndRegisterAction,
                                                     .endpoint = kEndpoint,
                                                     .signed_vihf = vihf,
                                                     .body_xml = ProvideAndRegisterBody(),
                                                     .message_id = {}});
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  absl::StatusOr<vihf::VihfSignatureFacts> facts =
      vihf::VerifyVihfSignature(envelope->xml, certificate.get());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->assertion_id, "_65db4fa8-b44a-4c11-adc5-135dcc327b24");

  // The check is not vacuous: the same envelope with the assertion altered fails.
  std::string tampered = envelope->xml;
  const size_t at = tampered.find("10B0127189");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, 10, "10B0127180");
  EXPECT_FALSE(vihf::VerifyVihfSignature(tampered, certificate.get()).ok());
}

TEST_F(SoapRequestTest, RefusesWhatIsNotAnAssertionOrNotXml) {
  EnvelopeParts parts{.action = kProvideAndRegisterAction,
                      .endpoint = kEndpoint,
                      .signed_vihf = "<notsaml/>",
                      .body_xml = ProvideAndRegisterBody(),
                      .message_id = {}};
  EXPECT_THAT(BuildEnvelope(parts).status().message(), HasSubstr("saml2:Assertion"));
  parts.signed_vihf = SignedVihf();
  parts.body_xml = "<unclosed>";
  EXPECT_THAT(BuildEnvelope(parts).status().message(), HasSubstr("SOAP body is not well-formed"));
  parts.body_xml = ProvideAndRegisterBody();
  parts.endpoint.clear();
  EXPECT_THAT(BuildEnvelope(parts).status().message(), HasSubstr("wsa:To"));
}

TEST_F(SoapRequestTest, ProvideAndRegisterRoundTripsThroughTheMtomReader) {
  const std::string document = AwkwardDocument();
  absl::StatusOr<SoapRequest> request = BuildProvideAndRegisterRequest(
      kEndpoint, SignedVihf(), ProvideAndRegisterBody(),
      {{.content_id = kContentId, .content_type = "text/xml", .bytes = document}});
  ASSERT_TRUE(request.ok()) << request.status();
  const std::string& type = request->http.content_type;
  EXPECT_THAT(type, StartsWith("multipart/related; type=\"application/xop+xml\"; start=\"<"));
  EXPECT_THAT(type, HasSubstr("start-info=\"application/soap+xml\""));
  EXPECT_THAT(type, HasSubstr("boundary=\""));

  absl::StatusOr<MtomMessage> read = ReadMtom(type, request->http.bytes);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->root.content_type,
            "application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"; "
            "action=\"urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b\"");
  EXPECT_EQ(absl::StrCat("<", read->root.content_id, ">"), HeaderParameter(type, "start"));
  XPathProbe root(read->root.bytes);
  EXPECT_EQ(root.String("//wsa:MessageID"), request->message_id);
  const std::string href = root.String("//xop:Include/@href");
  const MtomPart* part = read->FindByHref(href);
  ASSERT_NE(part, nullptr) << href;
  EXPECT_EQ(part->bytes, document);  // byte for byte, NULs and CRs included
  EXPECT_EQ(part->content_type, "text/xml");
  ASSERT_EQ(read->attachments.size(), 1u);

  // The root part's bytes are the envelope whose VIHF still verifies.
  vihf::X509Ptr certificate = SigningCertificate();
  EXPECT_TRUE(vihf::VerifyVihfSignature(read->root.bytes, certificate.get()).ok());
}

TEST_F(SoapRequestTest, BoundaryOccursInNoPart) {
  std::vector<MtomPart> documents = {
      {.content_id = "a@navette", .content_type = "text/xml", .bytes = AwkwardDocument()},
      {.content_id = "b@navette", .content_type = "application/pdf", .bytes = "%PDF-1.4\0\xff"}};
  absl::StatusOr<HttpBody> body = PackMtom("<e/>", kProvideAndRegisterAction, documents);
  ASSERT_TRUE(body.ok()) << body.status();
  const std::string boundary = HeaderParameter(body->content_type, "boundary");
  ASSERT_THAT(boundary, StartsWith("navette-mtom-"));
  absl::StatusOr<MtomMessage> read = ReadMtom(body->content_type, body->bytes);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->root.bytes, Not(HasSubstr(boundary)));
  ASSERT_EQ(read->attachments.size(), 2u);
  for (const MtomPart& part : read->attachments) EXPECT_THAT(part.bytes, Not(HasSubstr(boundary)));
  EXPECT_EQ(read->attachments[1].content_type, "application/pdf");
}

TEST_F(SoapRequestTest, BoundaryFoundInADocumentIsDrawnAgain) {
  std::vector<std::string> draws = {"collides", "fresh-one"};
  size_t next = 0;
  std::vector<MtomPart> documents = {
      {.content_id = "a@navette", .content_type = "text/xml", .bytes = "x\r\n--collides\r\n"}};
  absl::StatusOr<HttpBody> body = PackMtomWithBoundaries("<e/>", kProvideAndRegisterAction,
                                                         documents, [&] { return draws[next++]; });
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(HeaderParameter(body->content_type, "boundary"), "fresh-one");
  EXPECT_EQ(next, 2u);
  absl::StatusOr<MtomMessage> read = ReadMtom(body->content_type, body->bytes);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->attachments.at(0).bytes, "x\r\n--collides\r\n");

  // A boundary found in the envelope itself is refused too; always colliding fails.
  absl::StatusOr<HttpBody> stuck = PackMtomWithBoundaries(
      "<e>collides</e>", kProvideAndRegisterAction, {}, [] { return std::string("collides"); });
  EXPECT_EQ(stuck.status().code(), absl::StatusCode::kInternal);
}

TEST_F(SoapRequestTest, IncludesAndDocumentsMustMatch) {
  const std::string vihf = SignedVihf();
  absl::StatusOr<SoapRequest> missing =
      BuildProvideAndRegisterRequest(kEndpoint, vihf, ProvideAndRegisterBody(), {});
  EXPECT_THAT(missing.status().message(), HasSubstr("no document has that Content-ID"));
  absl::StatusOr<SoapRequest> extra = BuildProvideAndRegisterRequest(
      kEndpoint, vihf, ProvideAndRegisterBody(),
      {{.content_id = kContentId, .content_type = "text/xml", .bytes = "x"},
       {.content_id = "other@navette", .content_type = "text/xml", .bytes = "y"}});
  EXPECT_THAT(extra.status().message(), HasSubstr("<other@navette> is named by no xop:Include"));
  absl::StatusOr<SoapRequest> bad_id = BuildProvideAndRegisterRequest(
      kEndpoint, vihf, ProvideAndRegisterBody("a b"),
      {{.content_id = "a b", .content_type = "text/xml", .bytes = "x"}});
  EXPECT_THAT(bad_id.status().message(), HasSubstr("Content-ID \"a b\""));
}

TEST_F(SoapRequestTest, UpdateDocumentSetIsPlainSoap12) {
  absl::StatusOr<SoapRequest> request =
      BuildUpdateDocumentSetRequest(kEndpoint, SignedVihf(), kUpdateBody);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->http.content_type,
            "application/soap+xml; charset=UTF-8; action=\"urn:ihe:iti:2010:UpdateDocumentSet\"");
  XPathProbe xml(request->http.bytes);
  EXPECT_EQ(xml.String("/soap:Envelope/soap:Header/wsa:Action"), kUpdateDocumentSetAction);
  EXPECT_EQ(xml.String("/soap:Envelope/soap:Header/wsa:MessageID"), request->message_id);
  EXPECT_EQ(xml.Count("/soap:Envelope/soap:Body/*[local-name()='SubmitObjectsRequest']"), "1");
  vihf::X509Ptr certificate = SigningCertificate();
  EXPECT_TRUE(vihf::VerifyVihfSignature(request->http.bytes, certificate.get()).ok());
}

}  // namespace
}  // namespace navette::adapters::dmp::soap
