// Signs navette's VIHF with the establishment's signing ("cachet")
// certificate, as the DMP expects (fr-specs §3.3, dmp-mss-notes §2):
//
//   <saml2:Assertion ID="_x">
//     <saml2:Issuer>…</saml2:Issuer>
//     <ds:Signature>                 enveloped, right after Issuer (SAML order)
//       <ds:SignedInfo>
//         CanonicalizationMethod    http://www.w3.org/2001/10/xml-exc-c14n#
//         SignatureMethod           rsa-sha256 (default) | rsa-sha1
//         <ds:Reference URI="#_x">  the whole assertion, by its ID
//           Transforms              enveloped-signature, exc-c14n
//           DigestMethod            sha256 (default) | sha1
//       <ds:SignatureValue/>
//       <ds:KeyInfo><ds:X509Data><ds:X509Certificate/>   the signing certificate
//
// Never give it the TLS (ORG-AUTH_CLI) key: the DMP answers
// DMPInvalidCertificate "Not a valid signature certificate" (dmp-mss-notes §6.8).
//
// Threading: a VihfSigner is immutable after loading; Sign may be called from
// several threads at once (each call has its own xmlsec context and key copy)
// as long as each works on its own document.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_settings.h"
#include "adapters/dmp/vihf/vihf_xml.h"

namespace navette::adapters::dmp::vihf {

class VihfSigner {
 public:
  // Loading errors are those of signing_credentials.h (missing file, not a
  // key, wrong password, key/certificate mismatch, not RSA).
  static absl::StatusOr<VihfSigner> FromPemFiles(const std::string& key_path,
                                                 const std::string& certificate_path,
                                                 const std::string& key_password = {});
  static absl::StatusOr<VihfSigner> FromPkcs12File(const std::string& path,
                                                   const std::string& password);

  // The signing certificate's subject DN (RFC 2253), for Assertion/Issuer.
  const std::string& IssuerDn() const { return issuer_dn_; }
  // Its SHA-256 fingerprint, for logs.
  const std::string& CertificateFingerprint() const { return fingerprint_; }

  // Signs the document's only Assertion in place. FailedPrecondition when it
  // has no Issuer or is already signed; the document is left unchanged on
  // any failure.
  absl::Status Sign(xmlDoc* doc, DigestAlgorithm digest) const;

  // BuildVihfAssertion + Sign + SerializeElement: the signed assertion's
  // bytes, ready for wsse:Security. An empty request.issuer_dn is filled
  // with IssuerDn().
  absl::StatusOr<std::string> BuildSigned(const VihfSettings& settings, VihfRequest request) const;

 private:
  explicit VihfSigner(SigningCredentials credentials);

  std::shared_ptr<const SigningCredentials> credentials_;
  std::string issuer_dn_;
  std::string fingerprint_;
};

}  // namespace navette::adapters::dmp::vihf
