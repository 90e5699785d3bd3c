#include "tests/dmp-sim/dmp_request_checks.h"

#include <libxml/tree.h>

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/dmp/soap/soap_request.h"
#include "adapters/dmp/soap/soap_xml.h"
#include "adapters/dmp/vihf/signing_credentials.h"
#include "adapters/dmp/vihf/vihf_attributes.h"
#include "adapters/dmp/vihf/vihf_names.h"
#include "adapters/dmp/vihf/vihf_verifier.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_schema.h"
#include "tests/dmp-sim/dmp_lenient.h"
#include "tests/dmp-sim/dmp_metadata_checks.h"

namespace navette::testing::dmp_sim {
namespace {

namespace soap = ::navette::adapters::dmp::soap;
namespace vihf = ::navette::adapters::dmp::vihf;
namespace xds = ::navette::adapters::dmp::xds;

constexpr char kXdsb[] = "urn:ihe:iti:xds-b:2007";
constexpr char kLcm[] = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";

SoapFaultSpec SenderFault(std::string reason, std::string subcode = {},
                          std::string subcode_namespace = kWsseNamespace) {
  return {"Sender", std::move(subcode_namespace), std::move(subcode), std::move(reason)};
}

// A defect lenient mode tolerates (dmp_lenient.h): the answer in strict
// mode; in lenient mode a warning with the same code and reason, and the
// checks go on. True when the request stops here.
bool RefuseUnlessLenient(SoapFaultSpec fault, const SimulatorPolicy& policy,
                         CheckedRequest* checked) {
  if (!policy.lenient) {
    checked->fault = std::move(fault);
    return true;
  }
  checked->warnings.push_back(
      {fault.subcode.empty() ? fault.code : fault.subcode, std::move(fault.reason), ""});
  return false;
}
bool RefuseUnlessLenient(XdsError error, const SimulatorPolicy& policy, CheckedRequest* checked) {
  (policy.lenient ? checked->warnings : checked->errors).push_back(std::move(error));
  return !policy.lenient;
}

// The request element alone, as a document of its own, for the schema:
// namespaces declared on the envelope are carried over by the copy.
std::string StandaloneXml(xmlNode* element) {
  xmlDoc* doc = xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0"));
  xmlNode* copy = xmlDocCopyNode(element, doc, 1);
  xmlDocSetRootElement(doc, copy);
  xmlReconciliateNs(doc, copy);
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &buffer, &size, "UTF-8");
  std::string xml(reinterpret_cast<const char*>(buffer), size > 0 ? size : 0);
  xmlFree(buffer);
  xmlFreeDoc(doc);
  return xml;
}

// Step 3: whose signature, and is it the one the DMP trusts.
std::optional<SoapFaultSpec> CheckSignature(std::string_view envelope_xml,
                                            const X509* tls_client_certificate,
                                            const SimulatorPolicy& policy) {
  absl::StatusOr<vihf::VihfSignatureFacts> verified =
      vihf::VerifyVihfSignature(envelope_xml, policy.signing_certificate.get());
  if (verified.ok()) return std::nullopt;
  if (verified.status().code() != absl::StatusCode::kPermissionDenied) {
    return SenderFault(absl::StrCat("VIHF signature refused: ", verified.status().message()),
                       "FailedCheck");
  }
  std::string reason =
      absl::StrCat("Not a valid signature certificate: ", verified.status().message());
  absl::StatusOr<vihf::VihfSignatureFacts> signer = vihf::IdentifyVihfSigner(envelope_xml);
  if (signer.ok() && tls_client_certificate != nullptr &&
      signer->signer_fingerprint == vihf::Sha256Fingerprint(tls_client_certificate)) {
    reason = absl::StrCat("Not a valid signature certificate: the VIHF is signed with the TLS ",
                          "client authentication certificate ", signer->signer_subject_dn, " (",
                          signer->signer_fingerprint,
                          "), not with the establishment's signing certificate ",
                          vihf::SubjectDn(policy.signing_certificate.get()));
  }
  return SenderFault(std::move(reason), "DMPInvalidCertificate", kDmpFaultNamespace);
}

// Step 6: the VIHF speaks for the structure that authored the documents and
// for the patient the submission is about.
void CheckAuthorship(const vihf::VihfAttributes& attributes, const Submission& submission,
                     CheckedRequest* checked) {
  auto first = [&attributes](const char* name) -> std::string {
    auto found = attributes.find(name);
    return found == attributes.end() || found->second.empty() ? "" : found->second.front();
  };
  const std::string structure = first(vihf::kAttrStructureId);
  for (const RimObject& entry : submission.entries) {
    std::vector<std::string> ids = AuthorInstitutionIds(entry);
    if (std::find(ids.begin(), ids.end(), structure) == ids.end()) {
      checked->fault =
          SenderFault(absl::StrCat("VIHF Identifiant_Structure '", structure,
                                   "' is not an authorInstitution of DocumentEntry ", entry.id,
                                   " (", ids.empty() ? "none" : absl::StrJoin(ids, ", "), ")"),
                      "FailedAuthentication");
      return;
    }
  }
  if (submission.packages.size() != 1) return;  // the metadata checks say so
  auto set_patient = submission.packages.front().external_ids.find(xds::kSetPatientIdScheme);
  if (set_patient == submission.packages.front().external_ids.end() ||
      set_patient->second.size() != 1) {
    return;
  }
  const std::string resource = first(vihf::kAttrResourceId);
  const InsOfCx vihf_ins = SplitPatientCx(resource);
  const InsOfCx set_ins = SplitPatientCx(set_patient->second.front());
  if (vihf_ins.matricule != set_ins.matricule || vihf_ins.oid != set_ins.oid) {
    checked->errors.push_back(
        {"XDSPatientIdDoesNotMatch",
         absl::StrCat("patientId: the SubmissionSet's '", set_patient->second.front(),
                      "' is not the VIHF resource-id '", resource, "'"),
         submission.packages.front().id});
  }
}

}  // namespace

std::string MessageIdOf(std::string_view content_type, std::string_view body) {
  absl::StatusOr<std::string> xml = soap::SoapXmlOfHttpBody(content_type, body);
  if (!xml.ok()) return "";
  absl::StatusOr<soap::XmlDocPtr> doc = soap::ParseXml(*xml, "request");
  if (!doc.ok()) return "";
  xmlNode* envelope = xmlDocGetRootElement(doc->get());
  xmlNode* header = soap::FirstChildElement(envelope, soap::kSoap12Namespace, "Header");
  // A SOAP 1.1 envelope's too: lenient mode answers them.
  if (header == nullptr) {
    header = soap::FirstChildElement(envelope, soap::kSoap11Namespace, "Header");
  }
  return soap::TrimmedText(soap::FirstChildElement(header, soap::kWsaNamespace, "MessageID"));
}

CheckedRequest CheckRequest(Transaction transaction, std::string_view content_type_view,
                            std::string_view body, const X509* tls_client_certificate,
                            const SimulatorPolicy& policy) {
  const std::string content_type(content_type_view);
  CheckedRequest checked;
  const bool iti41 = transaction == Transaction::kProvideAndRegister;
  // 1. The HTTP body.
  std::string envelope_xml;
  if (absl::StartsWithIgnoreCase(content_type, "multipart/related")) {
    absl::StatusOr<soap::MtomMessage> mtom = soap::ReadMtom(content_type, body);
    if (!mtom.ok()) {
      checked.fault = SenderFault(absl::StrCat("MTOM package refused: ", mtom.status().message()));
      return checked;
    }
    checked.mtom = *std::move(mtom);
    envelope_xml = checked.mtom.root.bytes;
  } else if (iti41) {
    checked.fault = SenderFault(absl::StrCat("ITI-41 must be sent as MTOM/XOP ",
                                             "(multipart/related), not '", content_type, "'"));
    return checked;
  } else if (!absl::StartsWithIgnoreCase(content_type, "application/soap+xml")) {
    checked.fault = SenderFault(
        absl::StrCat("Content-Type '", content_type, "' is not SOAP 1.2 (application/soap+xml)"));
    return checked;
  } else {
    envelope_xml = std::string(body);
  }

  // 2. The envelope.
  absl::StatusOr<soap::XmlDocPtr> doc = soap::ParseXml(envelope_xml, "request envelope");
  if (!doc.ok()) {
    checked.fault = SenderFault(std::string(doc.status().message()));
    return checked;
  }
  xmlNode* envelope = xmlDocGetRootElement(doc->get());
  const char* soap_namespace = soap::kSoap12Namespace;
  if (soap::IsElement(envelope, soap::kSoap11Namespace, "Envelope")) {
    if (RefuseUnlessLenient(SoapFaultSpec{"VersionMismatch", "", "",
                                          "SOAP 1.1 envelope: the DMP speaks SOAP 1.2 "
                                          "(http://www.w3.org/2003/05/soap-envelope) only"},
                            policy, &checked)) {
      return checked;
    }
    soap_namespace = soap::kSoap11Namespace;
  } else if (!soap::IsElement(envelope, soap::kSoap12Namespace, "Envelope")) {
    checked.fault = SenderFault("the root element is not a SOAP 1.2 Envelope");
    return checked;
  }
  xmlNode* header = soap::FirstChildElement(envelope, soap_namespace, "Header");
  checked.message_id =
      soap::TrimmedText(soap::FirstChildElement(header, soap::kWsaNamespace, "MessageID"));
  if (checked.message_id.empty()) {
    checked.fault =
        SenderFault("wsa:MessageID is missing", "MessageAddressingHeaderRequired", kWsaNamespace);
    return checked;
  }
  const std::string expected_action =
      iti41 ? soap::kProvideAndRegisterAction : soap::kUpdateDocumentSetAction;
  const std::string action =
      soap::TrimmedText(soap::FirstChildElement(header, soap::kWsaNamespace, "Action"));
  if (action != expected_action) {
    checked.fault = SenderFault(
        absl::StrCat("wsa:Action '", action, "' is not ", expected_action, " on this endpoint"),
        "ActionNotSupported", kWsaNamespace);
    return checked;
  }
  xmlNode* security = soap::FirstChildElement(header, soap::kWsseNamespace, "Security");
  xmlNode* assertion = soap::FirstChildElement(security, soap::kSamlNamespace, "Assertion");
  if (assertion == nullptr) {
    checked.fault =
        SenderFault("no VIHF: wsse:Security/saml2:Assertion is missing", "InvalidSecurity");
    return checked;
  }

  // 3, 4. The VIHF.
  if (std::optional<SoapFaultSpec> fault =
          CheckSignature(envelope_xml, tls_client_certificate, policy)) {
    // A failing signature by the certificate the DMP trusts is an altered
    // assertion, never a sample's defect: refused in lenient mode too.
    if (EmbeddedVihfSigner(assertion, policy.signing_certificate.get()) == VihfSigner::kTrusted) {
      checked.fault = *std::move(fault);
      return checked;
    }
    if (RefuseUnlessLenient(*std::move(fault), policy, &checked)) return checked;
  }
  if (absl::Status complete = vihf::CheckRequiredAttributes(envelope_xml, policy.vihf_settings);
      !complete.ok() &&
      RefuseUnlessLenient(SenderFault(std::string(complete.message()), "InvalidSecurityToken"),
                          policy, &checked)) {
    return checked;
  }
  absl::StatusOr<vihf::VihfAttributes> attributes = vihf::ReadVihfAttributes(envelope_xml);
  if (!attributes.ok()) {
    checked.fault = SenderFault(std::string(attributes.status().message()), "InvalidSecurityToken");
    return checked;
  }

  // 5. The body against the schema.
  xmlNode* soap_body = soap::FirstChildElement(envelope, soap_namespace, "Body");
  xmlNode* request = soap::FirstChildElement(soap_body);
  const bool expected_element =
      iti41 ? soap::IsElement(request, kXdsb, "ProvideAndRegisterDocumentSetRequest")
            : soap::IsElement(request, kLcm, "SubmitObjectsRequest");
  if (!expected_element) {
    checked.fault = SenderFault(
        absl::StrCat("soap:Body does not hold ", iti41 ? "xdsb:ProvideAndRegisterDocumentSetRequest"
                                                       : "lcm:SubmitObjectsRequest"));
    return checked;
  }
  if (iti41 || policy.validate_iti57_schema) {
    absl::StatusOr<std::shared_ptr<const xds::XdsSchema>> schema =
        xds::XdsSchema::Shared(policy.xds_schema_dir);
    if (!schema.ok()) {
      checked.fault = {"Receiver", "", "", std::string(schema.status().message())};
      return checked;
    }
    std::map<std::string, std::string> parts;
    for (const soap::MtomPart& part : checked.mtom.attachments) {
      parts[part.content_id] = part.bytes;
    }
    if (absl::Status valid = (*schema)->Validate(StandaloneXml(request), parts);
        !valid.ok() && RefuseUnlessLenient(XdsError{"XDSRegistryMetadataError",
                                                    absl::StrCat("schema: ", valid.message()), ""},
                                           policy, &checked)) {
      return checked;
    }
  }
  checked.submission = ReadSubmission(request);
  if (policy.lenient) ReconcileDocumentIds(&checked.submission, &checked.warnings);

  // 6, 7. Authorship and metadata.
  if (!iti41) return checked;
  CheckAuthorship(*attributes, checked.submission, &checked);
  if (checked.fault.has_value()) return checked;
  std::vector<XdsError> metadata = CheckProvideAndRegister(
      checked.submission, checked.mtom,
      {policy.allow_test_ins, policy.value_sets.get(), policy.lenient}, &checked.warnings);
  checked.errors.insert(checked.errors.end(), metadata.begin(), metadata.end());
  return checked;
}

}  // namespace navette::testing::dmp_sim
