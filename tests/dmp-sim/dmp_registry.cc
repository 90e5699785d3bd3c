#include "tests/dmp-sim/dmp_registry.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace navette::testing::dmp_sim {
namespace {

constexpr char kApprovedUrn[] = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved";
constexpr char kDeprecatedUrn[] = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated";
constexpr char kDeletedUrn[] = "urn:asip:ci-sis:2010:StatusType:Deleted";
constexpr char kArchivedUrn[] = "urn:asip:ci-sis:2010:StatusType:Archived";

}  // namespace

const char* EntryStatusUrn(EntryStatus status) {
  switch (status) {
    case EntryStatus::kApproved:
      return kApprovedUrn;
    case EntryStatus::kDeprecated:
      return kDeprecatedUrn;
    case EntryStatus::kDeleted:
      return kDeletedUrn;
    case EntryStatus::kArchived:
      return kArchivedUrn;
  }
  return kApprovedUrn;
}

std::optional<EntryStatus> EntryStatusFromUrn(std::string_view urn) {
  for (EntryStatus status : {EntryStatus::kApproved, EntryStatus::kDeprecated,
                             EntryStatus::kDeleted, EntryStatus::kArchived}) {
    if (urn == EntryStatusUrn(status)) return status;
  }
  return std::nullopt;
}

std::optional<XdsError> DmpRegistry::CheckNew(const NewEntry& candidate) const {
  const StoredEntry& entry = candidate.entry;
  if (entries_.contains(entry.entry_uuid)) {
    return XdsError{"XDSRegistryDuplicateUniqueIdInMessage",
                    absl::StrCat("entryUUID ", entry.entry_uuid, " is already registered"), ""};
  }
  if (auto found = by_unique_id_.find(entry.unique_id); found != by_unique_id_.end()) {
    const StoredEntry& stored = entries_.find(found->second)->second;
    if (stored.hash != entry.hash) {
      return XdsError{"XDSNonIdenticalHash",
                      absl::StrCat("uniqueId ", entry.unique_id, " is registered with hash ",
                                   stored.hash, ", not ", entry.hash),
                      ""};
    }
    return XdsError{"XDSDuplicateUniqueIdInRegistry",
                    absl::StrCat("uniqueId ", entry.unique_id, " is already registered (entryUUID ",
                                 stored.entry_uuid, ")"),
                    ""};
  }
  if (candidate.replaces_entry_uuid.empty()) return std::nullopt;
  auto target = entries_.find(candidate.replaces_entry_uuid);
  if (target == entries_.end()) {
    return XdsError{
        "XDSReplaceFailed",
        absl::StrCat("RPLC target ", candidate.replaces_entry_uuid, " is not registered"), ""};
  }
  if (target->second.patient_id != entry.patient_id) {
    return XdsError{
        "XDSPatientIdDoesNotMatch",
        absl::StrCat("RPLC target ", candidate.replaces_entry_uuid, " belongs to patientId ",
                     target->second.patient_id, ", not ", entry.patient_id),
        ""};
  }
  switch (target->second.status) {
    case EntryStatus::kApproved:
      return std::nullopt;
    case EntryStatus::kDeprecated:
      return XdsError{
          "XDSRegistryDeprecatedDocumentError",
          absl::StrCat("RPLC target ", candidate.replaces_entry_uuid,
                       " is not the latest version (replaced by ", target->second.replaced_by, ")"),
          ""};
    case EntryStatus::kDeleted:
    case EntryStatus::kArchived:
      return XdsError{"XDSReplaceFailed",
                      absl::StrCat("RPLC target ", candidate.replaces_entry_uuid, " is ",
                                   EntryStatusUrn(target->second.status)),
                      ""};
  }
  return std::nullopt;
}

std::vector<XdsError> DmpRegistry::Register(std::vector<NewEntry> entries) {
  std::lock_guard lock(mutex_);
  std::vector<XdsError> errors;
  std::set<std::string> unique_ids;
  std::set<std::string> targets;
  for (const NewEntry& candidate : entries) {
    if (!unique_ids.insert(candidate.entry.unique_id).second) {
      errors.push_back({"XDSRegistryDuplicateUniqueIdInMessage",
                        absl::StrCat("uniqueId ", candidate.entry.unique_id, " appears twice"),
                        ""});
    }
    if (!candidate.replaces_entry_uuid.empty() &&
        !targets.insert(candidate.replaces_entry_uuid).second) {
      errors.push_back({"XDSReplaceFailed",
                        absl::StrCat("RPLC target ", candidate.replaces_entry_uuid,
                                     " is replaced twice in one submission"),
                        ""});
    }
    if (std::optional<XdsError> error = CheckNew(candidate)) errors.push_back(*std::move(error));
  }
  if (!errors.empty()) return errors;
  for (NewEntry& candidate : entries) {
    if (!candidate.replaces_entry_uuid.empty()) {
      StoredEntry& target = entries_.find(candidate.replaces_entry_uuid)->second;
      target.status = EntryStatus::kDeprecated;
      target.replaced_by = candidate.entry.entry_uuid;
    }
    by_unique_id_[candidate.entry.unique_id] = candidate.entry.entry_uuid;
    std::string key = candidate.entry.entry_uuid;
    entries_.emplace(std::move(key), std::move(candidate.entry));
  }
  return {};
}

std::optional<XdsError> DmpRegistry::UpdateStatus(std::string_view entry_uuid_view,
                                                  EntryStatus from, EntryStatus to) {
  const std::string entry_uuid(entry_uuid_view);
  std::lock_guard lock(mutex_);
  auto found = entries_.find(entry_uuid);
  if (found == entries_.end()) {
    return XdsError{"XDSMetadataUpdateError",
                    absl::StrCat("entryUUID ", entry_uuid, " is not registered"), ""};
  }
  if (found->second.status != from) {
    return XdsError{"XDSMetadataUpdateError",
                    absl::StrCat("OriginalStatus ", EntryStatusUrn(from), " but entry ", entry_uuid,
                                 " is ", EntryStatusUrn(found->second.status)),
                    ""};
  }
  if (to != EntryStatus::kDeleted && to != EntryStatus::kArchived) {
    return XdsError{"XDSMetadataUpdateError",
                    absl::StrCat("NewStatus ", EntryStatusUrn(to),
                                 " is not an availability status the DMP accepts"),
                    ""};
  }
  found->second.status = to;
  return std::nullopt;
}

std::optional<XdsError> DmpRegistry::UpdateConfidentiality(std::string_view entry_uuid_view,
                                                           int previous_version,
                                                           std::vector<std::string> codes) {
  const std::string entry_uuid(entry_uuid_view);
  std::lock_guard lock(mutex_);
  auto found = entries_.find(entry_uuid);
  if (found == entries_.end()) {
    return XdsError{"XDSMetadataUpdateError",
                    absl::StrCat("lid ", entry_uuid, " is not a registered entryUUID"), ""};
  }
  if (found->second.version != previous_version) {
    return XdsError{"XDSMetadataVersionError",
                    absl::StrCat("PreviousVersion ", previous_version, " but entry ", entry_uuid,
                                 " is at version ", found->second.version),
                    ""};
  }
  if (found->second.status != EntryStatus::kApproved) {
    return XdsError{
        "XDSMetadataUpdateError",
        absl::StrCat("entry ", entry_uuid, " is ", EntryStatusUrn(found->second.status)), ""};
  }
  found->second.confidentiality_codes = std::move(codes);
  ++found->second.version;
  return std::nullopt;
}

std::optional<StoredEntry> DmpRegistry::FindByEntryUuid(std::string_view entry_uuid) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(entry_uuid);
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

std::optional<StoredEntry> DmpRegistry::FindByUniqueId(std::string_view unique_id) const {
  std::lock_guard lock(mutex_);
  auto found = by_unique_id_.find(unique_id);
  if (found == by_unique_id_.end()) return std::nullopt;
  return entries_.find(found->second)->second;
}

std::vector<StoredEntry> DmpRegistry::EntriesOf(std::string_view patient_id) const {
  std::lock_guard lock(mutex_);
  std::vector<StoredEntry> found;
  for (const auto& [uuid, entry] : entries_) {
    if (entry.patient_id == patient_id) found.push_back(entry);
  }
  return found;
}

std::vector<StoredEntry> DmpRegistry::Entries() const {
  std::lock_guard lock(mutex_);
  std::vector<StoredEntry> all;
  all.reserve(entries_.size());
  for (const auto& [uuid, entry] : entries_) all.push_back(entry);
  return all;
}

size_t DmpRegistry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace navette::testing::dmp_sim
