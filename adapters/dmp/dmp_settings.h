// The dmp destination's settings resolved for use: the configuration
// (config::DmpDestination) with its defaults, the hospital's values it
// borrows, the PKCS#12 passwords read from their environment variables,
// and the VIHF settings in the form the signer takes. Every error is a
// kinds::SettingError naming the key at fault, so that `navette check` and
// `serve` place it at that key's file:line:col.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "adapters/dmp/transport/dmp_tls.h"
#include "adapters/dmp/vihf/vihf_settings.h"
#include "adapters/dmp/xds/document_metadata.h"
#include "proto/config.pb.h"

namespace navette::adapters::dmp {

inline constexpr int64_t kDefaultConnectTimeoutSeconds = 10;
inline constexpr int64_t kDefaultTimeoutSeconds = 60;
// SubmissionSet contentTypeCode (JDV_J59): hospitalisation.
inline constexpr char kDefaultContentTypeCode[] = "04^1.2.250.1.213.2.2";
// The repositoryUniqueId of the entries the DMP returns in the public
// samples (dmp-mss-notes.md §3); restated in an ITI-57 confidentiality
// update.
inline constexpr char kDefaultRepositoryUniqueId[] = "1.2.250.1.213.4.1.1.1.2";
// Secteur_Activite's code system (JDV_J61, TRE_R02).
inline constexpr char kActivitySectorSystem[] = "1.2.250.1.71.4.2.4";
inline constexpr char kRepositoryService[] = "DocumentRepository_Service";
inline constexpr char kRegistryService[] = "DocumentRegistry_Service";

// Where the signing pair is read from (VihfSigner loads it).
struct SigningFiles {
  std::string cert_file;
  std::string key_file;
  std::string pkcs12_file;
  std::string pkcs12_password;
};

struct DmpSettings {
  std::string repository_url;
  std::string registry_url;
  transport::DmpTls tls;
  SigningFiles signing;
  vihf::VihfSettings vihf;
  // NameID when a document names no sender (PRT SB); may be empty.
  std::string responsible_id;
  std::string source_id;
  xds::Code content_type;
  std::string repository_unique_id;
  navette::config::Hospital hospital;
  // The identity environment is a test one: the INS test and demonstration
  // OIDs are accepted (never in production).
  bool allow_test_ins = false;
};

// The registry URL the DMP's layout gives a repository URL; "" when the
// URL does not name DocumentRepository_Service.
std::string RegistryUrlOf(const std::string& repository_url);

// `config` with its defaults applied (dmp_kind.cc). Reads the PKCS#12
// password variables; opens no file.
absl::StatusOr<DmpSettings> ResolveDmpSettings(const navette::config::DmpDestination& config,
                                               const navette::config::Hospital& hospital,
                                               const navette::config::IdentitySettings& identity);

}  // namespace navette::adapters::dmp
