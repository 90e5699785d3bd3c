// Reads, from a CDA R2 document's bytes, the header fields the DMP's XDS
// metadata is made of (fr-specs.md §3.4, column « Derived from CDA »):
//
//   ClinicalDocument/id                         uniqueId (root, or root^extension)
//   code, title, confidentialityCode            typeCode, Name, confidentialityCode
//   templateId (+ nonXMLBody/text/@mediaType)   formatCode
//   effectiveTime                               creationTime (UTC)
//   recordTarget/patientRole                    patientId (INS), sourcePatientId (IPP),
//                                               sourcePatientInfo (names, birthTime, sex)
//   author[1]                                   authorPerson/Institution/Specialty/Role
//   legalAuthenticator/assignedEntity           legalAuthenticator
//   documentationOf[1]/serviceEvent             serviceStart/StopTime; performer's
//                                               standardIndustryClassCode -> practiceSetting
//   componentOf//healthCareFacility/code        healthcareFacilityTypeCode
//
// The header must hold what the DMP requires (id, code, effectiveTime, an
// INS, an author with an id and a name, the facility code): otherwise
// InvalidArgument names the first missing element by its path. The
// practiceSetting may be missing (ApplyHospitalDefaults supplies it).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

absl::StatusOr<DocumentMetadata> ReadCdaMetadata(std::string_view cda_bytes);

}  // namespace navette::adapters::dmp::xds
