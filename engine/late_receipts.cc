#include "engine/late_receipts.h"

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "proto/document.pb.h"

namespace navette::engine {

StoreLateReceipts::StoreLateReceipts(store::Store& store, BusinessAcks& acks,
                                     std::function<void(const store::ActionEffect&)> queued)
    : store_(store), acks_(acks), queued_(std::move(queued)) {}

absl::StatusOr<std::optional<navette::document::MssSubmissionReceipt>>
StoreLateReceipts::SubmissionOf(uint64_t id, std::string_view destination,
                                std::string_view mail_message_id) const {
  auto receipts = store_.GetReceipts(id);
  if (!receipts.ok()) return receipts.status();
  for (const store::DeliveryReceipt& kept : *receipts) {
    if (kept.destination() != destination) continue;
    navette::document::MssSubmissionReceipt submission;
    if (!kept.body().UnpackTo(&submission)) continue;
    for (const auto& recipient : submission.recipients()) {
      if (!mail_message_id.empty() && recipient.message_id() == mail_message_id) {
        return submission;
      }
    }
  }
  return std::nullopt;
}

namespace {

// A DSN names recipients by address; the acknowledgement also wants their
// national id, which the submission recorded.
google::protobuf::Any WithRecipientIds(const google::protobuf::Any& receipt,
                                       const navette::document::MssSubmissionReceipt& submission) {
  navette::document::MssDeliveryReceipt delivery;
  navette::document::MssReadReceipt read;
  auto id_of = [&](const std::string& address) -> std::string {
    for (const auto& recipient : submission.recipients()) {
      if (recipient.address() == address) return recipient.id();
    }
    return {};
  };
  google::protobuf::Any completed = receipt;
  if (receipt.UnpackTo(&delivery)) {
    for (auto& recipient : *delivery.mutable_recipients()) {
      if (recipient.id().empty()) recipient.set_id(id_of(recipient.address()));
    }
    completed.PackFrom(delivery);
  } else if (receipt.UnpackTo(&read)) {
    if (read.id().empty()) read.set_id(id_of(read.address()));
    completed.PackFrom(read);
  }
  return completed;
}

}  // namespace

absl::Status StoreLateReceipts::Record(const adapters::LateReceipt& receipt) {
  auto message = store_.GetMessage(receipt.message_id);
  if (!message.ok()) return message.status();
  auto submission = SubmissionOf(receipt.message_id, receipt.destination, receipt.mail_message_id);
  if (!submission.ok()) return submission.status();
  if (!submission->has_value()) {
    return absl::NotFoundError(
        fmt::format("destination '{}' recorded no mail with this Message-ID", receipt.destination));
  }
  const google::protobuf::Any completed = WithRecipientIds(receipt.receipt, **submission);
  std::vector<store::FollowUpDelivery> follow_ups =
      acks_.empty() ? std::vector<store::FollowUpDelivery>{}
                    : acks_.FollowUps(*message, receipt.destination, completed,
                                      std::chrono::system_clock::now());
  auto effects =
      store_.RecordLateReceipt(receipt.message_id, receipt.destination, receipt.detail, follow_ups);
  if (!effects.ok()) return effects.status();
  if (queued_) {
    for (const store::ActionEffect& effect : *effects) queued_(effect);
  }
  return absl::OkStatus();
}

}  // namespace navette::engine
