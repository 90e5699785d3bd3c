// The code tables navette applies when it describes a document to the DMP
// (fr-specs.md §2.4, §3.4, §3.5), and the fixed ebRIM identifiers of the
// IHE XDS.b metadata model (IHE ITI TF-3 §4.2.5; the same UUIDs in the CNAM
// kit's template_XDS.xml).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

// ebRIM schemes and object types.
inline constexpr char kDocumentEntryObjectType[] = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
inline constexpr char kEntryAuthorScheme[] = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
inline constexpr char kClassCodeScheme[] = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
inline constexpr char kConfidentialityScheme[] = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
inline constexpr char kFormatCodeScheme[] = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
inline constexpr char kFacilityTypeScheme[] = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1";
inline constexpr char kPracticeSettingScheme[] = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead";
inline constexpr char kTypeCodeScheme[] = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
inline constexpr char kEntryPatientIdScheme[] = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
inline constexpr char kEntryUniqueIdScheme[] = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
inline constexpr char kSetAuthorScheme[] = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d";
inline constexpr char kContentTypeScheme[] = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500";
inline constexpr char kSetPatientIdScheme[] = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446";
inline constexpr char kSetSourceIdScheme[] = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832";
inline constexpr char kSetUniqueIdScheme[] = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8";
inline constexpr char kSubmissionSetNode[] = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd";

inline constexpr char kHasMember[] = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember";
inline constexpr char kReplaces[] = "urn:ihe:iti:2007:AssociationType:RPLC";
inline constexpr char kUpdateAvailabilityStatus[] =
    "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus";
inline constexpr char kAssociationObjectType[] =
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association";

// The HL7 confidentiality system (N/R/V) and the DMP masking system.
inline constexpr char kHl7ConfidentialitySystem[] = "2.16.840.1.113883.5.25";
inline constexpr char kDmpMaskingSystem[] = "1.2.250.1.213.1.1.4.13";

// classCode (JDV_J57, codingScheme 1.2.250.1.213.1.1.4.1) for a document
// type (JDV_J07 code), per ANS's type-to-class correspondence as fr-specs.md
// §2.4 and §3.4 give it. NotFound names the type: a type navette does not
// know must not reach the DMP under a guessed class.
absl::StatusOr<Code> ClassCodeForType(std::string_view type_code);

// formatCode (JDV_J60) from the CDA templateIds: the N1 template
// (1.3.6.1.4.1.19376.1.2.20) takes its code from the nonXMLBody mediaType,
// a structured model from its model templateId. NotFound lists what was
// seen.
absl::StatusOr<Code> FormatCodeFor(const std::vector<std::string>& template_ids,
                                   std::string_view n1_media_type);

// The confidentialityCode classifications: the CDA's code (N/R/V), then one
// per masking flag, in the DMP masking system (fr-specs.md §3.5).
std::vector<Code> ConfidentialityCodes(std::string_view cda_confidentiality,
                                       const Masking& masking);

}  // namespace navette::adapters::dmp::xds
