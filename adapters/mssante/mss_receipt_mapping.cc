#include "adapters/mssante/mss_receipt_mapping.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "absl/strings/str_join.h"
#include "adapters/mssante/mss_mail.h"
#include "adapters/mssante/mss_recipients.h"
#include "proto/document.pb.h"

namespace navette::adapters::mssante {
namespace {

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// RFC 3464 actions after which nothing more will be said of the recipient.
bool Final(std::string_view action) {
  return action == "delivered" || action == "failed" || action == "relayed" || action == "expanded";
}

}  // namespace

std::string PrintableAddress(std::string_view address) {
  const size_t at = address.find('@');
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = at == std::string_view::npos ? "" : address.substr(at + 1);
  if (domain.starts_with("patient.") || (IsDigits(local) && local.size() >= 13)) {
    return kPatientAddressText;
  }
  return std::string(address);
}

std::string SmtpErrorCode(const mime::DeliveryStatus& status) {
  std::string_view diagnostic = status.diagnostic;
  const size_t semicolon = diagnostic.find(';');
  if (semicolon != std::string_view::npos) diagnostic.remove_prefix(semicolon + 1);
  while (!diagnostic.empty() && diagnostic.front() == ' ') diagnostic.remove_prefix(1);
  if (diagnostic.size() >= 3 && IsDigits(diagnostic.substr(0, 3)) &&
      (diagnostic[0] == '4' || diagnostic[0] == '5')) {
    return std::string(diagnostic.substr(0, 3));
  }
  return status.status.starts_with("4") ? "450" : "550";
}

std::optional<LateReceipt> LateReceiptOf(const mime::ParsedMail& mail) {
  if (mail.kind == mime::ParsedMail::Kind::kOther) return std::nullopt;
  std::optional<MailOrigin> origin = ParseMailMessageId(mail.original_message_id);
  if (!origin) return std::nullopt;
  LateReceipt late;
  late.message_id = origin->message_id;
  late.destination = origin->destination;
  late.mail_message_id = mail.original_message_id;
  if (mail.kind == mime::ParsedMail::Kind::kDeliveryStatus) {
    navette::document::MssDeliveryReceipt receipt;
    receipt.set_message_id(mail.original_message_id);
    std::vector<std::string> fates;
    for (const mime::DeliveryStatus& status : mail.statuses) {
      const std::string& address =
          status.original_recipient.empty() ? status.final_recipient : status.original_recipient;
      fates.push_back(
          fmt::format("{}: {} ({})", PrintableAddress(address), status.action, status.status));
      if (!Final(status.action)) continue;  // delayed: a later DSN will tell
      auto* recipient = receipt.add_recipients();
      recipient->set_address(address);
      recipient->set_delivered(status.action != "failed");
      if (!recipient->delivered()) {
        recipient->set_error_code(SmtpErrorCode(status));
        recipient->set_error_label(status.diagnostic.empty() ? status.status : status.diagnostic);
      }
    }
    late.receipt.PackFrom(receipt);
    late.detail = fmt::format("delivery status notification: {}", absl::StrJoin(fates, "; "));
    return late;
  }
  navette::document::MssReadReceipt receipt;
  receipt.set_message_id(mail.original_message_id);
  const std::string& address =
      mail.original_recipient.empty() ? mail.final_recipient : mail.original_recipient;
  receipt.set_address(address);
  receipt.set_read(mail.disposition_processed && mail.error_code.empty());
  receipt.set_error_code(mail.error_code);
  receipt.set_error_label(mail.error_label);
  late.receipt.PackFrom(receipt);
  late.detail = fmt::format("disposition notification from {}: {}", PrintableAddress(address),
                            mail.disposition);
  return late;
}

}  // namespace navette::adapters::mssante
