// Lenient mode on the official CNAM sample requests (TD2.1 ITI-41, TD3.3c/d
// ITI-57), read where the corpus keeps them — never copied into the tree,
// their licence is not stated. Strict mode refuses them naming the defect;
// lenient mode takes them into the registry with each defect as a warning,
// and still refuses what is wrong rather than merely old-fashioned.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/dmp/soap/registry_response.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/xds/xds_values.h"
#include "tests/dmp-sim/dmp_request_checks.h"
#include "tests/dmp-sim/dmp_responses.h"
#include "tests/dmp-sim/dmp_transactions.h"
#include "tests/dmp-sim/sim_pki.h"
#include "tests/dmp-sim/sim_test_iti41.h"

namespace navette::testing::dmp_sim {
namespace {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr char kDefaultSamples[] = "/work/shared/corpus/dmp-mss/cnam-dmp-lps-package";
constexpr char kIti41Sample[] = "messages/TD2.1_Alimentation_requete.xml";
constexpr char kArchiveSample[] = "messages/TD3.3d_Archiver_un_document_requete.xml";
constexpr char kDeleteSample[] = "messages/TD3.3c_Supprimer_un_document_requete.xml";
// What TD2.1 registers, and the entry TD3.3c/d archive then delete.
constexpr char kSampleUniqueId[] = "1.2.250.1.999.1.1.7898.3.1622814651504";
constexpr char kSampleEntryUuid[] = "urn:uuid:fe5287a2-ae6a-11eb-8f5d-0050569e422e";

std::filesystem::path SamplesDir() {
  const char* configured = std::getenv("NAVETTE_CNAM_SAMPLES");
  return configured != nullptr && *configured != '\0' ? configured : kDefaultSamples;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The HTTP Content-Type TD2.1 was posted with, which the file does not
// keep: its boundary is its first line, without the leading "--".
std::string MultipartContentType(const std::string& body) {
  std::string boundary = body.substr(2, body.find('\n') - 2);
  if (!boundary.empty() && boundary.back() == '\r') boundary.pop_back();
  return absl::StrCat("multipart/related; type=\"application/xop+xml\"; boundary=\"", boundary,
                      "\"; start=\"<rootpart@soapui.org>\"; start-info=\"application/soap+xml\"");
}

// An error or a warning with this code, its context saying `context`.
auto Finding(const std::string& code, const std::string& context) {
  return AllOf(Field(&XdsError::code, code), Field(&XdsError::context, HasSubstr(context)));
}

class LenientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     absl::StrCat("navette_dmp_lenient_test_", ::getpid()));
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
    policy_.signing_certificate = std::shared_ptr<X509>(signing->release(), X509_free);
    policy_.allow_test_ins = true;  // every sample carries the test NIR OID
    policy_.value_sets = *sets;
    policy_.xds_schema_dir = NAVETTE_XDS_SCHEMA_DIR;
  }

  // The sample's bytes (REQUIRE_CNAM_SAMPLES has made sure they are there).
  static std::string Sample(const char* relative) { return ReadFile(SamplesDir() / relative); }
  static bool SamplesMissing() { return !std::filesystem::exists(SamplesDir() / kIti41Sample); }

  CheckedRequest CheckIti41(const std::string& body, bool lenient) {
    policy_.lenient = lenient;
    return CheckRequest(Transaction::kProvideAndRegister, MultipartContentType(body), body, nullptr,
                        policy_);
  }
  CheckedRequest CheckIti57(const std::string& body, bool lenient) {
    policy_.lenient = lenient;
    return CheckRequest(Transaction::kUpdateDocumentSet, "application/soap+xml; charset=UTF-8",
                        body, nullptr, policy_);
  }

  static std::filesystem::path* dir_;
  static std::string* pki_error_;
  SimulatorPolicy policy_;
  DmpRegistry registry_;
};

std::filesystem::path* LenientTest::dir_ = nullptr;
std::string* LenientTest::pki_error_ = nullptr;

#define REQUIRE_CNAM_SAMPLES()                                                                 \
  if (SamplesMissing()) {                                                                      \
    GTEST_SKIP() << "the CNAM samples are not at " << SamplesDir()                             \
                 << ": set NAVETTE_CNAM_SAMPLES to the cnam-dmp-lps-package directory of the " \
                    "dmp-mss corpus";                                                          \
  }

TEST_F(LenientTest, StrictRefusesTheIti41SampleNamingEachDefectInTurn) {
  REQUIRE_CNAM_SAMPLES();
  const std::string sample = Sample(kIti41Sample);
  CheckedRequest as_sent = CheckIti41(sample, /*lenient=*/false);
  ASSERT_TRUE(as_sent.fault.has_value());
  EXPECT_EQ(as_sent.fault->code, "VersionMismatch");
  EXPECT_THAT(as_sent.fault->reason, HasSubstr("SOAP 1.1 envelope"));

  // With the envelope's namespace mended, the next layer names the VIHF,
  // which the CNAM left unsigned.
  const std::string soap12 = absl::StrReplaceAll(
      sample,
      {{"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}});
  CheckedRequest mended = CheckIti41(soap12, /*lenient=*/false);
  ASSERT_TRUE(mended.fault.has_value());
  EXPECT_EQ(mended.fault->subcode, "FailedCheck");
  EXPECT_THAT(mended.fault->reason, HasSubstr("VIHF signature refused"));
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(LenientTest, LenientRegistersTheIti41SampleWithEachDefectAsAWarning) {
  REQUIRE_CNAM_SAMPLES();
  CheckedRequest checked = CheckIti41(Sample(kIti41Sample), /*lenient=*/true);
  ASSERT_FALSE(checked.fault.has_value()) << checked.fault->reason;
  for (const XdsError& error : checked.errors) ADD_FAILURE() << error.code << ": " << error.context;
  EXPECT_EQ(checked.message_id, "urn:uuid:b3745a7c-4d1a-4cfd-a752-536197e4ac7a");
  const std::vector<XdsError>& warnings = checked.warnings;
  EXPECT_THAT(warnings, Contains(Finding("VersionMismatch", "SOAP 1.1 envelope")));
  EXPECT_THAT(warnings, Contains(Finding("FailedCheck", "VIHF signature refused")));
  EXPECT_THAT(warnings, Contains(Finding("InvalidSecurityToken", "DIRECTE")));
  EXPECT_THAT(warnings, Contains(Finding("XDSMissingDocument",
                                         "'documentME2' is DocumentEntry "
                                         "'DocumentME2'")));
  EXPECT_THAT(warnings, Contains(Finding("XDSRepositoryMetadataError", "hash: missing")));
  EXPECT_THAT(warnings, Contains(Finding("XDSRegistryMetadataError", "typeCode: 27899-4")));
  EXPECT_THAT(warnings, Contains(Finding("XDSRegistryMetadataError",
                                         "differs from the CDA's ClinicalDocument/id")));

  EXPECT_THAT(ApplyProvideAndRegister(checked, &registry_), ::testing::IsEmpty());
  std::optional<StoredEntry> stored = registry_.FindByUniqueId(kSampleUniqueId);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entry_uuid, "DocumentME2");
  EXPECT_EQ(stored->patient_id, "207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH^^20100907");
  EXPECT_EQ(stored->type_code, "27899-4^2.16.840.1.113883.6.1");
  EXPECT_THAT(stored->bytes, HasSubstr("<ClinicalDocument"));
  EXPECT_EQ(stored->hash, xds::Sha1Hex(stored->bytes));  // computed, as a repository does
  EXPECT_EQ(stored->size, stored->bytes.size());
  EXPECT_EQ(registry_.size(), 2u);  // and the XAdES signature document

  // The answer: a Success that carries the warnings, which the DMP
  // destination's own parser reads as such.
  absl::StatusOr<soap::DmpResponse> answer = soap::ParseDmpResponse(WriteRegistryResponse(
      kProvideAndRegisterResponseAction, checked.message_id, {}, checked.warnings));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, soap::RegistryStatus::kSuccess);
  ASSERT_EQ(answer->errors.size(), warnings.size());
  for (const soap::RegistryError& error : answer->errors) EXPECT_TRUE(error.IsWarning());
}

TEST_F(LenientTest, LenientStillRefusesTheIti41SampleWithAWrongHash) {
  REQUIRE_CNAM_SAMPLES();
  const std::string wrong = xds::Sha1Hex("not the document");
  const std::string sample = absl::StrReplaceAll(
      Sample(kIti41Sample),
      {{"<ExtrinsicObject id=\"DocumentME2\" mimeType=\"text/xml\" "
        "objectType=\"urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1\">",
        absl::StrCat("<ExtrinsicObject id=\"DocumentME2\" mimeType=\"text/xml\" "
                     "objectType=\"urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1\">"
                     "<Slot name=\"hash\"><ValueList><Value>",
                     wrong, "</Value></ValueList></Slot>")}});
  ASSERT_THAT(sample, HasSubstr(wrong));
  CheckedRequest checked = CheckIti41(sample, /*lenient=*/true);
  ASSERT_FALSE(checked.fault.has_value()) << checked.fault->reason;
  EXPECT_THAT(checked.errors, Contains(Finding("XDSRepositoryMetadataError",
                                               absl::StrCat("hash: metadata says '", wrong))));
  EXPECT_FALSE(checked.ok());
}

TEST_F(LenientTest, LenientAcceptsACleanRequestWithoutWarningsAndRefusesItsWrongHash) {
  const std::string url = "https://127.0.0.1:8443/DocumentRepository_Service";
  absl::StatusOr<TestIti41> clean = BuildCrBioIti41(*dir_, url);
  ASSERT_TRUE(clean.ok()) << clean.status();
  policy_.lenient = true;
  CheckedRequest accepted = CheckRequest(Transaction::kProvideAndRegister, clean->http.content_type,
                                         clean->http.bytes, nullptr, policy_);
  EXPECT_TRUE(accepted.ok()) << (accepted.fault ? accepted.fault->reason : "metadata errors");
  EXPECT_THAT(accepted.warnings, ::testing::IsEmpty());

  const std::string other = xds::Sha1Hex("other bytes");
  absl::StatusOr<TestIti41> tampered = BuildCrBioIti41(*dir_, url, [&](std::string* body) {
    *body = absl::StrReplaceAll(*body, {{xds::Sha1Hex(clean->cda), other}});
  });
  ASSERT_TRUE(tampered.ok()) << tampered.status();
  CheckedRequest refused =
      CheckRequest(Transaction::kProvideAndRegister, tampered->http.content_type,
                   tampered->http.bytes, nullptr, policy_);
  EXPECT_THAT(refused.errors, Contains(Finding("XDSRepositoryMetadataError",
                                               absl::StrCat("hash: metadata says '", other))));
}

TEST_F(LenientTest, LenientStillRefusesAnAlteredVihfSignedByTheTrustedCertificate) {
  absl::StatusOr<TestIti41> request =
      BuildCrBioIti41(*dir_, "https://127.0.0.1:8443/DocumentRepository_Service");
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_THAT(request->http.bytes, HasSubstr("LIBRE Max"));
  const std::string altered =
      absl::StrReplaceAll(request->http.bytes, {{"LIBRE Max", "LIBRE Maxime"}});
  policy_.lenient = true;
  CheckedRequest checked = CheckRequest(Transaction::kProvideAndRegister,
                                        request->http.content_type, altered, nullptr, policy_);
  ASSERT_TRUE(checked.fault.has_value());
  EXPECT_EQ(checked.fault->subcode, "FailedCheck");
}

TEST_F(LenientTest, Iti57SamplesAreRefusedStrictAndArchiveThenDeleteLenient) {
  REQUIRE_CNAM_SAMPLES();
  NewEntry known;
  known.entry.entry_uuid = kSampleEntryUuid;
  known.entry.unique_id = kSampleUniqueId;
  known.entry.patient_id = "207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH";
  ASSERT_THAT(registry_.Register({known}), ::testing::IsEmpty());
  const std::string archive = Sample(kArchiveSample);
  const std::string remove = Sample(kDeleteSample);

  CheckedRequest strict = CheckIti57(archive, /*lenient=*/false);
  ASSERT_TRUE(strict.fault.has_value());
  EXPECT_EQ(strict.fault->subcode, "FailedCheck");

  CheckedRequest archived = CheckIti57(archive, /*lenient=*/true);
  ASSERT_TRUE(archived.ok()) << (archived.fault ? archived.fault->reason : "metadata errors");
  EXPECT_THAT(archived.warnings, Contains(Finding("XDSRegistryMetadataError", "schema:")));
  EXPECT_THAT(ApplyUpdateDocumentSet(archived, &registry_), ::testing::IsEmpty());
  EXPECT_EQ(registry_.FindByEntryUuid(kSampleEntryUuid)->status, EntryStatus::kArchived);

  CheckedRequest deleted = CheckIti57(remove, /*lenient=*/true);
  ASSERT_TRUE(deleted.ok()) << (deleted.fault ? deleted.fault->reason : "metadata errors");
  EXPECT_THAT(ApplyUpdateDocumentSet(deleted, &registry_), ::testing::IsEmpty());
  EXPECT_EQ(registry_.FindByEntryUuid(kSampleEntryUuid)->status, EntryStatus::kDeleted);
}

}  // namespace
}  // namespace navette::testing::dmp_sim
