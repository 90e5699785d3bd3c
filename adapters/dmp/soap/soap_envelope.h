// The SOAP 1.2 envelope navette sends to the DMP (fr-specs §3.1–3.3):
//
//   <soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
//     <soap:Header>
//       <wsa:Action soap:mustUnderstand="1">…</wsa:Action>
//       <wsa:MessageID>urn:uuid:…</wsa:MessageID>          fresh per request
//       <wsa:To>endpoint URL</wsa:To>
//       <wsa:ReplyTo><wsa:Address>…/anonymous</wsa:Address></wsa:ReplyTo>
//       <wsse:Security soap:mustUnderstand="1">
//         <saml2:Assertion>…</saml2:Assertion>                the signed VIHF
//     <soap:Body>  the transaction's element (ITI-41 / ITI-57)
//
// SOAP 1.2 only: the CNAM's TD2.1 sample mixes in the SOAP 1.1 envelope
// namespace under a SOAP 1.2 MIME type (dmp-mss-notes §6.2); we do not.
//
// The assertion is signed with exclusive c14n over its own subtree, so it is
// imported as a parsed node, never re-typed: its elements, attributes and
// namespace prefixes reach the envelope as they were signed, and exc-c14n
// ignores the envelope's own declarations (soap, wsa, wsse) that it does not
// use. The tests verify the signature inside the built envelope.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::soap {

struct EnvelopeParts {
  std::string action;       // wsa:Action, e.g. urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b
  std::string endpoint;     // wsa:To, the service URL
  std::string signed_vihf;  // the signed saml2:Assertion (VihfSigner::BuildSigned), as signed
  std::string body_xml;     // the element for soap:Body; an XML declaration is allowed
  std::string message_id;   // wsa:MessageID; empty: a fresh urn:uuid
};

struct Envelope {
  std::string xml;         // UTF-8 with its XML declaration
  std::string message_id;  // the one sent, to match the response's RelatesTo
};

// InvalidArgument when a part is empty, the VIHF is not one saml2:Assertion,
// or the body or the VIHF is not well-formed.
absl::StatusOr<Envelope> BuildEnvelope(const EnvelopeParts& parts);

// "urn:uuid:" + a random (version 4) UUID from OpenSSL's CSPRNG.
std::string NewUrnUuid();

}  // namespace navette::adapters::dmp::soap
