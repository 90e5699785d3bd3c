// An ITI-41 as navette's DMP destination sends it, for the tests of the
// simulator program and of lenient mode: the corpus CR-BIO (its metadata
// read from the CDA), a VIHF signed with the simulator PKI's signing pair,
// packed as MTOM. Each request gets a fresh SubmissionSet uniqueId.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/dmp/soap/mtom_writer.h"

namespace navette::testing::dmp_sim {

// ClinicalDocument/id of the CR-BIO, the uniqueId it is registered under.
inline constexpr char kCrBioUniqueId[] = "1.2.250.1.213.1.1.1.55.2024.9.1";
// Its patient, as the registry stores the INS CX.
inline constexpr char kCrBioPatientCx[] = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH";

struct TestIti41 {
  navette::adapters::dmp::soap::HttpBody http;
  std::string entry_uuid;
  std::string cda;
};

// `pki_dir` holds sign.pem / sign.key (sim_pki.h); `url` is the endpoint
// written in wsa:To. `edit_body` rewrites the ebRIM body once built (a wrong
// hash, say) before it is signed into the envelope.
absl::StatusOr<TestIti41> BuildCrBioIti41(const std::filesystem::path& pki_dir,
                                          const std::string& url,
                                          const std::function<void(std::string*)>& edit_body = {});

}  // namespace navette::testing::dmp_sim
