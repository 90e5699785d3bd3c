// The two registry objects every DMP request is built around, written once
// for ITI-41 (provide_and_register.h) and ITI-57 (metadata_update.h):
//
//   SubmissionSet (rim:RegistryPackage): submissionTime, Name, author,
//     contentTypeCode, "is a SubmissionSet", patientId, sourceId, uniqueId.
//   DocumentEntry (rim:ExtrinsicObject, mimeType, objectType stable):
//     slots creationTime, hash, languageCode, legalAuthenticator,
//     [repositoryUniqueId], serviceStartTime, serviceStopTime, size,
//     sourcePatientId, sourcePatientInfo, [URI]; Name; classifications author,
//     classCode, confidentialityCode (one per code), formatCode,
//     healthcareFacilityTypeCode, practiceSettingCode, typeCode; external
//     identifiers patientId, uniqueId.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "adapters/dmp/xds/document_metadata.h"
#include "adapters/dmp/xds/ebrim_writer.h"

namespace navette::adapters::dmp::xds {

// What the DMP would refuse, found before anything is written: the first
// problem, naming the field (uniqueId not an OID, test INS OID outside the
// test platform, empty author name, missing codes...).
absl::Status CheckSubmissionSet(const SubmissionSet& set, const PatientIdentity& patient,
                                const Author& author);
absl::Status CheckDocument(const DocumentMetadata& document);

xmlNode* WriteSubmissionSet(RimWriter* writer, xmlNode* list, std::string_view id,
                            const SubmissionSet& set, const PatientIdentity& patient,
                            const Author& author);

// The entry's identity and the bytes' digest, which ITI-41 computes and an
// ITI-57 update restates.
struct EntryIdentity {
  std::string id;   // ExtrinsicObject/@id: the entryUUID (ITI-41) or a symbol
  std::string lid;  // the logical id of the entry being updated (ITI-57)
  std::string hash;
  size_t size = 0;
  std::string repository_unique_id;  // ITI-57 restates it; empty for ITI-41
  std::string uri = {};  // XDM: the file's name relative to its SUBSET folder; empty for XDS
};

xmlNode* WriteDocumentEntry(RimWriter* writer, xmlNode* list, const EntryIdentity& entry,
                            const DocumentMetadata& document);

}  // namespace navette::adapters::dmp::xds
