// Store: the versions of the documents navette emitted (documents CF),
// which a replacement reads to keep the setId and increment the version.
// They are written with the routing decision that built them
// (store_routing.cc).
#include <fmt/format.h>
#include <rocksdb/db.h>

#include <memory>
#include <vector>

#include "store/keys.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::StatusOr<std::optional<DocumentVersion>> Store::GetDocumentVersion(
    std::string_view id) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), documents_, rocksdb::Slice(id), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocks(status, "reading a document version");
  DocumentVersion version;
  if (!version.ParseFromString(value)) {
    return absl::DataLossError("store: corrupt document version");
  }
  return version;
}

absl::StatusOr<std::vector<DocumentVersion>> Store::GetDocumentSet(std::string_view set_id) const {
  const std::string prefix = DocumentSetPrefix(set_id);
  std::vector<std::string> ids;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), documents_));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      ids.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "listing a document's versions");
  }
  std::vector<DocumentVersion> versions;
  versions.reserve(ids.size());
  for (const std::string& id : ids) {
    auto version = GetDocumentVersion(id);
    if (!version.ok()) return version.status();
    if (!version->has_value()) {
      return absl::DataLossError("store: a document set lists a version that is not kept");
    }
    versions.push_back(**std::move(version));
  }
  return versions;
}

absl::StatusOr<std::vector<DocumentReceipt>> Store::GetDocumentReceipts(
    std::string_view set_id, std::string_view destination) const {
  const std::string prefix = DocumentReceiptPrefix(set_id, destination);
  std::vector<DocumentReceipt> receipts;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), documents_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    DocumentReceipt& kept = receipts.emplace_back();
    kept.message_id =
        ReadBigEndian64(std::string_view(it->key().data(), it->key().size()).substr(prefix.size()));
    if (!kept.receipt.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("store: corrupt document receipt");
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing a document's receipts");
  return receipts;
}

}  // namespace navette::store
