#include "tests/dmp-sim/dmp_lenient.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/soap/soap_xml.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_names.h"

namespace navette::testing::dmp_sim {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;

VihfSigner EmbeddedVihfSigner(xmlNode* assertion, const X509* trusted) {
  xmlNode* signature = soap::FirstChildElement(assertion, vihf::kDsigNamespace, "Signature");
  if (signature == nullptr) return VihfSigner::kNone;
  xmlNode* key_info = soap::FirstChildElement(signature, vihf::kDsigNamespace, "KeyInfo");
  xmlNode* data = soap::FirstChildElement(key_info, vihf::kDsigNamespace, "X509Data");
  const std::string base64 =
      soap::TrimmedText(soap::FirstChildElement(data, vihf::kDsigNamespace, "X509Certificate"));
  absl::StatusOr<vihf::X509Ptr> embedded = vihf::CertificateFromBase64Der(base64);
  if (!embedded.ok() || trusted == nullptr) return VihfSigner::kOther;
  return X509_cmp(embedded->get(), trusted) == 0 ? VihfSigner::kTrusted : VihfSigner::kOther;
}

void ReconcileDocumentIds(Submission* submission, std::vector<XdsError>* warnings) {
  auto described = [submission](const std::string& id) {
    return std::any_of(submission->entries.begin(), submission->entries.end(),
                       [&id](const RimObject& entry) { return entry.id == id; });
  };
  std::map<std::string, std::string> reconciled;
  for (const auto& [id, href] : submission->documents) {
    std::string key = id;
    for (const RimObject& entry : submission->entries) {
      if (described(id) || !absl::EqualsIgnoreCase(entry.id, id)) continue;
      warnings->push_back({"XDSMissingDocument",
                           absl::StrCat("xdsb:Document '", id, "' is DocumentEntry '", entry.id,
                                        "' with its id in another case"),
                           entry.id});
      key = entry.id;
      break;
    }
    reconciled[key] = href;
  }
  submission->documents = std::move(reconciled);
}

}  // namespace navette::testing::dmp_sim
