// Reads the DMP's answer to ITI-41 / ITI-57 (the SOAP envelope, once out of
// its MTOM package: mtom_reader.h SoapXmlOfHttpBody):
//
//   soap:Body/rs:RegistryResponse @status
//     urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success
//     urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure
//     urn:ihe:iti:2007:ResponseStatusType:PartialSuccess
//     rs:RegistryErrorList/rs:RegistryError @errorCode @codeContext @severity @location
//
// or a SOAP Fault, which the DMP uses for security problems (soap:Sender +
// a subcode such as DMPInvalidCertificate, dmp-mss-notes §4):
//   SOAP 1.2  Fault/Code/Value, Code/Subcode/Value (nested), Reason/Text
//   SOAP 1.1  Fault/faultcode, faultstring      (real servers vary)
//
// Fault codes are QNames; they are returned by their local part ("Sender",
// "DMPInvalidCertificate"), the prefix being the server's choice.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::soap {

enum class SoapVersion { k11, k12 };

struct SoapFault {
  SoapVersion version = SoapVersion::k12;
  std::string code;                   // Sender | Receiver | … (1.1: Client | Server | …)
  std::vector<std::string> subcodes;  // outermost first; empty for SOAP 1.1
  std::string reason;                 // the first Reason/Text (1.1: faultstring)
};

enum class RegistryStatus { kSuccess, kFailure, kPartialSuccess };

struct RegistryError {
  std::string error_code;  // XDSRegistryBusy, DMPClosed, …
  std::string code_context;
  std::string severity;  // the full URN, as sent
  std::string location;
  // severity …ErrorSeverityType:Warning; anything else counts as an error.
  bool IsWarning() const;
};

struct DmpResponse {
  std::optional<SoapFault> fault;  // set: the rest is empty
  RegistryStatus status = RegistryStatus::kFailure;
  std::vector<RegistryError> errors;
  std::string relates_to;  // wsa:RelatesTo, the request's MessageID (may be absent)
};

// InvalidArgument when the bytes are not XML, not a SOAP envelope (1.1 or
// 1.2), have neither a Fault nor an rs:RegistryResponse in the Body, or a
// RegistryResponse status outside the three above.
absl::StatusOr<DmpResponse> ParseDmpResponse(std::string_view soap_xml);

std::string_view RegistryStatusName(RegistryStatus status);

}  // namespace navette::adapters::dmp::soap
