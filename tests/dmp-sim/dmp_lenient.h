// What lenient mode (SimulatorPolicy::lenient, `navette-dmp-sim --lenient`)
// tolerates: the known defects of the official CNAM sample requests
// (dmp-mss-notes §6), which the real DMP accepted, so that the simulator's
// parser is proven on real bytes. Each defect is answered as a warning — a
// RegistryError of severity Warning with the errorCode and codeContext that
// strict mode refuses it with — and the request goes on:
//
//   defect (where the samples have it)                 strict answer
//   SOAP 1.1 envelope in a SOAP 1.2 package (TD2.1)     VersionMismatch fault
//   VIHF not signed (every sample), or signed by a      FailedCheck /
//     certificate other than the configured one         DMPInvalidCertificate fault
//   VIHF attributes of direct mode (DIRECTE, no         InvalidSecurityToken fault
//     subject-id)
//   body not valid against the XDS schema (TD3.3c/d:    XDSRegistryMetadataError
//     Classification without classifiedObject)
//   xdsb:Document id differing from its entry's in      XDSMissingDocument
//     case only (TD2.1: documentME2 / DocumentME2)
//   hash or size absent (TD2.1)                         XDSRepositoryMetadataError
//   uniqueId other than the CDA's id (TD2.1)            XDSRegistryMetadataError
//   a code outside the simulator's value sets (TD2.1:   XDSRegistryMetadataError
//     typeCode 27899-4, the signature entry's codes)
//
// Still refused in lenient mode: everything else — notably a hash or size
// that is present and wrong, a VIHF that carries the configured certificate
// but does not verify (altered after signing), an INS with a wrong key, a
// VIHF structure or patient other than the metadata's, a missing entry
// attribute, and the registry's own rules.
#pragma once

#include <libxml/tree.h>
#include <openssl/x509.h>

#include <vector>

#include "tests/dmp-sim/dmp_errors.h"
#include "tests/dmp-sim/dmp_submission.h"

namespace navette::testing::dmp_sim {

enum class VihfSigner {
  kNone,     // the assertion has no ds:Signature
  kTrusted,  // its KeyInfo carries the configured signing certificate
  kOther,    // another certificate, or none that can be read
};

// Whose certificate the assertion's signature names (KeyInfo/X509Data), not
// whether the signature verifies: lenient mode tolerates a signature it
// cannot check, never a failing one by the certificate it trusts.
VihfSigner EmbeddedVihfSigner(xmlNode* assertion, const X509* trusted);

// Re-keys each xdsb:Document whose id names no entry but matches one entry's
// id without regard to case, with a warning saying so.
void ReconcileDocumentIds(Submission* submission, std::vector<XdsError>* warnings);

}  // namespace navette::testing::dmp_sim
