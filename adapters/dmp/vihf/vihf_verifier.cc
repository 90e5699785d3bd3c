#include "adapters/dmp/vihf/vihf_verifier.h"

#include <vector>

#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "absl/strings/str_cat.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/vihf_xml.h"
#include "adapters/dmp/vihf/xmlsec_runtime.h"

namespace navette::adapters::dmp::vihf {
namespace {

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;

const xmlChar* Xml(const std::string& text) {
  return reinterpret_cast<const xmlChar*>(text.c_str());
}

std::vector<xmlNode*> ElementChildren(xmlNode* parent) {
  std::vector<xmlNode*> children;
  for (xmlNode* child = parent ? parent->children : nullptr; child != nullptr;
       child = child->next) {
    if (child->type == XML_ELEMENT_NODE) children.push_back(child);
  }
  return children;
}

absl::Status Refuse(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("VIHF signature refused: ", why));
}

// A parsed, shape-checked signed assertion.
struct SignedAssertion {
  XmlDocPtr doc;
  xmlNode* signature = nullptr;
  X509Ptr embedded_certificate;
  VihfSignatureFacts facts;
};

absl::StatusOr<SignedAssertion> ParseSignedAssertion(std::string_view xml) {
  SignedAssertion parsed;
  absl::StatusOr<XmlDocPtr> doc = ParseXml(xml);
  if (!doc.ok()) return doc.status();
  parsed.doc = *std::move(doc);
  absl::StatusOr<xmlNode*> assertion = FindAssertion(parsed.doc.get());
  if (!assertion.ok()) return assertion.status();

  std::vector<xmlNode*> signatures;
  for (xmlNode* child : ElementChildren(*assertion)) {
    if (IsElement(child, kDsigNamespace, "Signature")) signatures.push_back(child);
  }
  if (signatures.size() != 1) {
    return Refuse(absl::StrCat(signatures.size(), " ds:Signature children in the assertion"));
  }
  parsed.signature = signatures.front();
  const std::vector<xmlNode*> children = ElementChildren(*assertion);
  if (children.size() < 2 || !IsElement(children[0], kSamlNamespace, "Issuer") ||
      children[1] != parsed.signature) {
    return Refuse("ds:Signature is not the element right after Issuer");
  }

  xmlAttr* id = xmlHasProp(*assertion, Xml("ID"));
  if (id == nullptr) return Refuse("the assertion has no ID");
  if (absl::Status registered = RegisterId(parsed.doc.get(), id); !registered.ok()) {
    return registered;
  }
  parsed.facts.assertion_id = AttributeValue(*assertion, "ID");

  xmlNode* signed_info = FirstChildElement(parsed.signature, kDsigNamespace, "SignedInfo");
  xmlNode* c14n = FirstChildElement(signed_info, kDsigNamespace, "CanonicalizationMethod");
  if (c14n == nullptr || AttributeValue(c14n, "Algorithm") != kExcC14n) {
    return Refuse(absl::StrCat("CanonicalizationMethod is not ", kExcC14n));
  }
  xmlNode* method = FirstChildElement(signed_info, kDsigNamespace, "SignatureMethod");
  parsed.facts.signature_method = method ? AttributeValue(method, "Algorithm") : "";
  if (parsed.facts.signature_method != kRsaSha256 && parsed.facts.signature_method != kRsaSha1) {
    return Refuse(absl::StrCat("SignatureMethod \"", parsed.facts.signature_method,
                               "\" is neither rsa-sha256 nor rsa-sha1"));
  }
  std::vector<xmlNode*> references;
  for (xmlNode* child : ElementChildren(signed_info)) {
    if (IsElement(child, kDsigNamespace, "Reference")) references.push_back(child);
  }
  if (references.size() != 1) {
    return Refuse(absl::StrCat(references.size(), " References where one is expected"));
  }
  const std::string uri = AttributeValue(references[0], "URI");
  if (uri != absl::StrCat("#", parsed.facts.assertion_id)) {
    return Refuse(absl::StrCat("the Reference URI \"", uri, "\" is not the assertion's ID \"#",
                               parsed.facts.assertion_id, "\""));
  }
  std::vector<std::string> transforms;
  for (xmlNode* transform :
       ElementChildren(FirstChildElement(references[0], kDsigNamespace, "Transforms"))) {
    transforms.push_back(AttributeValue(transform, "Algorithm"));
  }
  if (transforms !=
      std::vector<std::string>{std::string(kEnvelopedSignature), std::string(kExcC14n)}) {
    return Refuse("the Reference's Transforms are not exactly enveloped-signature, exc-c14n");
  }
  xmlNode* digest = FirstChildElement(references[0], kDsigNamespace, "DigestMethod");
  parsed.facts.digest_method = digest ? AttributeValue(digest, "Algorithm") : "";
  if (parsed.facts.digest_method != kSha256 && parsed.facts.digest_method != kSha1) {
    return Refuse(absl::StrCat("DigestMethod \"", parsed.facts.digest_method,
                               "\" is neither sha256 nor sha1"));
  }

  xmlNode* certificate_node = FirstChildElement(
      FirstChildElement(FirstChildElement(parsed.signature, kDsigNamespace, "KeyInfo"),
                        kDsigNamespace, "X509Data"),
      kDsigNamespace, "X509Certificate");
  if (certificate_node == nullptr) return Refuse("no KeyInfo/X509Data/X509Certificate");
  absl::StatusOr<X509Ptr> certificate = CertificateFromBase64Der(TextContent(certificate_node));
  if (!certificate.ok()) return Refuse(certificate.status().message());
  parsed.embedded_certificate = *std::move(certificate);
  parsed.facts.signer_subject_dn = SubjectDn(parsed.embedded_certificate.get());
  parsed.facts.signer_fingerprint = Sha256Fingerprint(parsed.embedded_certificate.get());
  return parsed;
}

enum class Outcome {
  kValid,
  // The reference's digest differs: the assertion changed after signing.
  kDigestMismatch,
  // The digests match but SignatureValue does not verify over SignedInfo:
  // another key signed, or SignedInfo changed.
  kSignatureMismatch,
};

// Whether `certificate`'s public key verifies the signature. Only the
// algorithms of the accepted shape are enabled, and only same-document
// references, whatever the document says.
absl::StatusOr<Outcome> VerifiesWith(const SignedAssertion& parsed, const X509* certificate) {
  if (absl::Status ready = EnsureXmlSecReady(); !ready.ok()) return ready;
  TakeXmlSecErrors();
  EVP_PKEY* public_key = X509_get_pubkey(const_cast<X509*>(certificate));
  xmlSecKeyDataPtr value = public_key ? xmlSecOpenSSLEvpKeyAdopt(public_key) : nullptr;
  if (value == nullptr) {
    EVP_PKEY_free(public_key);
    return absl::InvalidArgumentError(
        absl::StrCat("cannot use the public key of ", SubjectDn(certificate)));
  }
  xmlSecKeyPtr key = xmlSecKeyCreate();
  if (key == nullptr || xmlSecKeySetValue(key, value) < 0) {
    xmlSecKeyDataDestroy(value);
    if (key) xmlSecKeyDestroy(key);
    return absl::InternalError(absl::StrCat("xmlsec key: ", TakeXmlSecErrors()));
  }
  DSigCtxPtr context(xmlSecDSigCtxCreate(nullptr));
  if (context == nullptr) {
    xmlSecKeyDestroy(key);
    return absl::InternalError(absl::StrCat("xmlsec context: ", TakeXmlSecErrors()));
  }
  context->signKey = key;  // owned by the context from here
  context->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  for (xmlSecTransformId id :
       {xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha1Id}) {
    xmlSecDSigCtxEnableSignatureTransform(context.get(), id);
  }
  for (xmlSecTransformId id : {xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId,
                               xmlSecTransformSha256Id, xmlSecTransformSha1Id}) {
    xmlSecDSigCtxEnableReferenceTransform(context.get(), id);
  }
  if (xmlSecDSigCtxVerify(context.get(), parsed.signature) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("VIHF signature could not be processed: ", TakeXmlSecErrors()));
  }
  if (context->status == xmlSecDSigStatusSucceeded) return Outcome::kValid;
  // xmlsec stops at the first reference whose digest fails, before it
  // checks SignatureValue.
  for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&context->signedInfoReferences); ++i) {
    auto* reference = static_cast<xmlSecDSigReferenceCtx*>(
        xmlSecPtrListGetItem(&context->signedInfoReferences, i));
    if (reference != nullptr && reference->status != xmlSecDSigStatusSucceeded) {
      return Outcome::kDigestMismatch;
    }
  }
  return Outcome::kSignatureMismatch;
}

absl::Status Invalid(Outcome outcome, const std::string& certificate) {
  if (outcome == Outcome::kDigestMismatch) {
    return absl::InvalidArgumentError(
        "VIHF signature invalid: the assertion's digest does not match its Reference (the "
        "assertion was altered after signing)");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("VIHF signature invalid: SignatureValue does not verify with ", certificate,
                   " (another key signed, or SignedInfo was altered)"));
}

}  // namespace

absl::StatusOr<VihfSignatureFacts> IdentifyVihfSigner(std::string_view xml) {
  absl::StatusOr<SignedAssertion> parsed = ParseSignedAssertion(xml);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<Outcome> outcome = VerifiesWith(*parsed, parsed->embedded_certificate.get());
  if (!outcome.ok()) return outcome.status();
  if (*outcome != Outcome::kValid) {
    return Invalid(*outcome,
                   absl::StrCat("its KeyInfo certificate ", parsed->facts.signer_subject_dn));
  }
  return parsed->facts;
}

absl::StatusOr<VihfSignatureFacts> VerifyVihfSignature(std::string_view xml,
                                                       const X509* trusted_signing_certificate) {
  absl::StatusOr<SignedAssertion> parsed = ParseSignedAssertion(xml);
  if (!parsed.ok()) return parsed.status();
  const std::string trusted = absl::StrCat(SubjectDn(trusted_signing_certificate), " (SHA-256 ",
                                           Sha256Fingerprint(trusted_signing_certificate), ")");
  if (!SameCertificate(parsed->embedded_certificate.get(), trusted_signing_certificate)) {
    absl::StatusOr<Outcome> by_embedded = VerifiesWith(*parsed, parsed->embedded_certificate.get());
    if (by_embedded.ok() && *by_embedded == Outcome::kValid) {
      return absl::PermissionDeniedError(absl::StrCat(
          "VIHF signed by ", parsed->facts.signer_subject_dn, " (SHA-256 ",
          parsed->facts.signer_fingerprint, "), not by the trusted signing certificate ", trusted));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "VIHF signature invalid, and its KeyInfo certificate ", parsed->facts.signer_subject_dn,
        " is not the trusted signing certificate ", trusted));
  }
  absl::StatusOr<Outcome> outcome = VerifiesWith(*parsed, trusted_signing_certificate);
  if (!outcome.ok()) return outcome.status();
  if (*outcome != Outcome::kValid) return Invalid(*outcome, trusted);
  return parsed->facts;
}

}  // namespace navette::adapters::dmp::vihf
