#include "adapters/dmp/xds/metadata_update.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/dmp/xds/ebrim_writer.h"
#include "adapters/dmp/xds/registry_objects.h"
#include "adapters/dmp/xds/xds_codes.h"
#include "adapters/dmp/xds/xds_values.h"

namespace navette::adapters::dmp::xds {
namespace {

absl::Status CheckEntryUuid(std::string_view value) {
  if (IsEntryUuid(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "ITI-57 target \"", std::string(value),
      "\" is not an entryUUID (urn:uuid:...); the DMP updates entries by entryUUID, not by "
      "uniqueId"));
}

}  // namespace

std::string_view StatusUrn(AvailabilityStatus status) {
  switch (status) {
    case AvailabilityStatus::kApproved:
      return "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved";
    case AvailabilityStatus::kArchived:
      return "urn:asip:ci-sis:2010:StatusType:Archived";
    case AvailabilityStatus::kDeleted:
      return "urn:asip:ci-sis:2010:StatusType:Deleted";
  }
  return "";
}

absl::StatusOr<std::string> BuildStatusChange(const StatusChange& change,
                                              const SubmissionSet& set) {
  if (absl::Status status = CheckSubmissionSet(set, change.patient, change.author); !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckEntryUuid(change.entry_uuid); !status.ok()) return status;
  // TD3.3c/d: Approved -> Archived, Approved or Archived -> Deleted.
  if (change.to == AvailabilityStatus::kApproved || change.from == change.to ||
      change.from == AvailabilityStatus::kDeleted) {
    return absl::InvalidArgumentError(absl::StrCat("ITI-57 status change ",
                                                   std::string(StatusUrn(change.from)), " -> ",
                                                   std::string(StatusUrn(change.to)),
                                                   " is not one the DMP "
                                                   "offers"));
  }
  RimWriter writer(kLcmNamespace, "lcm", "SubmitObjectsRequest");
  xmlNode* list = writer.Element(writer.root(), writer.rim(), "RegistryObjectList");
  const std::string set_id = NewEntryUuid();
  WriteSubmissionSet(&writer, list, set_id, set, change.patient, change.author);
  xmlNode* update = writer.Association(list, kUpdateAvailabilityStatus, set_id, change.entry_uuid);
  writer.Slot(update, "OriginalStatus", {std::string(StatusUrn(change.from))});
  writer.Slot(update, "NewStatus", {std::string(StatusUrn(change.to))});
  return writer.Serialize();
}

absl::StatusOr<std::string> BuildConfidentialityChange(const DocumentMetadata& document,
                                                       std::string_view document_bytes,
                                                       const ConfidentialityChange& change,
                                                       const SubmissionSet& set) {
  if (absl::Status status = CheckSubmissionSet(set, document.patient, document.author);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckDocument(document); !status.ok()) return status;
  if (absl::Status status = CheckEntryUuid(change.entry_uuid); !status.ok()) return status;
  if (change.previous_version.empty() ||
      !std::all_of(change.previous_version.begin(), change.previous_version.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
    return absl::InvalidArgumentError("ITI-57 PreviousVersion must be the entry's version number");
  }
  if (!IsOid(change.repository_unique_id)) {
    return absl::InvalidArgumentError("ITI-57 repositoryUniqueId must be the repository's OID");
  }
  RimWriter writer(kLcmNamespace, "lcm", "SubmitObjectsRequest");
  xmlNode* list = writer.Element(writer.root(), writer.rim(), "RegistryObjectList");
  const std::string set_id = NewEntryUuid();
  WriteSubmissionSet(&writer, list, set_id, set, document.patient, document.author);
  EntryIdentity entry;
  entry.id = NewEntryUuid();  // the new version's id; lid ties it to the entry
  entry.lid = change.entry_uuid;
  entry.hash = Sha1Hex(document_bytes);
  entry.size = document_bytes.size();
  entry.repository_unique_id = change.repository_unique_id;
  WriteDocumentEntry(&writer, list, entry, document);
  xmlNode* member = writer.Association(list, kHasMember, set_id, entry.id);
  writer.Slot(member, "SubmissionSetStatus", {"Original"});
  writer.Slot(member, "PreviousVersion", {change.previous_version});
  return writer.Serialize();
}

}  // namespace navette::adapters::dmp::xds
