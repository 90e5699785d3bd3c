// The simulated DMP's answers, each a SOAP 1.2 envelope written with
// libxml2 (values escaped by the tree):
//
//   <soap:Envelope>
//     <soap:Header>
//       <wsa:Action soap:mustUnderstand="1">…Response | …/soap/fault</wsa:Action>
//       <wsa:RelatesTo>the request's MessageID</wsa:RelatesTo>   when it had one
//     <soap:Body>
//       <rs:RegistryResponse status="…Success | …Failure">
//         <rs:RegistryErrorList>                 errors, then warnings; none: absent
//           <rs:RegistryError errorCode codeContext severity="…Error|…Warning" location/>
//     or
//       <soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value>
//         <soap:Subcode><soap:Value>sc:FailedAuthentication</soap:Value>
//         <soap:Reason><soap:Text xml:lang="fr">…</soap:Text>
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/dmp-sim/dmp_errors.h"

namespace navette::testing::dmp_sim {

inline constexpr char kProvideAndRegisterResponseAction[] =
    "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse";
inline constexpr char kUpdateDocumentSetResponseAction[] =
    "urn:ihe:iti:2010:UpdateDocumentSet-Response";
inline constexpr char kSoapFaultAction[] = "http://www.w3.org/2005/08/addressing/soap/fault";

// Success when `errors` is empty, Failure otherwise. Warnings (lenient
// mode's tolerated defects) go in the list either way: ebRS lets a Success
// carry them, and the DMP destination reads a Success with warnings as
// delivered.
std::string WriteRegistryResponse(std::string_view action, std::string_view relates_to,
                                  const std::vector<XdsError>& errors,
                                  const std::vector<XdsError>& warnings = {});

std::string WriteSoapFault(std::string_view relates_to, const SoapFaultSpec& fault);

}  // namespace navette::testing::dmp_sim
