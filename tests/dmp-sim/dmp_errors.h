// What the simulated DMP answers when it refuses a request, before it is
// written as XML (dmp_responses.h):
//
//   XdsError       one rs:RegistryError of a Failure RegistryResponse: the
//                  metadata, the patient, the registry state (IHE ITI TF-3
//                  Table 4.2.4.1-2 codes, DMP codes)
//   SoapFaultSpec  a SOAP 1.2 Fault: the envelope or the security header
//                  (VIHF) is wrong, the way the DMP answers those
//                  (soap:Sender + a subcode, dmp-mss-notes §4)
#pragma once

#include <string>

namespace navette::testing::dmp_sim {

inline constexpr char kWsseNamespace[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr char kWsaNamespace[] = "http://www.w3.org/2005/08/addressing";
// The namespace of the DMP's own fault subcodes (DMPInvalidCertificate); the
// real one is not public, this one is the simulator's.
inline constexpr char kDmpFaultNamespace[] = "urn:navette:dmp-sim:fault";

struct XdsError {
  std::string code;     // errorCode, e.g. XDSRegistryMetadataError
  std::string context;  // codeContext: names the attribute and what is wrong
  std::string location;
};

struct SoapFaultSpec {
  std::string code = "Sender";  // Sender | Receiver | VersionMismatch (soap: prefix)
  std::string subcode_namespace = kWsseNamespace;
  std::string subcode;  // local name, e.g. FailedAuthentication
  std::string reason;
};

}  // namespace navette::testing::dmp_sim
