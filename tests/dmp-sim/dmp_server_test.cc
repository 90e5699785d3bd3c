// The simulator over its real port: a real ITI-41 of the corpus CR-BIO,
// its VIHF signed by the test PKI's signing pair (vihf_test_pki.h), posted
// with libcurl over mutual TLS (client certificate = the TLS pair), and what
// the DMP would refuse, each answer read back with the DMP destination's own
// parser (ParseDmpResponse).
#include "tests/dmp-sim/dmp_server.h"

#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/dmp/soap/mtom_reader.h"
#include "adapters/dmp/soap/registry_response.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/vihf/vihf_test_pki.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/metadata_update.h"
#include "adapters/dmp/xds/provide_and_register.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "adapters/dmp/xds/xds_test_support.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::testing::dmp_sim {
namespace {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;
using ::testing::HasSubstr;

constexpr char kCrBioId[] = "1.2.250.1.213.1.1.1.55.2024.9.1";
constexpr char kHomologation[] = "HOMOLOG-123";

struct HttpResult {
  CURLcode curl = CURLE_OK;
  std::string error;
  long status = 0;
  std::string content_type;
  std::string body;
};

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One request to the simulator and the DMP answer it carries.
struct Answer {
  HttpResult http;
  absl::StatusOr<soap::DmpResponse> response = absl::UnknownError("not read");
  std::string FirstCode() const {
    if (!response.ok()) return absl::StrCat("<", response.status().ToString(), ">");
    if (response->fault) {
      return response->fault->subcodes.empty() ? response->fault->code
                                               : response->fault->subcodes.back();
    }
    return response->errors.empty() ? "Success" : response->errors.front().error_code;
  }
  std::string Context() const {
    if (!response.ok()) return "";
    if (response->fault) return response->fault->reason;
    std::string all;
    for (const soap::RegistryError& error : response->errors) {
      absl::StrAppend(&all, error.error_code, ": ", error.code_context, "\n");
    }
    return all;
  }
};

class DmpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_dmp_sim_test_", ::getpid()));
    pki_ = new vihf::testing::VihfTestPki(*dir_);
    // The server's own pair, for 127.0.0.1, from the same test CA.
    std::ofstream(*dir_ / "server.cnf") << "[ext]\nbasicConstraints = CA:FALSE\n"
                                           "extendedKeyUsage = serverAuth\n"
                                           "subjectAltName = IP:127.0.0.1\n";
    const std::string command = absl::StrCat(
        "cd '", dir_->string(),
        "' && openssl req -new -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj '/CN=dmp-sim' >>openssl.log 2>&1 && openssl x509 -req -in server.csr -CA ca.pem "
        "-CAkey ca.key -set_serial 9 -days 2 -extfile server.cnf -extensions ext -out server.pem "
        ">>openssl.log 2>&1");
    server_pki_ok_ = std::system(command.c_str()) == 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }
  static void TearDownTestSuite() {
    delete pki_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_->ok()) << pki_->error();
    ASSERT_TRUE(server_pki_ok_) << "openssl could not make the server pair";
    absl::StatusOr<vihf::X509Ptr> signing = vihf::LoadCertificatePemFile(pki_->Path("sign.pem"));
    ASSERT_TRUE(signing.ok()) << signing.status();
    absl::StatusOr<std::shared_ptr<const DmpValueSets>> sets =
        DmpValueSets::Load(DefaultValueSetDir());
    ASSERT_TRUE(sets.ok()) << sets.status();
    DmpServerOptions options;
    options.certificate_path = pki_->Path("server.pem");
    options.key_path = pki_->Path("server.key");
    options.client_ca_path = pki_->Path("ca.pem");
    options.policy.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
    options.policy.vihf_settings.homologation_number = kHomologation;
    options.policy.allow_test_ins = true;  // the corpus patient carries the test OID
    options.policy.value_sets = *sets;
    options.policy.xds_schema_dir = NAVETTE_XDS_SCHEMA_DIR;
    server_ = std::make_unique<DmpServer>(std::move(options));
    ASSERT_TRUE(server_->Start().ok());
    cda_ = xds::testing::ReadFixture(xds::testing::kCrBio);
    ASSERT_FALSE(cda_.empty());
  }
  void TearDown() override { server_->Stop(); }

  std::string Url(const char* path) const {
    return absl::StrCat("https://127.0.0.1:", server_->port(), path);
  }

  HttpResult Post(const char* path, const soap::HttpBody& body, bool client_certificate = true,
                  long timeout_ms = 20000) const {
    HttpResult result;
    CURL* curl = curl_easy_init();
    char error[CURL_ERROR_SIZE] = "";
    curl_slist* headers =
        curl_slist_append(nullptr, absl::StrCat("Content-Type: ", body.content_type).c_str());
    const std::string url = Url(path);
    const std::string ca = pki_->Path("ca.pem");
    const std::string cert = pki_->Path("tls.pem");
    const std::string key = pki_->Path("tls.key");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.bytes.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.bytes.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (client_certificate) {
      curl_easy_setopt(curl, CURLOPT_SSLCERT, cert.c_str());
      curl_easy_setopt(curl, CURLOPT_SSLKEY, key.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
    result.curl = curl_easy_perform(curl);
    result.error = error;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) result.content_type = type;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
  }

  Answer Send(const char* path, const soap::HttpBody& body) const {
    Answer answer;
    answer.http = Post(path, body);
    if (answer.http.curl != CURLE_OK) {
      answer.response = absl::UnavailableError(answer.http.error);
      return answer;
    }
    absl::StatusOr<std::string> xml =
        soap::SoapXmlOfHttpBody(answer.http.content_type, answer.http.body);
    answer.response =
        xml.ok() ? soap::ParseDmpResponse(*xml) : absl::StatusOr<soap::DmpResponse>(xml.status());
    return answer;
  }

  // The VIHF for the corpus patient, signed with the pair `signer_name`.
  static std::string Vihf(const std::string& signer_name = "sign",
                          const std::string& ins = "279035121518989",
                          const std::string& structure = "1120459876") {
    absl::StatusOr<vihf::VihfSigner> signer = vihf::VihfSigner::FromPemFiles(
        pki_->Path(signer_name + ".key"), pki_->Path(signer_name + ".pem"));
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (!signer.ok()) return "";
    vihf::VihfSettings settings;
    settings.homologation_number = kHomologation;
    vihf::VihfRequest request;
    request.assertion_id = absl::StrCat("_", xds::NewEntryUuid().substr(9));
    request.issue_instant = std::chrono::system_clock::now();
    request.structure_id = structure;
    request.responsible_id = "899900063480";
    request.responsible_name = "LIBRE Max";
    request.patient_ins = ins;
    request.patient_ins_oid = "1.2.250.1.213.1.4.10";
    absl::StatusOr<std::string> xml = signer->BuildSigned(settings, request);
    EXPECT_TRUE(xml.ok()) << xml.status();
    return xml.ok() ? *xml : "";
  }

  struct Iti41 {
    soap::HttpBody http;
    xds::ProvideAndRegisterRequest body;
  };
  // An ITI-41 for `cda`; `edit` rewrites the body XML after it was built
  // (hash, codes: what a careless sender would get wrong).
  Iti41 BuildIti41(const std::string& cda, const std::string& vihf_xml,
                   const std::string& replaced = {},
                   const std::function<void(xds::DocumentMetadata*)>& edit_metadata = {},
                   const std::function<void(std::string*)>& edit_xml = {}) {
    Iti41 built;
    absl::StatusOr<xds::DocumentMetadata> metadata = xds::ReadCdaMetadata(cda);
    EXPECT_TRUE(metadata.ok()) << metadata.status();
    if (!metadata.ok()) return built;
    if (edit_metadata) edit_metadata(&*metadata);
    xds::SubmissionSet set = xds::testing::TestSubmissionSet();
    set.unique_id = absl::StrCat("1.2.250.1.999.1.1.7898.1.", ++submissions_);
    absl::StatusOr<xds::ProvideAndRegisterRequest> body =
        xds::BuildProvideAndRegister(*metadata, cda, set, replaced);
    EXPECT_TRUE(body.ok()) << body.status();
    if (!body.ok()) return built;
    built.body = *body;
    if (edit_xml) edit_xml(&built.body.xml);
    absl::StatusOr<soap::SoapRequest> request = soap::BuildProvideAndRegisterRequest(
        Url(kRepositoryPath), vihf_xml, built.body.xml, {{built.body.content_id, "text/xml", cda}});
    EXPECT_TRUE(request.ok()) << request.status();
    if (request.ok()) built.http = request->http;
    return built;
  }

  // A second version of the CR-BIO under another ClinicalDocument/id.
  std::string CdaVersion(int n) const {
    return absl::StrReplaceAll(cda_, {{absl::StrCat("root=\"", kCrBioId, "\""),
                                       absl::StrCat("root=\"", kCrBioId, ".", n, "\"")}});
  }

  static std::filesystem::path* dir_;
  static vihf::testing::VihfTestPki* pki_;
  static bool server_pki_ok_;
  std::unique_ptr<DmpServer> server_;
  std::string cda_;
  int submissions_ = 0;
};

std::filesystem::path* DmpServerTest::dir_ = nullptr;
vihf::testing::VihfTestPki* DmpServerTest::pki_ = nullptr;
bool DmpServerTest::server_pki_ok_ = false;

TEST_F(DmpServerTest, CrBioIsRegisteredWithItsHashSizeAndUniqueId) {
  Iti41 request = BuildIti41(cda_, Vihf());
  Answer answer = Send(kRepositoryPath, request.http);
  ASSERT_EQ(answer.FirstCode(), "Success") << answer.Context() << answer.http.body;
  EXPECT_EQ(answer.http.status, 200);
  EXPECT_EQ(answer.response->status, soap::RegistryStatus::kSuccess);
  EXPECT_FALSE(answer.response->relates_to.empty());

  std::optional<StoredEntry> stored = server_->registry().FindByUniqueId(kCrBioId);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entry_uuid, request.body.entry_uuid);
  EXPECT_EQ(stored->hash, xds::Sha1Hex(cda_));
  EXPECT_EQ(stored->size, cda_.size());
  EXPECT_EQ(stored->bytes, cda_);
  EXPECT_EQ(stored->patient_id, "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH");
  EXPECT_EQ(stored->type_code, "11502-2^2.16.840.1.113883.6.1");
  EXPECT_EQ(stored->status, EntryStatus::kApproved);
}

TEST_F(DmpServerTest, SameUniqueIdAgainIsADuplicate) {
  ASSERT_EQ(Send(kRepositoryPath, BuildIti41(cda_, Vihf()).http).FirstCode(), "Success");
  Answer again = Send(kRepositoryPath, BuildIti41(cda_, Vihf()).http);
  EXPECT_EQ(again.FirstCode(), "XDSDuplicateUniqueIdInRegistry") << again.Context();
  EXPECT_THAT(again.Context(), HasSubstr(kCrBioId));
  EXPECT_EQ(server_->registry().size(), 1u);
}

TEST_F(DmpServerTest, VihfSignedWithTheTlsKeyIsRefusedNamingIt) {
  Answer answer = Send(kRepositoryPath, BuildIti41(cda_, Vihf("tls")).http);
  EXPECT_EQ(answer.http.status, 400);
  ASSERT_TRUE(answer.response.ok() && answer.response->fault) << answer.http.body;
  EXPECT_EQ(answer.response->fault->code, "Sender");
  EXPECT_EQ(answer.FirstCode(), "DMPInvalidCertificate");
  EXPECT_THAT(answer.Context(), HasSubstr("TLS client authentication certificate"));
  EXPECT_THAT(answer.Context(), HasSubstr("CN=DMP AUTH_CLI navette"));
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpServerTest, AlteredVihfIsRefused) {
  std::string vihf_xml = Vihf();
  ASSERT_THAT(vihf_xml, HasSubstr("LIBRE Max"));
  vihf_xml = absl::StrReplaceAll(vihf_xml, {{"LIBRE Max", "LIBRE Maxime"}});
  Answer answer = Send(kRepositoryPath, BuildIti41(cda_, vihf_xml).http);
  EXPECT_EQ(answer.FirstCode(), "FailedCheck") << answer.http.body;
  EXPECT_THAT(answer.Context(), HasSubstr("VIHF signature refused"));
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpServerTest, StructureOtherThanTheAuthorInstitutionIsRefused) {
  Answer answer =
      Send(kRepositoryPath, BuildIti41(cda_, Vihf("sign", "279035121518989", "10B0127189")).http);
  EXPECT_EQ(answer.FirstCode(), "FailedAuthentication") << answer.http.body;
  EXPECT_THAT(answer.Context(), HasSubstr("Identifiant_Structure '10B0127189'"));
  EXPECT_THAT(answer.Context(), HasSubstr("1120459876"));
}

TEST_F(DmpServerTest, NoClientCertificateFailsTheHandshake) {
  HttpResult result = Post(kRepositoryPath, BuildIti41(cda_, Vihf()).http,
                           /*client_certificate=*/false);
  EXPECT_NE(result.curl, CURLE_OK);
  EXPECT_EQ(result.status, 0);  // no HTTP answer at all
  EXPECT_EQ(server_->requests(), 0);
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpServerTest, PatientIdWithAWrongKeyIsAMetadataErrorNamingPatientId) {
  const std::string wrong = "279035121518988";
  auto edit = [&wrong](std::string* xml) {
    *xml = absl::StrReplaceAll(*xml, {{"279035121518989^^^", wrong + "^^^"}});
  };
  Answer answer = Send(kRepositoryPath, BuildIti41(cda_, Vihf("sign", wrong), {}, {}, edit).http);
  EXPECT_EQ(answer.FirstCode(), "XDSRegistryMetadataError") << answer.Context();
  EXPECT_THAT(answer.Context(), HasSubstr("patientId: matricule '279035121518988' has a wrong "
                                          "INS key"));
  EXPECT_EQ(server_->registry().size(), 0u);
}

TEST_F(DmpServerTest, ClassCodeOutsideTheValueSetIsNamed) {
  auto edit = [](xds::DocumentMetadata* metadata) {
    metadata->class_code = {"99", "Inconnue", "1.2.250.1.213.1.1.4.1"};
  };
  Answer answer = Send(kRepositoryPath, BuildIti41(cda_, Vihf(), {}, edit).http);
  EXPECT_EQ(answer.FirstCode(), "XDSRegistryMetadataError") << answer.Context();
  EXPECT_THAT(answer.Context(), HasSubstr("classCode: 99 (codingScheme 1.2.250.1.213.1.1.4.1) "
                                          "is not in the DMP value set"));
}

TEST_F(DmpServerTest, WrongHashIsARepositoryMetadataError) {
  const std::string other = xds::Sha1Hex("other bytes");
  Answer answer;
  Iti41 request = BuildIti41(cda_, Vihf(), {}, {}, [&other](std::string* xml) {
    *xml = absl::StrReplaceAll(
        *xml, {{xds::Sha1Hex(xds::testing::ReadFixture(xds::testing::kCrBio)), other}});
  });
  ASSERT_THAT(request.body.xml, HasSubstr(other));
  answer = Send(kRepositoryPath, request.http);
  EXPECT_EQ(answer.FirstCode(), "XDSRepositoryMetadataError") << answer.Context();
  EXPECT_THAT(answer.Context(), HasSubstr(absl::StrCat("hash: metadata says '", other)));
}

TEST_F(DmpServerTest, ReplacingTheLatestWorksAndAnOlderVersionIsRefused) {
  Iti41 first = BuildIti41(cda_, Vihf());
  ASSERT_EQ(Send(kRepositoryPath, first.http).FirstCode(), "Success");
  Iti41 second = BuildIti41(CdaVersion(2), Vihf(), first.body.entry_uuid);
  Answer replaced = Send(kRepositoryPath, second.http);
  ASSERT_EQ(replaced.FirstCode(), "Success") << replaced.Context();
  EXPECT_EQ(server_->registry().FindByEntryUuid(first.body.entry_uuid)->status,
            EntryStatus::kDeprecated);
  EXPECT_EQ(server_->registry().FindByEntryUuid(second.body.entry_uuid)->status,
            EntryStatus::kApproved);

  Answer stale =
      Send(kRepositoryPath, BuildIti41(CdaVersion(3), Vihf(), first.body.entry_uuid).http);
  EXPECT_EQ(stale.FirstCode(), "XDSRegistryDeprecatedDocumentError") << stale.Context();
  EXPECT_THAT(stale.Context(), HasSubstr(first.body.entry_uuid));
  EXPECT_FALSE(server_->registry().FindByUniqueId(absl::StrCat(kCrBioId, ".3")).has_value());
}

TEST_F(DmpServerTest, Iti57DeleteSetsTheEntryDeleted) {
  Iti41 first = BuildIti41(cda_, Vihf());
  ASSERT_EQ(Send(kRepositoryPath, first.http).FirstCode(), "Success");
  absl::StatusOr<xds::DocumentMetadata> metadata = xds::ReadCdaMetadata(cda_);
  ASSERT_TRUE(metadata.ok());
  xds::StatusChange change;
  change.entry_uuid = first.body.entry_uuid;
  change.patient = metadata->patient;
  change.author = metadata->author;
  xds::SubmissionSet set = xds::testing::TestSubmissionSet();
  set.unique_id = "1.2.250.1.999.1.1.7898.2.1";
  absl::StatusOr<std::string> body = xds::BuildStatusChange(change, set);
  ASSERT_TRUE(body.ok()) << body.status();
  absl::StatusOr<soap::SoapRequest> request =
      soap::BuildUpdateDocumentSetRequest(Url(kRegistryPath), Vihf(), *body);
  ASSERT_TRUE(request.ok()) << request.status();
  Answer answer = Send(kRegistryPath, request->http);
  ASSERT_EQ(answer.FirstCode(), "Success") << answer.Context() << answer.http.body;
  EXPECT_EQ(server_->registry().FindByEntryUuid(first.body.entry_uuid)->status,
            EntryStatus::kDeleted);
  // Deleting it again: its status is no longer Approved.
  Answer again = Send(kRegistryPath, request->http);
  EXPECT_EQ(again.FirstCode(), "XDSMetadataUpdateError") << again.Context();
}

TEST_F(DmpServerTest, UniqueIdOtherThanTheCdaIdIsRefused) {
  const std::string other = absl::StrCat(kCrBioId, ".77");
  Iti41 request = BuildIti41(
      cda_, Vihf(), {}, [&other](xds::DocumentMetadata* metadata) { metadata->unique_id = other; });
  Answer answer = Send(kRepositoryPath, request.http);
  EXPECT_EQ(answer.FirstCode(), "XDSRegistryMetadataError") << answer.Context();
  EXPECT_THAT(answer.Context(),
              HasSubstr(absl::StrCat("uniqueId: '", other,
                                     "' differs from the CDA's ClinicalDocument/id '", kCrBioId)));
}

TEST_F(DmpServerTest, Soap11EnvelopeIsAVersionMismatch) {
  Iti41 request = BuildIti41(cda_, Vihf());
  request.http.bytes = absl::StrReplaceAll(
      request.http.bytes,
      {{"http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"}});
  Answer answer = Send(kRepositoryPath, request.http);
  EXPECT_EQ(answer.http.status, 400);
  ASSERT_TRUE(answer.response.ok() && answer.response->fault) << answer.http.body;
  EXPECT_EQ(answer.response->fault->code, "VersionMismatch");
}

TEST_F(DmpServerTest, Iti41OnTheRegistryEndpointIsRefusedByAction) {
  Answer answer = Send(kRegistryPath, BuildIti41(cda_, Vihf()).http);
  EXPECT_EQ(answer.FirstCode(), "ActionNotSupported") << answer.http.body;
}

TEST_F(DmpServerTest, CannedBusy503AndDropAreSeenByTheClientThenNormalService) {
  server_->faults().Push(*ParseCannedAnswer("busy"));
  server_->faults().Push(*ParseCannedAnswer("503"));
  server_->faults().Push(*ParseCannedAnswer("drop"));
  server_->faults().Push(*ParseCannedAnswer("error:DMPClosed"));
  Iti41 request = BuildIti41(cda_, Vihf());

  Answer busy = Send(kRepositoryPath, request.http);
  EXPECT_EQ(busy.FirstCode(), "XDSRegistryBusy");
  EXPECT_EQ(busy.response->relates_to.empty(), false);
  HttpResult unavailable = Post(kRepositoryPath, request.http);
  EXPECT_EQ(unavailable.curl, CURLE_OK);
  EXPECT_EQ(unavailable.status, 503);
  HttpResult dropped = Post(kRepositoryPath, request.http);
  EXPECT_NE(dropped.curl, CURLE_OK) << "status " << dropped.status;
  EXPECT_EQ(dropped.curl, CURLE_GOT_NOTHING) << dropped.error;  // "Empty reply from server"
  EXPECT_EQ(dropped.status, 0);
  EXPECT_EQ(Send(kRepositoryPath, request.http).FirstCode(), "DMPClosed");
  EXPECT_EQ(server_->registry().size(), 0u);

  EXPECT_EQ(server_->faults().size(), 0u);
  EXPECT_EQ(Send(kRepositoryPath, request.http).FirstCode(), "Success");
  EXPECT_EQ(server_->requests(), 5);
}

TEST_F(DmpServerTest, SlowAnswerOutlastsAShortClientTimeout) {
  server_->faults().Push(*ParseCannedAnswer("slow:1500"));
  HttpResult timed_out = Post(kRepositoryPath, BuildIti41(cda_, Vihf()).http, true, 300);
  EXPECT_EQ(timed_out.curl, CURLE_OPERATION_TIMEDOUT) << timed_out.error;
}

}  // namespace
}  // namespace navette::testing::dmp_sim
