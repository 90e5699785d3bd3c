#include "adapters/mssante/mss_destination.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "absl/strings/str_join.h"

namespace navette::adapters::mssante {
namespace {

using Fate = navette::document::MssSubmissionReceipt::Recipient::Fate;
using RecipientRecord = navette::document::MssSubmissionReceipt::Recipient;

google::protobuf::Any Pack(const google::protobuf::Message& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

Fate FateOf(transport::RecipientResult::Fate fate) {
  switch (fate) {
    case transport::RecipientResult::Fate::kAccepted:
      return RecipientRecord::ACCEPTED;
    case transport::RecipientResult::Fate::kPermanent:
      return RecipientRecord::REFUSED;
    case transport::RecipientResult::Fate::kTransient:
      break;
  }
  return RecipientRecord::PENDING;
}

std::string_view FateWord(Fate fate) {
  switch (fate) {
    case RecipientRecord::ACCEPTED:
      return "accepted";
    case RecipientRecord::REFUSED:
      return "refused";
    default:
      return "not accepted yet";
  }
}

// What the history says of a recipient: the patient's address is their INS.
std::string Who(const RecipientRecord& recipient) {
  return recipient.patient() ? kPatientAddressText : recipient.address();
}

RecipientRecord* Find(navette::document::MssSubmissionReceipt& receipt, std::string_view address) {
  for (RecipientRecord& recipient : *receipt.mutable_recipients()) {
    if (recipient.address() == address) return &recipient;
  }
  return nullptr;
}

// A first attempt that finds this destination's own receipt is a replay
// (a retry counts its attempts): an analyst sending again what failed —
// the refused recipients, the accepted ones keep their mail — or, after a
// delivery, the whole mail again.
void ForReplay(navette::document::MssSubmissionReceipt& receipt) {
  bool settled = true;
  for (RecipientRecord& recipient : *receipt.mutable_recipients()) {
    if (recipient.fate() == RecipientRecord::REFUSED) {
      recipient.set_fate(RecipientRecord::PENDING);
      settled = false;
    } else if (recipient.fate() != RecipientRecord::ACCEPTED) {
      settled = false;
    }
  }
  if (settled) receipt.clear_recipients();
}

DeliveryResult RefuseBeforeSending(std::string detail) {
  return DeliveryResult::Permanent(std::move(detail));
}

}  // namespace

MssDestination::MssDestination(std::string name, MssSettings settings, const Clock* clock)
    : name_(std::move(name)), settings_(std::move(settings)), clock_(*clock) {}

std::unique_ptr<transport::SmtpClient> MssDestination::TakeClient() {
  {
    std::lock_guard lock(clients_mu_);
    if (!clients_.empty()) {
      std::unique_ptr<transport::SmtpClient> client = std::move(clients_.back());
      clients_.pop_back();
      return client;
    }
  }
  return std::make_unique<transport::SmtpClient>(settings_.smtp);
}

void MssDestination::ReturnClient(std::unique_ptr<transport::SmtpClient> client) {
  std::lock_guard lock(clients_mu_);
  clients_.push_back(std::move(client));
}

MssDestination::SubmissionReceipt MssDestination::EarlierReceipt(
    const DeliveryRequest& request) const {
  SubmissionReceipt receipt;
  for (const navette::store::DeliveryReceipt& kept : request.receipts) {
    if (kept.destination() == name_ && kept.route() == request.route) {
      kept.body().UnpackTo(&receipt);
    }
  }
  return receipt;
}

void MssDestination::Send(const OutgoingMail& mail, bool notify, SubmissionReceipt& receipt) {
  std::vector<std::string> addresses;
  for (const MailRecipient& recipient : mail.recipients) addresses.push_back(recipient.address);
  std::unique_ptr<transport::SmtpClient> client = TakeClient();
  const transport::SubmitResult result =
      client->Submit(settings_.mailbox, addresses, mail.bytes, notify);
  ReturnClient(std::move(client));
  for (size_t i = 0; i < mail.recipients.size(); ++i) {
    const MailRecipient& recipient = mail.recipients[i];
    RecipientRecord* record = Find(receipt, recipient.address);
    if (record == nullptr) {
      record = receipt.add_recipients();
      record->set_address(recipient.address);
      record->set_id(recipient.id);
      record->set_patient(recipient.patient);
    }
    record->set_message_id(mail.message_id);
    if (i < result.recipients.size()) {
      const transport::RecipientResult& fate = result.recipients[i];
      record->set_fate(FateOf(fate.fate));
      record->set_reply_code(fate.reply_code);
      record->set_reply(fate.reply.empty() ? result.session_error : fate.reply);
    } else {
      record->set_fate(RecipientRecord::PENDING);
      record->set_reply_code(0);
      record->set_reply(result.session_error);
    }
  }
}

DeliveryResult MssDestination::Conclude(SubmissionReceipt receipt) const {
  int accepted = 0, refused = 0, pending = 0;
  std::vector<std::string> fates;
  for (const RecipientRecord& recipient : receipt.recipients()) {
    switch (recipient.fate()) {
      case RecipientRecord::ACCEPTED:
        ++accepted;
        break;
      case RecipientRecord::REFUSED:
        ++refused;
        break;
      default:
        ++pending;
    }
    fates.push_back(fmt::format("{}: {}{}", Who(recipient), FateWord(recipient.fate()),
                                recipient.reply().empty() ? "" : " (" + recipient.reply() + ")"));
  }
  const std::string counts =
      fmt::format("{} accepted, {} refused, {} not accepted yet", accepted, refused, pending);
  // The history keeps each recipient's fate; the log only the counts (the
  // server's replies quote addresses, the patient's is their INS).
  const std::string detail = fmt::format("{}: {}", counts, absl::StrJoin(fates, "; "));
  DeliveryResult result = pending > 0   ? DeliveryResult::Transient(detail)
                          : refused > 0 ? DeliveryResult::Permanent(detail)
                                        : DeliveryResult::Delivered(detail);
  result.receipt = Pack(receipt);
  result.partial_receipt = result.outcome != DeliveryResult::Outcome::kDelivered;
  result.log_detail = counts;
  return result;
}

DeliveryResult MssDestination::Deliver(const DeliveryRequest& request) {
  const navette::Envelope& envelope = request.message->envelope();
  if (!envelope.has_document()) {
    return RefuseBeforeSending(
        "the mssante destination takes documents: the message's source has no profile");
  }
  const navette::document::Document& record = envelope.document();
  if (record.action() == navette::document::DELETE) {
    return RefuseBeforeSending(
        "a deletion (ORU CA/D, MDM^T04) is not sent by MSSanté: the mail already delivered "
        "cannot be recalled; route deletions to the DMP only");
  }
  PlanOrRefusal planned =
      PlanRecipients(record, request.identity, settings_.patient_domain, settings_.allow_test_ins);
  if (planned.refusal) {
    return RefuseBeforeSending(
        fmt::format("refused ({}): {}", planned.refusal->rule, planned.refusal->reason));
  }
  const RecipientPlan& plan = *planned.plan;
  SubmissionReceipt receipt = EarlierReceipt(request);
  if (request.attempt == 0) ForReplay(receipt);
  // Only the recipients no earlier attempt settled.
  auto still_pending = [&](const MailRecipient& recipient) {
    const RecipientRecord* earlier = Find(receipt, recipient.address);
    return earlier == nullptr || earlier->fate() == RecipientRecord::PENDING ||
           earlier->fate() == RecipientRecord::FATE_UNSPECIFIED;
  };
  std::vector<MailRecipient> professionals;
  std::copy_if(plan.professionals.begin(), plan.professionals.end(),
               std::back_inserter(professionals), still_pending);
  std::vector<MailRecipient> patient;
  if (plan.patient && still_pending(*plan.patient)) patient.push_back(*plan.patient);

  // Nothing left to send (every recipient settled earlier): the outcome as
  // it stands.
  if (professionals.empty() && patient.empty()) return Conclude(std::move(receipt));

  MailInput input{&record,    envelope.raw(),
                  &settings_, request.message_id,
                  name_,      absl::FromUnixMicros(clock_.NowMicros())};
  const absl::StatusOr<MailContent> content = ReadMailContent(input);
  if (!content.ok()) {
    return RefuseBeforeSending(
        fmt::format("the mail cannot be built: {}", std::string(content.status().message())));
  }
  std::vector<OutgoingMail> mails;
  for (auto [audience, recipients] : {std::pair{Audience::kProfessionals, &professionals},
                                      std::pair{Audience::kPatient, &patient}}) {
    if (recipients->empty()) continue;
    auto mail = BuildMail(input, *content, audience, *recipients, plan.patient_no_reply);
    if (!mail.ok()) {
      return RefuseBeforeSending(
          fmt::format("the mail cannot be built: {}", std::string(mail.status().message())));
    }
    if (mail->bytes.size() > settings_.max_message_bytes) {
      return RefuseBeforeSending(
          fmt::format("the mail is {} bytes, over this destination's limit of {} bytes "
                      "(max_message_bytes): nothing sent",
                      mail->bytes.size(), settings_.max_message_bytes));
    }
    mails.push_back(std::move(*mail));
  }
  for (const OutgoingMail& mail : mails) Send(mail, record.flags().ack_reception(), receipt);
  return Conclude(std::move(receipt));
}

}  // namespace navette::adapters::mssante
