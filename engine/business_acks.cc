#include "engine/business_acks.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/message_id.h"

namespace navette::engine {
namespace {

using adapters::hl7v2::ZamAnswerOf;

// 1-based position of `address` among the document's recipients; 0: none.
int RecipientPosition(const navette::document::Document& document, std::string_view address) {
  int position = 0;
  for (const navette::document::Participant& participant : document.participants()) {
    if (participant.role() != navette::document::Participant::RECIPIENT) continue;
    ++position;
    if (!address.empty() && participant.address() == address) return position;
  }
  return 0;
}

}  // namespace

std::vector<PlannedZam> PlanBusinessAcks(const navette::document::Document& document,
                                         std::string_view destination,
                                         const google::protobuf::Any& receipt) {
  std::vector<PlannedZam> planned;
  const navette::document::Flags& flags = document.flags();
  const std::string base = fmt::format("zam:{}", destination);
  auto party_route = [&](std::string_view address) {
    return fmt::format("{}:{}", base, RecipientPosition(document, address));
  };
  if (receipt.Is<navette::document::DmpReceipt>()) {
    navette::document::DmpReceipt dmp;
    if (!flags.ack_reception() || !receipt.UnpackTo(&dmp)) return planned;
    planned.push_back({ZamAnswerOf(dmp), base});
  } else if (receipt.Is<navette::document::MssDeliveryReceipt>()) {
    navette::document::MssDeliveryReceipt mss;
    if (!flags.ack_reception() || !receipt.UnpackTo(&mss)) return planned;
    for (const auto& recipient : mss.recipients()) {
      planned.push_back({ZamAnswerOf(recipient), party_route(recipient.address())});
    }
  } else if (receipt.Is<navette::document::MssSubmissionReceipt>()) {
    // The submission itself: a recipient the operator's server refused for
    // good will never be delivered, and hears so now; the accepted ones
    // wait for their DSN (an MssDeliveryReceipt from the receipts source).
    navette::document::MssSubmissionReceipt submission;
    if (!flags.ack_reception() || !receipt.UnpackTo(&submission)) return planned;
    for (const auto& recipient : submission.recipients()) {
      if (recipient.fate() != navette::document::MssSubmissionReceipt::Recipient::REFUSED) continue;
      navette::document::MssDeliveryReceipt::Recipient refused;
      refused.set_address(recipient.address());
      refused.set_id(recipient.id());
      refused.set_delivered(false);
      refused.set_error_code(std::to_string(recipient.reply_code()));
      refused.set_error_label(recipient.reply());
      planned.push_back({ZamAnswerOf(refused), party_route(recipient.address())});
    }
  } else if (receipt.Is<navette::document::MssReadReceipt>()) {
    navette::document::MssReadReceipt read;
    if (!flags.ack_lecture_mss() || !receipt.UnpackTo(&read)) return planned;
    planned.push_back({ZamAnswerOf(read), party_route(read.address())});
  }
  return planned;
}

BusinessAcks::BusinessAcks(const navette::config::Config& config) {
  for (const navette::config::Source& source : config.sources()) {
    if (!source.business_acks().empty()) destinations_[source.name()] = source.business_acks();
  }
}

std::vector<store::FollowUpDelivery> BusinessAcks::FollowUps(
    const store::StoredMessage& message, std::string_view destination,
    const google::protobuf::Any& receipt, std::chrono::system_clock::time_point now) {
  std::vector<store::FollowUpDelivery> follow_ups;
  const navette::Envelope& envelope = message.envelope();
  auto target = destinations_.find(envelope.source());
  if (target == destinations_.end() || !envelope.has_document()) return follow_ups;
  const std::vector<PlannedZam> planned =
      PlanBusinessAcks(envelope.document(), destination, receipt);
  if (planned.empty()) return follow_ups;
  const adapters::hl7v2::ZamOriginal original = adapters::hl7v2::ZamOriginalOf(envelope);
  for (const PlannedZam& zam : planned) {
    // Unique across restarts too: the time, then a counter for the ones
    // built in the same microsecond.
    const std::string control_id = fmt::format(
        "{}-{}-{}.{}", store::FormatMessageId(message.id()),
        adapters::hl7v2::ZamEventName(zam.answer.event),
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count(),
        ++sequence_ % 1000);
    absl::StatusOr<std::string> built = BuildZam(original, zam.answer, control_id, now);
    if (!built.ok()) {
      spdlog::error("business acks: id={} route={}: {}", store::FormatMessageId(message.id()),
                    zam.route, std::string(built.status().message()));
      continue;
    }
    store::FollowUpDelivery& follow_up = follow_ups.emplace_back();
    follow_up.destination = target->second;
    follow_up.route = zam.route;
    follow_up.output.set_payload(std::move(*built));
    follow_up.output.set_content_type("application/hl7-v2");
  }
  return follow_ups;
}

}  // namespace navette::engine
