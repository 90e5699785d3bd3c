// The simulated DMP's document registry and repository: every DocumentEntry
// registered, per patient, with the bytes it was given. In memory, for one
// test's lifetime.
//
// Invariants (every method holds the lock while it checks and applies, so
// they hold between any two calls):
//   - a uniqueId names at most one entry (ITI-41 refuses a second one:
//     XDSDuplicateUniqueIdInRegistry when the bytes are the same — a
//     resubmission — and XDSNonIdenticalHash when they differ, IHE ITI TF-3
//     Table 4.2.4.1-2);
//   - an entry is the latest version of its document iff its status is
//     Approved: replacing it (RPLC) makes it Deprecated, and only an Approved
//     entry may be replaced (XDSRegistryDeprecatedDocumentError otherwise, as
//     fr-specs §3.7 names it);
//   - Deleted / Archived (ANS statuses, fr-specs §3.6) are availability
//     statuses: the entry stays, nothing is removed.
// A submission is applied whole or not at all.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/dmp-sim/dmp_errors.h"

namespace navette::testing::dmp_sim {

enum class EntryStatus { kApproved, kDeprecated, kDeleted, kArchived };

// The status URN the registry writes (ebRIM for Approved/Deprecated, ANS for
// Deleted/Archived); nullopt for a URN it does not know.
const char* EntryStatusUrn(EntryStatus status);
std::optional<EntryStatus> EntryStatusFromUrn(std::string_view urn);

struct StoredEntry {
  std::string entry_uuid;  // urn:uuid:…
  std::string unique_id;   // the document's OID (ClinicalDocument/id)
  std::string patient_id;  // the INS CX
  std::string class_code;  // code^codingScheme, likewise below
  std::string type_code;
  std::string format_code;
  std::vector<std::string> confidentiality_codes;
  std::string hash;  // SHA-1 hex of `bytes`
  uint64_t size = 0;
  EntryStatus status = EntryStatus::kApproved;
  int version = 1;          // bumped by a metadata update (ITI-57)
  std::string replaced_by;  // entryUUID of the version that deprecated it
  std::string bytes;
};

// One DocumentEntry of an ITI-41 submission, with the entry it replaces.
struct NewEntry {
  StoredEntry entry;
  std::string replaces_entry_uuid;  // RPLC target; empty for a first version
};

class DmpRegistry {
 public:
  // ITI-41: every entry registered, or none and the errors.
  std::vector<XdsError> Register(std::vector<NewEntry> entries);
  // ITI-57 UpdateAvailabilityStatus. `from` must be the entry's status.
  std::optional<XdsError> UpdateStatus(std::string_view entry_uuid_view, EntryStatus from,
                                       EntryStatus to);
  // ITI-57 metadata update of the confidentiality codes: `previous_version`
  // must be the entry's current version; the version is then bumped.
  std::optional<XdsError> UpdateConfidentiality(std::string_view entry_uuid, int previous_version,
                                                std::vector<std::string> codes);

  std::optional<StoredEntry> FindByEntryUuid(std::string_view entry_uuid) const;
  std::optional<StoredEntry> FindByUniqueId(std::string_view unique_id) const;
  std::vector<StoredEntry> EntriesOf(std::string_view patient_id) const;
  // Every entry, in entryUUID order (the simulator's admin endpoint).
  std::vector<StoredEntry> Entries() const;
  size_t size() const;

 private:
  std::optional<XdsError> CheckNew(const NewEntry& candidate) const;

  mutable std::mutex mutex_;
  // entryUUID → entry; and uniqueId → entryUUID (the first invariant).
  std::map<std::string, StoredEntry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> by_unique_id_;
};

}  // namespace navette::testing::dmp_sim
