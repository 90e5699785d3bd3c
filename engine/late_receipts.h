// The engine's end of adapters/late_receipts.h: a receipt a receipts source
// read (an MSSanté DSN or MDN) is checked against what the destination
// recorded when it sent the mail, then written to the message's history
// with the ZAM^Z02 / ZAM^Z03 it calls for, in one batch
// (store::Store::RecordLateReceipt).
#pragma once

#include <functional>
#include <optional>

#include "adapters/late_receipts.h"
#include "engine/business_acks.h"
#include "proto/document.pb.h"
#include "store/store.h"

namespace navette::engine {

class StoreLateReceipts final : public adapters::LateReceiptSink {
 public:
  // `acks` may be empty (no source asks for business acknowledgements);
  // `queued` is told of each acknowledgement queued, for its destination's
  // scheduler. All must outlive this.
  StoreLateReceipts(store::Store& store, BusinessAcks& acks,
                    std::function<void(const store::ActionEffect&)> queued);

  absl::Status Record(const adapters::LateReceipt& receipt) override;

 private:
  // `destination`'s submission receipt of message `id` when it names the
  // mail `mail_message_id`; nullopt for a receipt about a mail navette did
  // not send (or sent from another destination).
  absl::StatusOr<std::optional<navette::document::MssSubmissionReceipt>> SubmissionOf(
      uint64_t id, std::string_view destination, std::string_view mail_message_id) const;

  store::Store& store_;
  BusinessAcks& acks_;
  std::function<void(const store::ActionEffect&)> queued_;
};

}  // namespace navette::engine
