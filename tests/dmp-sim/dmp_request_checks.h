// Everything the simulated DMP checks on a request before it touches the
// registry, in the order a real front end meets them; the first failing
// layer answers (a Fault for the envelope and security layers, RegistryErrors
// for the metadata, all of them at once):
//
//   1. HTTP body       ITI-41 must be MTOM/XOP (multipart/related, ReadMtom);
//                      ITI-57 may be plain application/soap+xml     Fault Sender
//   2. envelope        SOAP 1.2 only (a 1.1 envelope: VersionMismatch);
//                      wsa:MessageID present, wsa:Action the endpoint's
//                      transaction (wsa:ActionNotSupported)          Fault Sender
//   3. VIHF signature  VerifyVihfSignature against the configured signing
//                      certificate: altered → wsse:FailedCheck; signed by
//                      another certificate → DMPInvalidCertificate,
//                      naming it, and saying so when it is the TLS client
//                      certificate of this very connection (dmp-mss-notes §6.8)
//   4. VIHF content    CheckRequiredAttributes → wsse:InvalidSecurityToken
//   5. body schema     the Body's request against the XDS.b schema, with the
//                      MTOM parts (ITI-57: unless validate_iti57_schema is
//                      off, dmp-mss-notes §6.3)          XDSRegistryMetadataError
//   6. authorship      Identifiant_Structure = an authorInstitution id of
//                      every entry (dmp-mss-notes §6.9) → wsse:FailedAuthentication;
//                      the VIHF resource-id = the SubmissionSet patientId
//                                                        XDSPatientIdDoesNotMatch
//   7. metadata        dmp_metadata_checks.h (ITI-41)
//
// In lenient mode (SimulatorPolicy::lenient) the defects of the official
// CNAM samples are warnings instead (dmp_lenient.h lists them): the request
// goes on, and the answer carries them with severity Warning.
#pragma once

#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/dmp/soap/mtom_reader.h"
#include "adapters/dmp/vihf/vihf_settings.h"
#include "tests/dmp-sim/dmp_errors.h"
#include "tests/dmp-sim/dmp_submission.h"
#include "tests/dmp-sim/dmp_value_sets.h"

namespace navette::testing::dmp_sim {

enum class Transaction { kProvideAndRegister, kUpdateDocumentSet };

struct X509Release {
  void operator()(X509* certificate) const { X509_free(certificate); }
};

struct SimulatorPolicy {
  // The establishment's signing ("cachet") certificate: the only one whose
  // VIHF signature is accepted.
  std::shared_ptr<X509> signing_certificate;
  // The attribute spellings and values the DMP expects.
  navette::adapters::dmp::vihf::VihfSettings vihf_settings;
  // The DMP's test platform: INS OIDs .10 / .11 accepted.
  bool allow_test_ins = false;
  std::shared_ptr<const DmpValueSets> value_sets;
  std::filesystem::path xds_schema_dir;
  bool validate_iti57_schema = true;
  // Accept the CNAM sample requests despite their known defects, each
  // answered as a warning (dmp_lenient.h). For proving the parser on real
  // bytes; a sender under test wants the strict default.
  bool lenient = false;
};

struct CheckedRequest {
  std::string message_id;  // for RelatesTo; may be empty when the envelope is unreadable
  std::optional<SoapFaultSpec> fault;
  std::vector<XdsError> errors;
  // Lenient mode: the defects tolerated, for the answer (severity Warning).
  std::vector<XdsError> warnings;
  Submission submission;
  navette::adapters::dmp::soap::MtomMessage mtom;
  bool ok() const { return !fault.has_value() && errors.empty(); }
};

// `tls_client_certificate` is the peer certificate of the connection (may
// be null).
CheckedRequest CheckRequest(Transaction transaction, std::string_view content_type,
                            std::string_view body, const X509* tls_client_certificate,
                            const SimulatorPolicy& policy);

// The request's wsa:MessageID, "" when it cannot be read (canned answers
// still relate to the request when they can).
std::string MessageIdOf(std::string_view content_type, std::string_view body);

}  // namespace navette::testing::dmp_sim
