// The audit trail: one synced Put per entry, keyed by time (keys.h), read
// backwards for newest first. The cursor of a page is the key of its last
// entry in hex: the next page reads strictly below it, so entries appended
// meanwhile (newer) never shift the pages an analyst is walking.
#include <algorithm>

#include <fmt/format.h>
#include <rocksdb/db.h>

#include "absl/strings/escaping.h"
#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::Status Store::AppendAudit(const AuditEntry& entry) {
  const std::string key = AuditKey(entry.at_us(), audit_seq_.fetch_add(1));
  return FromRocks(db_->Put(SyncedWrite(), audit_, key, entry.SerializeAsString()),
                   "recording an audit entry");
}

absl::StatusOr<AuditPage> Store::ListAudit(const AuditFilter& filter) const {
  std::string upper;
  if (!filter.cursor.empty()) {
    const bool hex = filter.cursor.size() == 32 &&
                     filter.cursor.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) {
      return absl::InvalidArgumentError(
          fmt::format("'{}' is not a cursor of the audit list", filter.cursor.substr(0, 40)));
    }
    upper = absl::HexStringToBytes(filter.cursor);
  }
  const std::string lower = AuditKey(std::max<int64_t>(filter.since_us, 0), 0);
  rocksdb::ReadOptions options;
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  options.iterate_lower_bound = &lower_slice;
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, audit_));
  AuditPage page;
  std::string last_key;  // of the last entry in the page
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    AuditEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt audit entry");
    }
    if (!filter.user.empty() && entry.user() != filter.user) continue;
    if (filter.message_id != 0 && std::find(entry.message_ids().begin(), entry.message_ids().end(),
                                            filter.message_id) == entry.message_ids().end()) {
      continue;
    }
    if (page.entries.size() == filter.limit) {
      // One more exists: the page ends at the previous entry returned.
      page.next_cursor = absl::BytesToHexString(last_key);
      break;
    }
    last_key = it->key().ToString();
    page.entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing the audit trail");
  return page;
}

}  // namespace navette::store
