// ITI-57 Update Document Set bodies (lcm:SubmitObjectsRequest) for the DMP
// (fr-specs.md §3.6; CNAM kit template_depublication.xml,
// template_archivage.xml, template_masquage.xml):
//
//   status change (TD3.3c delete, TD3.3d archive):
//     SubmissionSet + Association UpdateAvailabilityStatus
//       SubmissionSet -> entryUUID, slots OriginalStatus / NewStatus
//   confidentiality change (TD3.3a/b masking):
//     SubmissionSet + a new version of the DocumentEntry (lid = the entry's
//     entryUUID, status Approved, every attribute restated, the new
//     confidentialityCode set) + HasMember with SubmissionSetStatus Original
//     and PreviousVersion.
//
// Unlike the CNAM templates, the classifications and external identifiers
// carry classifiedObject/registryObject: rim.xsd requires them
// (dmp-mss-notes.md §6.3), so these bodies validate.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/dmp/xds/document_metadata.h"

namespace navette::adapters::dmp::xds {

enum class AvailabilityStatus {
  kApproved,  // urn:oasis:names:tc:ebxml-regrep:StatusType:Approved
  kArchived,  // urn:asip:ci-sis:2010:StatusType:Archived
  kDeleted,   // urn:asip:ci-sis:2010:StatusType:Deleted
};

std::string_view StatusUrn(AvailabilityStatus status);

struct StatusChange {
  std::string entry_uuid;  // the DMP entryUUID (urn:uuid:...), not the uniqueId
  AvailabilityStatus from = AvailabilityStatus::kApproved;
  AvailabilityStatus to = AvailabilityStatus::kDeleted;
  PatientIdentity patient;  // the submission set's patientId
  Author author;            // the submission set's author
};

// The UTF-8 XML of the request. InvalidArgument names what the DMP would
// refuse (not an entryUUID, a change to Approved, from == to).
absl::StatusOr<std::string> BuildStatusChange(const StatusChange& change, const SubmissionSet& set);

struct ConfidentialityChange {
  std::string entry_uuid;            // lid of the entry being re-versioned
  std::string previous_version;      // its current version ("1", ...)
  std::string repository_unique_id;  // where the document lives (the DMP's repository)
};

// `document` is the entry's metadata with the new masking set;
// `document_bytes` the bytes first sent (hash and size are restated).
absl::StatusOr<std::string> BuildConfidentialityChange(const DocumentMetadata& document,
                                                       std::string_view document_bytes,
                                                       const ConfidentialityChange& change,
                                                       const SubmissionSet& set);

}  // namespace navette::adapters::dmp::xds
