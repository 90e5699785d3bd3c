// DmpClient against the DMP simulator (tests/dmp-sim) over real mutual TLS
// on loopback: the corpus CR-BIO taken through every stage of the DMP
// destination (CDA metadata, ITI-41 body, signed VIHF, MTOM request, POST,
// ClassifyExchange), the server certificates a client must refuse, and the
// simulator's canned faults as the client and the classification see them.
#include "adapters/dmp/transport/dmp_client.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/outcome.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/provide_and_register.h"
#include "adapters/dmp/xds/xds_test_support.h"
#include "adapters/dmp/xds/xds_values.h"
#include "tests/dmp-sim/dmp_server.h"

namespace navette::adapters::dmp::transport {
namespace {

namespace dmp_sim = ::navette::testing::dmp_sim;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;
using soap::OutcomeKind;
using ::testing::HasSubstr;

constexpr char kCrBioId[] = "1.2.250.1.213.1.1.1.55.2024.9.1";
constexpr char kHomologation[] = "HOMOLOG-123";

// The server pairs, beside the client PKI (ca, sign, tls):
//   server       127.0.0.1, from the test CA             what a client accepts
//   rogue        127.0.0.1, from another CA ("rogue_ca") not verified
//   elsewhere    dmp.invalid, from the test CA           wrong name for 127.0.0.1
// and tls.p12, the TLS client pair as PKCS#12.
constexpr char kMakeServerPairs[] = R"(
printf '[ip]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n[name]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:dmp.invalid\n' > server.cnf &&
for pair in server rogue elsewhere; do
  openssl req -new -newkey rsa:2048 -nodes -keyout $pair.key -out $pair.csr -subj "/CN=$pair" || exit 1
done &&
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout rogue_ca.key -out rogue_ca.pem -days 2 -subj '/CN=rogue CA' &&
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 9 -days 2 -extfile server.cnf -extensions ip -out server.pem &&
openssl x509 -req -in rogue.csr -CA rogue_ca.pem -CAkey rogue_ca.key -set_serial 10 -days 2 -extfile server.cnf -extensions ip -out rogue.pem &&
openssl x509 -req -in elsewhere.csr -CA ca.pem -CAkey ca.key -set_serial 11 -days 2 -extfile server.cnf -extensions name -out elsewhere.pem &&
openssl pkcs12 -export -inkey tls.key -in tls.pem -name tls -out tls.p12 -passout pass:tls-secret
)";
constexpr char kTlsP12Password[] = "tls-secret";

class DmpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_dmp_transport_test_", ::getpid()));
    pki_ = new vihf::testing::VihfTestPki(*dir_);
    const std::string command =
        absl::StrCat("cd '", dir_->string(), "' && (", kMakeServerPairs, ") >>openssl.log 2>&1");
    server_pairs_ok_ = pki_->ok() && std::system(command.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_->ok()) << pki_->error();
    ASSERT_TRUE(server_pairs_ok_) << "openssl could not make the server pairs, see openssl.log";
    cda_ = xds::testing::ReadFixture(xds::testing::kCrBio);
    ASSERT_FALSE(cda_.empty());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // The simulator with the server pair `pair`.
  void StartServer(const std::string& pair = "server") {
    absl::StatusOr<vihf::X509Ptr> signing = vihf::LoadCertificatePemFile(pki_->Path("sign.pem"));
    ASSERT_TRUE(signing.ok()) << signing.status();
    absl::StatusOr<std::shared_ptr<const dmp_sim::DmpValueSets>> sets =
        dmp_sim::DmpValueSets::Load(dmp_sim::DefaultValueSetDir());
    ASSERT_TRUE(sets.ok()) << sets.status();
    dmp_sim::DmpServerOptions options;
    options.certificate_path = pki_->Path(pair + ".pem");
    options.key_path = pki_->Path(pair + ".key");
    options.client_ca_path = pki_->Path("ca.pem");
    options.policy.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
    options.policy.vihf_settings.homologation_number = kHomologation;
    options.policy.allow_test_ins = true;  // the corpus patient carries the test OID
    options.policy.value_sets = *sets;
    options.policy.xds_schema_dir = NAVETTE_XDS_SCHEMA_DIR;
    server_ = std::make_unique<dmp_sim::DmpServer>(std::move(options));
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  std::string Url() const {
    return absl::StrCat("https://127.0.0.1:", server_->port(), dmp_sim::kRepositoryPath);
  }

  static DmpTls PemTls() {
    DmpTls tls;
    tls.ca_file = pki_->Path("ca.pem");
    tls.cert_file = pki_->Path("tls.pem");
    tls.key_file = pki_->Path("tls.key");
    return tls;
  }

  std::unique_ptr<DmpClient> Client(DmpTls tls = PemTls()) {
    absl::StatusOr<std::unique_ptr<DmpClient>> client = DmpClient::Create(Url(), std::move(tls));
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  // The VIHF for the corpus patient, signed with the pair `signer_name`.
  static std::string Vihf(const std::string& signer_name = "sign") {
    absl::StatusOr<vihf::VihfSigner> signer = vihf::VihfSigner::FromPemFiles(
        pki_->Path(signer_name + ".key"), pki_->Path(signer_name + ".pem"));
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (!signer.ok()) return "";
    vihf::VihfSettings settings;
    settings.homologation_number = kHomologation;
    vihf::VihfRequest request;
    request.assertion_id = absl::StrCat("_", xds::NewEntryUuid().substr(9));
    request.issue_instant = std::chrono::system_clock::now();
    request.structure_id = "1120459876";  // the CR-BIO's authorInstitution
    request.responsible_id = "899900063480";
    request.responsible_name = "LIBRE Max";
    request.patient_ins = "279035121518989";
    request.patient_ins_oid = "1.2.250.1.213.1.4.10";
    absl::StatusOr<std::string> xml = signer->BuildSigned(settings, request);
    EXPECT_TRUE(xml.ok()) << xml.status();
    return xml.ok() ? *xml : "";
  }

  struct Iti41 {
    soap::SoapRequest request;
    xds::ProvideAndRegisterRequest body;
  };
  // The ITI-41 of the CR-BIO, with what ReadCdaMetadata cannot know (the
  // submission set) from the XDS tests' support.
  Iti41 BuildIti41(const std::string& signer_name = "sign") {
    Iti41 built;
    absl::StatusOr<xds::DocumentMetadata> metadata = xds::ReadCdaMetadata(cda_);
    EXPECT_TRUE(metadata.ok()) << metadata.status();
    if (!metadata.ok()) return built;
    xds::SubmissionSet set = xds::testing::TestSubmissionSet();
    set.unique_id = absl::StrCat("1.2.250.1.999.1.1.7898.1.", ++submissions_);
    absl::StatusOr<xds::ProvideAndRegisterRequest> body =
        xds::BuildProvideAndRegister(*metadata, cda_, set, /*replaced_entry_uuid=*/"");
    EXPECT_TRUE(body.ok()) << body.status();
    if (!body.ok()) return built;
    built.body = *body;
    absl::StatusOr<soap::SoapRequest> request = soap::BuildProvideAndRegisterRequest(
        Url(), Vihf(signer_name), built.body.xml, {{built.body.content_id, "text/xml", cda_}});
    EXPECT_TRUE(request.ok()) << request.status();
    if (request.ok()) built.request = *request;
    return built;
  }

  static soap::Outcome Send(DmpClient& client, const Iti41& iti41) {
    return soap::ClassifyExchange(
        client.Post(iti41.request.http.content_type, iti41.request.http.bytes));
  }

  static std::filesystem::path* dir_;
  static vihf::testing::VihfTestPki* pki_;
  static bool server_pairs_ok_;
  std::unique_ptr<dmp_sim::DmpServer> server_;
  std::string cda_;
  int submissions_ = 0;
};

std::filesystem::path* DmpClientTest::dir_ = nullptr;
vihf::testing::VihfTestPki* DmpClientTest::pki_ = nullptr;
bool DmpClientTest::server_pairs_ok_ = false;

std::string Describe(const soap::Outcome& outcome) {
  return absl::StrCat(std::string(soap::OutcomeKindName(outcome.kind)), " ", outcome.code, ": ",
                      outcome.reason);
}

TEST_F(DmpClientTest, CrBioIsDeliveredAndRegisteredWithItsEntryUuidAndHash) {
  StartServer();
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  ASSERT_FALSE(iti41.request.http.bytes.empty());

  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  ASSERT_EQ(exchange.transport_error, "");
  EXPECT_EQ(exchange.http_status, 200);
  soap::Outcome outcome = soap::ClassifyExchange(exchange);
  EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << Describe(outcome);

  std::optional<dmp_sim::StoredEntry> stored = server_->registry().FindByUniqueId(kCrBioId);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entry_uuid, iti41.body.entry_uuid);
  EXPECT_EQ(stored->hash, iti41.body.hash);
  EXPECT_EQ(stored->hash, xds::Sha1Hex(cda_));
  EXPECT_EQ(stored->bytes, cda_);
  EXPECT_EQ(server_->requests(), 1);
}

TEST_F(DmpClientTest, TheSameDocumentAgainIsADuplicate) {
  StartServer();
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(Send(*client, BuildIti41()).kind, OutcomeKind::kDelivered);
  soap::Outcome again = Send(*client, BuildIti41());
  EXPECT_EQ(again.kind, OutcomeKind::kDuplicate) << Describe(again);
  EXPECT_EQ(again.code, "XDSDuplicateUniqueIdInRegistry");
  EXPECT_EQ(server_->registry().size(), 1u);
}

TEST_F(DmpClientTest, ServerCertificateFromAnotherCaIsNotVerified) {
  StartServer("rogue");
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_THAT(exchange.transport_error,
              HasSubstr("TLS handshake with 127.0.0.1 failed: the server certificate was not "
                        "verified"));
  EXPECT_EQ(exchange.http_status, 0);
  EXPECT_EQ(soap::ClassifyExchange(exchange).kind, OutcomeKind::kTransient);
  EXPECT_EQ(server_->requests(), 0);
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpClientTest, ServerCertificateForAnotherNameIsRefused) {
  StartServer("elsewhere");  // dmp.invalid, from the right CA
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_THAT(exchange.transport_error,
              HasSubstr("TLS handshake with 127.0.0.1 failed: the server certificate was not "
                        "verified"));
  // curl's text (OpenSSL backend): refused for the name, not for the CA.
  EXPECT_THAT(exchange.transport_error, HasSubstr("subject name matches target host name"));
  EXPECT_EQ(soap::ClassifyExchange(exchange).kind, OutcomeKind::kTransient);
  EXPECT_EQ(server_->requests(), 0);
}

// A client certificate the DMP does not trust (another CA's) is refused in
// the handshake: retrying cannot help until the certificate is replaced,
// so the outcome is permanent, naming the refusal.
TEST_F(DmpClientTest, ClientCertificateFromAnotherCaIsRefusedPermanently) {
  StartServer();
  DmpTls tls = PemTls();
  tls.cert_file = pki_->Path("rogue.pem");
  tls.key_file = pki_->Path("rogue.key");
  std::unique_ptr<DmpClient> client = Client(tls);
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_TRUE(exchange.credentials_refused) << exchange.transport_error;
  EXPECT_EQ(exchange.http_status, 0);
  soap::Outcome outcome = soap::ClassifyExchange(exchange);
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << Describe(outcome);
  EXPECT_EQ(outcome.code, "TLS_CERTIFICATE_REFUSED");
  EXPECT_EQ(server_->requests(), 0);
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpClientTest, BusyIsTransientThenTheSameRequestIsDelivered) {
  StartServer();
  server_->faults().Push(*dmp_sim::ParseCannedAnswer("busy"));
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Outcome busy = Send(*client, iti41);
  EXPECT_EQ(busy.kind, OutcomeKind::kTransient) << Describe(busy);
  EXPECT_EQ(busy.code, "XDSRegistryBusy");
  EXPECT_EQ(server_->registry().size(), 0u);
  soap::Outcome retried = Send(*client, iti41);
  EXPECT_EQ(retried.kind, OutcomeKind::kDelivered) << Describe(retried);
  EXPECT_EQ(server_->registry().size(), 1u);
}

TEST_F(DmpClientTest, Http503IsTransient) {
  StartServer();
  server_->faults().Push(*dmp_sim::ParseCannedAnswer("503"));
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_EQ(exchange.transport_error, "");
  EXPECT_EQ(exchange.http_status, 503);
  soap::Outcome outcome = soap::ClassifyExchange(exchange);
  EXPECT_EQ(outcome.kind, OutcomeKind::kTransient) << Describe(outcome);
  EXPECT_EQ(outcome.code, "HTTP 503");
}

TEST_F(DmpClientTest, DroppedConnectionIsTransientAndTheNextRequestReconnects) {
  StartServer();
  server_->faults().Push(*dmp_sim::ParseCannedAnswer("drop"));
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange dropped = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_THAT(dropped.transport_error, HasSubstr("POST to 127.0.0.1 failed"));
  EXPECT_EQ(soap::ClassifyExchange(dropped).kind, OutcomeKind::kTransient);
  soap::Outcome next = Send(*client, iti41);
  EXPECT_EQ(next.kind, OutcomeKind::kDelivered) << Describe(next);
  EXPECT_EQ(client->connections_opened(), 2);
}

TEST_F(DmpClientTest, SlowAnswerBeyondTheTimeoutIsTransientNamingTheTimeout) {
  StartServer();
  server_->faults().Push(*dmp_sim::ParseCannedAnswer("slow:1500"));
  DmpTls tls = PemTls();
  tls.timeout = std::chrono::milliseconds(300);
  std::unique_ptr<DmpClient> client = Client(tls);
  ASSERT_NE(client, nullptr);
  Iti41 iti41 = BuildIti41();
  soap::Exchange exchange = client->Post(iti41.request.http.content_type, iti41.request.http.bytes);
  EXPECT_THAT(exchange.transport_error,
              HasSubstr("no answer from 127.0.0.1 within the timeout (300 ms)"));
  EXPECT_EQ(soap::ClassifyExchange(exchange).kind, OutcomeKind::kTransient);
}

TEST_F(DmpClientTest, DmpClosedIsPermanentWithItsCode) {
  StartServer();
  server_->faults().Push(*dmp_sim::ParseCannedAnswer("error:DMPClosed"));
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  soap::Outcome outcome = Send(*client, BuildIti41());
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << Describe(outcome);
  EXPECT_EQ(outcome.code, "DMPClosed");
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpClientTest, VihfSignedWithTheTlsKeyIsPermanentInvalidCertificate) {
  StartServer();
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  soap::Outcome outcome = Send(*client, BuildIti41(/*signer_name=*/"tls"));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << Describe(outcome);
  EXPECT_EQ(outcome.code, "DMPInvalidCertificate");
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpClientTest, TwoPostsShareOneConnection) {
  StartServer();
  std::unique_ptr<DmpClient> client = Client();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(Send(*client, BuildIti41()).kind, OutcomeKind::kDelivered);
  EXPECT_EQ(Send(*client, BuildIti41()).kind, OutcomeKind::kDuplicate);
  EXPECT_EQ(server_->requests(), 2);
  EXPECT_EQ(client->connections_opened(), 1);
}

TEST_F(DmpClientTest, Pkcs12ClientCertificateIsAccepted) {
  StartServer();
  DmpTls tls;
  tls.ca_file = pki_->Path("ca.pem");
  tls.pkcs12_file = pki_->Path("tls.p12");
  tls.pkcs12_password = kTlsP12Password;
  std::unique_ptr<DmpClient> client = Client(tls);
  ASSERT_NE(client, nullptr);
  soap::Outcome outcome = Send(*client, BuildIti41());
  EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << Describe(outcome);
}

TEST_F(DmpClientTest, CreateRefusesPlainHttpAndUnusableTls) {
  DmpTls tls = PemTls();
  absl::StatusOr<std::unique_ptr<DmpClient>> plain =
      DmpClient::Create("http://127.0.0.1:1/DocumentRepository_Service", tls);
  EXPECT_THAT(plain.status().message(), HasSubstr("is not https"));
  tls.ca_file = pki_->Path("missing.pem");
  absl::StatusOr<std::unique_ptr<DmpClient>> no_ca =
      DmpClient::Create("https://127.0.0.1:1/DocumentRepository_Service", tls);
  EXPECT_THAT(no_ca.status().message(), HasSubstr("tls.ca_file: cannot read"));
}

}  // namespace
}  // namespace navette::adapters::dmp::transport
