// Verifies the signature of a VIHF the way the DMP does, for navette's DMP
// simulator and for self-checks: one enveloped XML-DSig over the whole
// assertion, made with the establishment's signing certificate.
//
// Accepted shape (anything else is refused before any cryptography, so that
// a signature over part of the assertion, or over another element with the
// same ID, cannot pass):
//   - exactly one Assertion in the document (bare, or inside wsse:Security);
//   - exactly one ds:Signature child of it, the element right after Issuer;
//   - CanonicalizationMethod exc-c14n; SignatureMethod rsa-sha256 or rsa-sha1;
//   - exactly one Reference, URI "#" + Assertion/@ID, Transforms exactly
//     enveloped-signature then exc-c14n (InclusiveNamespaces allowed),
//     DigestMethod sha256 or sha1;
//   - KeyInfo/X509Data/X509Certificate present (which certificate signed).
//
// Status codes:
//   InvalidArgument   malformed XML, shape above not met, or the signature
//                     does not verify; the message tells a digest mismatch
//                     (assertion altered after signing) from a SignatureValue
//                     that the key does not verify
//   PermissionDenied  a valid signature, but by another certificate than
//                     the trusted one (e.g. the TLS key); the message names
//                     the certificate that signed
#pragma once

#include <string>
#include <string_view>

#include <openssl/x509.h>

#include "absl/status/statusor.h"

namespace navette::adapters::dmp::vihf {

struct VihfSignatureFacts {
  std::string assertion_id;
  std::string signature_method;  // algorithm URI
  std::string digest_method;     // algorithm URI
  // The certificate in KeyInfo, which made the (valid) signature.
  std::string signer_subject_dn;
  std::string signer_fingerprint;  // SHA-256, AA:BB:…
};

// Checks the signature against the certificate the assertion carries, and
// says whose it is. Proves integrity and who signed, not that the signer
// may sign: use VerifyVihfSignature for that.
absl::StatusOr<VihfSignatureFacts> IdentifyVihfSigner(std::string_view xml);

// Checks the signature against `trusted_signing_certificate` only (its
// public key verifies the signature; the embedded certificate must be the
// same certificate).
absl::StatusOr<VihfSignatureFacts> VerifyVihfSignature(std::string_view xml,
                                                       const X509* trusted_signing_certificate);

}  // namespace navette::adapters::dmp::vihf
