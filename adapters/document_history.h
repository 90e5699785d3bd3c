// What a destination may read of the documents navette already handled:
// the versions build_cda emitted, the receipts the destination itself got
// for earlier versions of a document, and the bytes it was given then. The
// DMP destination needs them to replace, delete or re-mask a document it
// registered by an earlier message (its entryUUID, the bytes' hash and
// size). The engine implements it over the store; an adapter never writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/store.pb.h"

namespace navette::adapters {

// A receipt kept under a document's setId, with the message it answered.
struct KeptReceipt {
  uint64_t message_id = 0;
  navette::store::DeliveryReceipt receipt;
};

class DocumentHistory {
 public:
  virtual ~DocumentHistory() = default;
  // The version emitted under this document id (ClinicalDocument/id);
  // nullopt when navette never emitted it. Errors are store failures.
  virtual absl::StatusOr<std::optional<navette::store::DocumentVersion>> FindVersion(
      std::string_view document_id) const = 0;
  // The receipts `destination` got about versions of `set_id`
  // (DeliveryResult::receipt_document_key), oldest message first.
  virtual absl::StatusOr<std::vector<KeptReceipt>> Receipts(std::string_view set_id,
                                                            std::string_view destination) const = 0;
  // The bytes a destination was given for message `id` on `route`: the
  // route's output when its steps made one, else the bytes received.
  virtual absl::StatusOr<std::string> DeliveredBytes(uint64_t id, std::string_view route) const = 0;
};

}  // namespace navette::adapters
