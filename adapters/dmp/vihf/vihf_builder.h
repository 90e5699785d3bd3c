// Builds navette's unsigned VIHF: the saml2:Assertion of fr-specs §3.3 in
// indirect mode, as a libxml2 document whose root is the assertion and whose
// @ID is registered as an XML ID (so VihfSigner's reference "#<ID>"
// resolves). Shape, in SAML's schema order (the signature goes after Issuer):
//
//   <saml2:Assertion ID IssueInstant Version="2.0">
//     <saml2:Issuer Format="…X509SubjectName">  signing certificate's DN
//     <saml2:Subject><saml2:NameID>             person responsible (PRT-5.1)
//     <saml2:Conditions NotBefore NotOnOrAfter> only when validity > 0
//     <saml2:AuthnStatement AuthnInstant><AuthnContext><AuthnContextClassRef>
//     <saml2:AttributeStatement>                in the CNAM samples' order:
//       Identifiant_Structure, Secteur_Activite, subject-id, subject:role,
//       VIHF_Version, <mode attribute>, resource-id, Ressource_URN,
//       purposeofuse, [LPS_ID], LPS_Nom, LPS_Version, LPS_ID_HOMOLOGATION_DMP,
//       [Mode_Acces_Raison]
//
// Attribute values are untyped strings, as in the ANS IG's automate example
// (the CNAM samples add xsi:type="xs:string", whose QName-in-content is not
// protected by exclusive c14n); role and purpose of use are HL7 v3 CE
// elements in urn:hl7-org:v3.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/dmp/vihf/vihf_settings.h"
#include "adapters/dmp/vihf/vihf_xml.h"

namespace navette::adapters::dmp::vihf {

// The Struct_IdNat of an establishment: `1` followed by its 9-character
// FINESS (fr-specs §1.3; the CNAM sample `10B0127189`).
absl::StatusOr<std::string> StructureIdFromFiness(std::string_view finess);

// The INS in the CX form the DMP expects for resource-id and patientId:
// `<matricule>^^^&<oid>&ISO^NH` (fr-specs §1.8), without the CX.7 suffix.
std::string InsResourceId(std::string_view ins, std::string_view oid);

// SAML's xs:dateTime in UTC with milliseconds, as in the samples:
// 2019-06-26T08:46:06.839Z.
std::string SamlInstant(std::chrono::system_clock::time_point instant);

// The assertion, or InvalidArgument naming every missing or malformed input
// at once (settings as `settings.<field>`, request as `request.<field>`).
absl::StatusOr<XmlDocPtr> BuildVihfAssertion(const VihfSettings& settings,
                                             const VihfRequest& request);

}  // namespace navette::adapters::dmp::vihf
