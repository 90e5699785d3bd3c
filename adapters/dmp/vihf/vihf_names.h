// The names the VIHF is written with, shared by the builder, the signer, the
// verifier and the attribute check so that they cannot drift apart.
// Attribute names are spelt exactly as in the CNAM samples (fr-specs §3.3);
// the mode attribute's name is a setting (VihfSettings), not listed here.
#pragma once

#include <string_view>

namespace navette::adapters::dmp::vihf {

inline constexpr char kSamlNamespace[] = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr char kSamlPrefix[] = "saml2";
inline constexpr char kXsiNamespace[] = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr char kHl7Namespace[] = "urn:hl7-org:v3";
inline constexpr char kDsigNamespace[] = "http://www.w3.org/2000/09/xmldsig#";

inline constexpr char kX509SubjectNameFormat[] =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";

inline constexpr char kAttrStructureId[] = "Identifiant_Structure";
inline constexpr char kAttrActivitySector[] = "Secteur_Activite";
inline constexpr char kAttrSubjectId[] = "urn:oasis:names:tc:xspa:1.0:subject:subject-id";
inline constexpr char kAttrRole[] = "urn:oasis:names:tc:xacml:2.0:subject:role";
inline constexpr char kAttrPurposeOfUse[] = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse";
inline constexpr char kAttrVihfVersion[] = "VIHF_Version";
inline constexpr char kAttrResourceId[] = "urn:oasis:names:tc:xacml:2.0:resource:resource-id";
inline constexpr char kAttrResourceUrn[] = "Ressource_URN";
inline constexpr char kAttrSoftwareId[] = "LPS_ID";
inline constexpr char kAttrSoftwareName[] = "LPS_Nom";
inline constexpr char kAttrSoftwareVersion[] = "LPS_Version";
inline constexpr char kAttrHomologation[] = "LPS_ID_HOMOLOGATION_DMP";
inline constexpr char kAttrAccessReason[] = "Mode_Acces_Raison";

// Ressource_URN's value: the resource is the patient's DMP.
inline constexpr char kResourceUrnDmp[] = "urn:dmp";

// XML-DSig algorithm URIs, as they appear in the samples.
inline constexpr char kExcC14n[] = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr char kEnvelopedSignature[] =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr char kRsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr char kRsaSha1[] = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr char kSha256[] = "http://www.w3.org/2001/04/xmlenc#sha256";
inline constexpr char kSha1[] = "http://www.w3.org/2000/09/xmldsig#sha1";

}  // namespace navette::adapters::dmp::vihf
