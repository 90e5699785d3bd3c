// The admin endpoint over its real port, with a DmpServer behind it on its
// own mutual-TLS port: faults queued over HTTP are what the next ITI-41
// requests get, and a registration shows in /documents.
#include "tests/dmp-sim/sim_admin.h"

#include <httplib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/mtom_reader.h"
#include "adapters/dmp/soap/registry_response.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/xds/xds_values.h"
#include "tests/dmp-sim/dmp_server.h"
#include "tests/dmp-sim/sim_pki.h"
#include "tests/dmp-sim/sim_test_iti41.h"

namespace navette::testing::dmp_sim {
namespace {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// Percent-encoding of a query value (the CX's ^ and &).
std::string QueryEscaped(const std::string& value) {
  std::string escaped;
  for (const unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_') {
      escaped += static_cast<char>(c);
    } else {
      absl::StrAppend(&escaped, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return escaped;
}

class SimAdminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_sim_admin_test_", ::getpid()));
    absl::StatusOr<SimulatorPki> pki = EnsureSimulatorPki(*dir_);
    pki_error_ = new std::string(pki.ok() ? "" : pki.status().ToString());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete pki_error_;
  }

  void SetUp() override {
    ASSERT_EQ(*pki_error_, "");
    absl::StatusOr<vihf::X509Ptr> signing =
        vihf::LoadCertificatePemFile((*dir_ / kSignCertFile).string());
    ASSERT_TRUE(signing.ok()) << signing.status();
    absl::StatusOr<std::shared_ptr<const DmpValueSets>> sets =
        DmpValueSets::Load(DefaultValueSetDir());
    ASSERT_TRUE(sets.ok()) << sets.status();
    DmpServerOptions options;
    options.certificate_path = (*dir_ / kServerCertFile).string();
    options.key_path = (*dir_ / kServerKeyFile).string();
    options.client_ca_path = (*dir_ / kCaCertFile).string();
    options.policy.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
    options.policy.allow_test_ins = true;  // the corpus patient carries the test OID
    options.policy.value_sets = *sets;
    options.policy.xds_schema_dir = NAVETTE_XDS_SCHEMA_DIR;
    server_ = std::make_unique<DmpServer>(std::move(options));
    ASSERT_TRUE(server_->Start().ok());
    admin_ =
        std::make_unique<SimAdminServer>(server_->registry(), server_->faults(), "127.0.0.1", 0);
    absl::Status started = admin_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void TearDown() override {
    admin_->Stop();
    server_->Stop();
  }

  httplib::Client Admin() const {
    httplib::Client client("127.0.0.1", admin_->port());
    client.set_read_timeout(10, 0);
    return client;
  }
  Json AdminJson(const std::string& path) const {
    httplib::Result result = Admin().Get(path.c_str());
    EXPECT_TRUE(result) << path << ": " << httplib::to_string(result.error());
    EXPECT_EQ(result ? result->status : 0, 200) << path;
    return result ? Json::parse(result->body, nullptr, false) : Json();
  }

  // Posts a fresh CR-BIO ITI-41 over mutual TLS with the establishment's
  // TLS pair; the result, or an error.
  httplib::Result PostIti41(TestIti41* sent = nullptr) const {
    const std::string url = absl::StrCat("https://127.0.0.1:", server_->port(), kRepositoryPath);
    absl::StatusOr<TestIti41> request = BuildCrBioIti41(*dir_, url);
    EXPECT_TRUE(request.ok()) << request.status();
    if (sent != nullptr && request.ok()) *sent = *request;
    httplib::SSLClient client("127.0.0.1", server_->port(), (*dir_ / kAuthCertFile).string(),
                              (*dir_ / kAuthKeyFile).string());
    client.set_ca_cert_path((*dir_ / kCaCertFile).string().c_str());
    client.enable_server_certificate_verification(true);
    client.set_read_timeout(20, 0);
    return client.Post(kRepositoryPath, request.ok() ? request->http.bytes : "",
                       request.ok() ? request->http.content_type.c_str() : "text/plain");
  }
  // The first errorCode of the DMP's answer, "Success", or what went wrong.
  std::string AnswerCode(const httplib::Result& result) const {
    if (!result) return absl::StrCat("<", httplib::to_string(result.error()), ">");
    absl::StatusOr<std::string> xml =
        soap::SoapXmlOfHttpBody(result->get_header_value("Content-Type"), result->body);
    if (!xml.ok()) return absl::StrCat("<HTTP ", result->status, ">");
    absl::StatusOr<soap::DmpResponse> answer = soap::ParseDmpResponse(*xml);
    if (!answer.ok()) return absl::StrCat("<", answer.status().ToString(), ">");
    if (answer->fault) return answer->fault->code;
    return answer->errors.empty() ? "Success" : answer->errors.front().error_code;
  }

  static std::filesystem::path* dir_;
  static std::string* pki_error_;
  std::unique_ptr<DmpServer> server_;
  std::unique_ptr<SimAdminServer> admin_;
};

std::filesystem::path* SimAdminTest::dir_ = nullptr;
std::string* SimAdminTest::pki_error_ = nullptr;

TEST_F(SimAdminTest, HealthAnswers) {
  httplib::Result result = Admin().Get("/health");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
}

TEST_F(SimAdminTest, FaultsPostedAreWhatTheNextRequestsGet) {
  httplib::Result posted =
      Admin().Post("/faults", "busy\n\n  error:DMPClosed \n503\n", "text/plain");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 200);
  EXPECT_EQ(Json::parse(posted->body)["queued"], 3);
  EXPECT_EQ(AdminJson("/faults")["queued"], 3);

  EXPECT_EQ(AnswerCode(PostIti41()), "XDSRegistryBusy");
  EXPECT_EQ(AnswerCode(PostIti41()), "DMPClosed");
  httplib::Result unavailable = PostIti41();
  ASSERT_TRUE(unavailable);
  EXPECT_EQ(unavailable->status, 503);
  EXPECT_EQ(AdminJson("/faults")["queued"], 0);
  EXPECT_EQ(server_->registry().size(), 0u);

  EXPECT_EQ(AnswerCode(PostIti41()), "Success");
  EXPECT_EQ(server_->registry().size(), 1u);
}

TEST_F(SimAdminTest, ABadFaultLineIsRefusedNamingItAndNothingIsQueued) {
  httplib::Result posted = Admin().Post("/faults", "busy\nslow:soon\n503\n", "text/plain");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 400);
  const std::string error = Json::parse(posted->body)["error"];
  EXPECT_THAT(error, HasSubstr("line 2"));
  EXPECT_THAT(error, HasSubstr("slow:soon"));
  EXPECT_EQ(server_->faults().size(), 0u);
}

TEST_F(SimAdminTest, DeleteClearsTheQueue) {
  ASSERT_TRUE(Admin().Post("/faults", "drop\ndrop\nslow:10\n", "text/plain"));
  httplib::Result cleared = Admin().Delete("/faults");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(Json::parse(cleared->body)["cleared"], 3);
  EXPECT_EQ(AdminJson("/faults")["queued"], 0);
  EXPECT_EQ(AnswerCode(PostIti41()), "Success");
}

TEST_F(SimAdminTest, DocumentsListsARegistrationWithoutItsBytes) {
  EXPECT_EQ(AdminJson("/documents"), Json::array());
  TestIti41 sent;
  ASSERT_EQ(AnswerCode(PostIti41(&sent)), "Success");

  httplib::Result listed = Admin().Get("/documents");
  ASSERT_TRUE(listed);
  EXPECT_THAT(listed->body, Not(HasSubstr("ClinicalDocument")));
  const Json documents = Json::parse(listed->body);
  ASSERT_EQ(documents.size(), 1u);
  const Json& entry = documents[0];
  EXPECT_EQ(entry["entryUUID"], sent.entry_uuid);
  EXPECT_EQ(entry["uniqueId"], kCrBioUniqueId);
  EXPECT_EQ(entry["patientId"], kCrBioPatientCx);
  EXPECT_EQ(entry["classCode"], server_->registry().FindByUniqueId(kCrBioUniqueId)->class_code);
  EXPECT_EQ(entry["typeCode"], "11502-2^2.16.840.1.113883.6.1");
  EXPECT_FALSE(entry["formatCode"].get<std::string>().empty());
  EXPECT_EQ(entry["confidentialityCodes"].size(), 1u);
  EXPECT_EQ(entry["status"], "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved");
  EXPECT_EQ(entry["version"], 1);
  EXPECT_EQ(entry["replacedBy"], "");
  EXPECT_EQ(entry["hash"], xds::Sha1Hex(sent.cda));
  EXPECT_EQ(entry["size"], sent.cda.size());
  EXPECT_FALSE(entry.contains("bytes"));

  // The patient filter, with and without the CX.7 date; another patient.
  const std::string by_patient = absl::StrCat("/documents?patient=", QueryEscaped(kCrBioPatientCx));
  EXPECT_EQ(AdminJson(by_patient).size(), 1u);
  EXPECT_EQ(AdminJson(absl::StrCat(by_patient, QueryEscaped("^^20240101"))).size(), 1u);
  EXPECT_EQ(
      AdminJson(absl::StrCat("/documents?patient=", QueryEscaped("279035121518988^^^&1.2.250.1.213."
                                                                 "1.4.10&ISO^NH"))),
      Json::array());
}

TEST_F(SimAdminTest, ATakenPortIsRefusedNamingIt) {
  SimAdminServer second(server_->registry(), server_->faults(), "127.0.0.1", admin_->port());
  absl::Status started = second.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(started.message(), HasSubstr(absl::StrCat("127.0.0.1:", admin_->port())));
}

TEST(ParseFaultLinesTest, TakesEverySpellingAndSkipsBlankLines) {
  absl::StatusOr<std::vector<CannedAnswer>> answers =
      ParseFaultLines("busy\r\n503\n\nslow:250\nerror:XDSRegistryBusy\ndrop");
  ASSERT_TRUE(answers.ok()) << answers.status();
  ASSERT_EQ(answers->size(), 5u);
  EXPECT_EQ((*answers)[0].kind, CannedAnswer::Kind::kBusy);
  EXPECT_EQ((*answers)[1].kind, CannedAnswer::Kind::kHttp503);
  EXPECT_EQ((*answers)[2].delay, std::chrono::milliseconds(250));
  EXPECT_EQ((*answers)[3].error_code, "XDSRegistryBusy");
  EXPECT_EQ((*answers)[4].kind, CannedAnswer::Kind::kDrop);
}

}  // namespace
}  // namespace navette::testing::dmp_sim
