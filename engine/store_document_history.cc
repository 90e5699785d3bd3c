#include "engine/store_document_history.h"

#include <utility>

namespace navette::engine {

absl::StatusOr<std::optional<navette::store::DocumentVersion>> StoreDocumentHistory::FindVersion(
    std::string_view document_id) const {
  return store_.GetDocumentVersion(document_id);
}

absl::StatusOr<std::vector<adapters::KeptReceipt>> StoreDocumentHistory::Receipts(
    std::string_view set_id, std::string_view destination) const {
  auto kept = store_.GetDocumentReceipts(set_id, destination);
  if (!kept.ok()) return kept.status();
  std::vector<adapters::KeptReceipt> receipts;
  receipts.reserve(kept->size());
  for (store::DocumentReceipt& receipt : *kept) {
    receipts.push_back({receipt.message_id, std::move(receipt.receipt)});
  }
  return receipts;
}

absl::StatusOr<std::string> StoreDocumentHistory::DeliveredBytes(uint64_t id,
                                                                 std::string_view route) const {
  auto output = store_.GetOutput(id, route);
  if (output.ok()) return std::move(*output->mutable_payload());
  if (!absl::IsNotFound(output.status())) return output.status();
  // The route's steps changed nothing: the destination got the bytes
  // received.
  auto message = store_.GetMessage(id);
  if (!message.ok()) return message.status();
  return std::move(*message->mutable_envelope()->mutable_raw());
}

}  // namespace navette::engine
