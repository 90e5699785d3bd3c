// The DocumentHistory destinations read (adapters/document_history.h), over
// the store: the documents CF for versions and per-set receipts, the
// outputs CF and the journal for the bytes delivered.
#pragma once

#include "adapters/document_history.h"
#include "store/store.h"

namespace navette::engine {

class StoreDocumentHistory final : public adapters::DocumentHistory {
 public:
  explicit StoreDocumentHistory(const store::Store& store) : store_(store) {}

  absl::StatusOr<std::optional<navette::store::DocumentVersion>> FindVersion(
      std::string_view document_id) const override;
  absl::StatusOr<std::vector<adapters::KeptReceipt>> Receipts(
      std::string_view set_id, std::string_view destination) const override;
  absl::StatusOr<std::string> DeliveredBytes(uint64_t id, std::string_view route) const override;

 private:
  const store::Store& store_;
};

}  // namespace navette::engine
