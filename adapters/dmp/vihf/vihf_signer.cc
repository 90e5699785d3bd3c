#include "adapters/dmp/vihf/vihf_signer.h"

#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/vihf_builder.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/xmlsec_runtime.h"

namespace navette::adapters::dmp::vihf {
namespace {

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;
struct XmlSecKeyFree {
  void operator()(xmlSecKey* key) const { xmlSecKeyDestroy(key); }
};
using XmlSecKeyPtr = std::unique_ptr<xmlSecKey, XmlSecKeyFree>;

const xmlChar* Xml(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

// An xmlsec key of its own for one signature: the RSA key (reference
// counted, never modified) and the certificate that KeyInfo will carry.
absl::StatusOr<XmlSecKeyPtr> MakeKey(const SigningCredentials& credentials) {
  EVP_PKEY_up_ref(credentials.key.get());
  xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(credentials.key.get());
  if (value == nullptr) {
    EVP_PKEY_free(credentials.key.get());
    return absl::InternalError(absl::StrCat("xmlsec cannot use the key: ", TakeXmlSecErrors()));
  }
  XmlSecKeyPtr key(xmlSecKeyCreate());
  if (key == nullptr || xmlSecKeySetValue(key.get(), value) < 0) {
    xmlSecKeyDataDestroy(value);
    return absl::InternalError(absl::StrCat("xmlsec key: ", TakeXmlSecErrors()));
  }
  xmlSecKeyDataPtr x509 = xmlSecKeyEnsureData(key.get(), xmlSecOpenSSLKeyDataX509Id);
  // The key certificate is what xmlsec matches the key with; the certificate
  // list is what it writes into X509Data (once: the same certificate).
  X509* key_certificate = X509_dup(credentials.certificate.get());
  X509* listed_certificate = X509_dup(credentials.certificate.get());
  if (x509 == nullptr || xmlSecOpenSSLKeyDataX509AdoptKeyCert(x509, key_certificate) < 0) {
    X509_free(key_certificate);
    X509_free(listed_certificate);
    return absl::InternalError(absl::StrCat("xmlsec certificate: ", TakeXmlSecErrors()));
  }
  if (xmlSecOpenSSLKeyDataX509AdoptCert(x509, listed_certificate) < 0) {
    X509_free(listed_certificate);
    return absl::InternalError(absl::StrCat("xmlsec certificate: ", TakeXmlSecErrors()));
  }
  return key;
}

// Removes the template again when signing fails, so the caller's document
// is as it was.
void Discard(xmlNode* signature) {
  xmlUnlinkNode(signature);
  xmlFreeNode(signature);
}

}  // namespace

VihfSigner::VihfSigner(SigningCredentials credentials)
    : credentials_(std::make_shared<const SigningCredentials>(std::move(credentials))),
      issuer_dn_(SubjectDn(credentials_->certificate.get())),
      fingerprint_(Sha256Fingerprint(credentials_->certificate.get())) {}

absl::StatusOr<VihfSigner> VihfSigner::FromPemFiles(const std::string& key_path,
                                                    const std::string& certificate_path,
                                                    const std::string& key_password) {
  absl::StatusOr<SigningCredentials> credentials =
      LoadPemCredentials(key_path, certificate_path, key_password);
  if (!credentials.ok()) return credentials.status();
  return VihfSigner(*std::move(credentials));
}

absl::StatusOr<VihfSigner> VihfSigner::FromPkcs12File(const std::string& path,
                                                      const std::string& password) {
  absl::StatusOr<SigningCredentials> credentials = LoadPkcs12Credentials(path, password);
  if (!credentials.ok()) return credentials.status();
  return VihfSigner(*std::move(credentials));
}

absl::Status VihfSigner::Sign(xmlDoc* doc, DigestAlgorithm digest) const {
  if (absl::Status ready = EnsureXmlSecReady(); !ready.ok()) return ready;
  TakeXmlSecErrors();
  absl::StatusOr<xmlNode*> assertion = FindAssertion(doc);
  if (!assertion.ok()) return assertion.status();
  if (FirstChildElement(*assertion, kDsigNamespace, "Signature") != nullptr) {
    return absl::FailedPreconditionError("the assertion is already signed");
  }
  xmlNode* issuer = FirstChildElement(*assertion, kSamlNamespace, "Issuer");
  if (issuer == nullptr) {
    return absl::FailedPreconditionError("the assertion has no Issuer to put the signature after");
  }
  xmlAttr* id = xmlHasProp(*assertion, Xml("ID"));
  if (id == nullptr) return absl::FailedPreconditionError("the assertion has no ID");
  if (absl::Status registered = RegisterId(doc, id); !registered.ok()) return registered;
  const std::string reference_uri = absl::StrCat("#", AttributeValue(*assertion, "ID"));

  const bool sha1 = digest == DigestAlgorithm::kSha1;
  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId, sha1 ? xmlSecTransformRsaSha1Id : xmlSecTransformRsaSha256Id,
      nullptr, Xml("ds"));
  if (signature == nullptr) {
    return absl::InternalError(absl::StrCat("xmlsec template: ", TakeXmlSecErrors()));
  }
  xmlAddNextSibling(issuer, signature);
  xmlNode* reference = xmlSecTmplSignatureAddReference(
      signature, sha1 ? xmlSecTransformSha1Id : xmlSecTransformSha256Id, nullptr,
      Xml(reference_uri), nullptr);
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  xmlNode* x509_data = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  if (reference == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId) == nullptr ||
      x509_data == nullptr || xmlSecTmplX509DataAddCertificate(x509_data) == nullptr) {
    Discard(signature);
    return absl::InternalError(absl::StrCat("xmlsec template: ", TakeXmlSecErrors()));
  }

  absl::StatusOr<XmlSecKeyPtr> key = MakeKey(*credentials_);
  if (!key.ok()) {
    Discard(signature);
    return key.status();
  }
  DSigCtxPtr context(xmlSecDSigCtxCreate(nullptr));
  if (context == nullptr) {
    Discard(signature);
    return absl::InternalError(absl::StrCat("xmlsec context: ", TakeXmlSecErrors()));
  }
  context->signKey = key->release();  // the context owns it from here
  if (xmlSecDSigCtxSign(context.get(), signature) < 0) {
    Discard(signature);
    return absl::InternalError(absl::StrCat("signing the VIHF failed: ", TakeXmlSecErrors()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> VihfSigner::BuildSigned(const VihfSettings& settings,
                                                    VihfRequest request) const {
  if (request.issuer_dn.empty()) request.issuer_dn = issuer_dn_;
  absl::StatusOr<XmlDocPtr> doc = BuildVihfAssertion(settings, request);
  if (!doc.ok()) return doc.status();
  if (absl::Status signed_ok = Sign(doc->get(), settings.digest); !signed_ok.ok()) {
    return signed_ok;
  }
  return SerializeElement(xmlDocGetRootElement(doc->get()));
}

}  // namespace navette::adapters::dmp::vihf
