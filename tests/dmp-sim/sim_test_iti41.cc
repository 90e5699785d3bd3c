#include "tests/dmp-sim/sim_test_iti41.h"

#include <atomic>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/vihf/vihf_signer.h"
#include "adapters/dmp/xds/cda_metadata.h"
#include "adapters/dmp/xds/provide_and_register.h"
#include "adapters/dmp/xds/xds_test_support.h"
#include "adapters/dmp/xds/xds_values.h"
#include "tests/dmp-sim/sim_banner.h"
#include "tests/dmp-sim/sim_pki.h"

namespace navette::testing::dmp_sim {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;

absl::StatusOr<TestIti41> BuildCrBioIti41(const std::filesystem::path& pki_dir,
                                          const std::string& url,
                                          const std::function<void(std::string*)>& edit_body) {
  static std::atomic<int> submissions{0};
  TestIti41 built;
  built.cda = xds::testing::ReadFixture(xds::testing::kCrBio);
  if (built.cda.empty()) return absl::NotFoundError(absl::StrCat("fixture ", xds::testing::kCrBio));
  absl::StatusOr<xds::DocumentMetadata> metadata = xds::ReadCdaMetadata(built.cda);
  if (!metadata.ok()) return metadata.status();
  xds::SubmissionSet set = xds::testing::TestSubmissionSet();
  set.unique_id = absl::StrCat("1.2.250.1.999.1.1.7898.1.", ++submissions);
  absl::StatusOr<xds::ProvideAndRegisterRequest> body =
      xds::BuildProvideAndRegister(*metadata, built.cda, set, "");
  if (!body.ok()) return body.status();
  built.entry_uuid = body->entry_uuid;
  if (edit_body) edit_body(&body->xml);

  absl::StatusOr<vihf::VihfSigner> signer = vihf::VihfSigner::FromPemFiles(
      (pki_dir / kSignKeyFile).string(), (pki_dir / kSignCertFile).string());
  if (!signer.ok()) return signer.status();
  vihf::VihfSettings settings;
  settings.homologation_number = kSimulatorHomologationNumber;
  vihf::VihfRequest request;
  request.assertion_id = absl::StrCat("_", xds::NewEntryUuid().substr(9));
  request.issue_instant = std::chrono::system_clock::now();
  request.issuer_dn = signer->IssuerDn();
  request.structure_id = "1120459876";  // the CR-BIO's authorInstitution
  request.responsible_id = "899900063480";
  request.responsible_name = "LIBRE Max";
  request.patient_ins = "279035121518989";
  request.patient_ins_oid = "1.2.250.1.213.1.4.10";
  absl::StatusOr<std::string> vihf_xml = signer->BuildSigned(settings, request);
  if (!vihf_xml.ok()) return vihf_xml.status();
  absl::StatusOr<soap::SoapRequest> soap_request = soap::BuildProvideAndRegisterRequest(
      url, *vihf_xml, body->xml, {{body->content_id, "text/xml", built.cda}});
  if (!soap_request.ok()) return soap_request.status();
  built.http = soap_request->http;
  return built;
}

}  // namespace navette::testing::dmp_sim
