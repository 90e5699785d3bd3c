#include "adapters/mssante/transport/smtp_client.h"

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "adapters/mssante/transport/mail_connection.h"
#include "adapters/mssante/transport/smtp_wire.h"

namespace navette::adapters::mssante::transport {
namespace {

using Fate = RecipientResult::Fate;

constexpr size_t kMaxReplyLines = 100;

struct Reply {
  int code = 0;
  std::string text;  // ShortReply
};

MailEndpoint SubmissionEndpoint(const SmtpServer& server) {
  MailEndpoint endpoint;
  endpoint.protocol = MailEndpoint::Protocol::kSmtp;
  endpoint.host = server.host;
  endpoint.port = server.port;
  endpoint.tls = server.tls;
  endpoint.sasl = server.sasl;
  endpoint.username = server.username;
  endpoint.password_env = server.password_env;
  endpoint.helo_domain = server.helo_domain;
  return endpoint;
}

// One reply, all its lines; a line that is not a reply line, or a code that
// changes within the reply, ends the session (the server and navette no
// longer agree on what is answered).
absl::StatusOr<Reply> ReadReply(MailConnection& connection) {
  std::vector<std::string> texts;
  int code = 0;
  for (size_t lines = 0; lines < kMaxReplyLines; ++lines) {
    absl::StatusOr<std::string> line = connection.ReadLine();
    if (!line.ok()) return line.status();
    const std::optional<ReplyLine> parsed = ParseReplyLine(*line);
    if (!parsed.has_value() || (code != 0 && parsed->code != code)) {
      connection.Close();
      return absl::UnavailableError(
          absl::StrCat(connection.peer(), " answered with a line that is not an SMTP reply"));
    }
    code = parsed->code;
    texts.emplace_back(parsed->text);
    if (parsed->last) return Reply{code, ShortReply(code, texts)};
  }
  connection.Close();
  return absl::UnavailableError(
      absl::StrCat(connection.peer(), " sent a reply of more than ", kMaxReplyLines, " lines"));
}

absl::StatusOr<Reply> Command(MailConnection& connection, const std::string& command) {
  if (absl::Status sent = connection.Send(command); !sent.ok()) return sent;
  return ReadReply(connection);
}

}  // namespace

RecipientResult::Fate FateOf(int reply_code) {
  if (reply_code >= 200 && reply_code < 300) return Fate::kAccepted;
  if (reply_code >= 500 && reply_code < 600) return Fate::kPermanent;
  return Fate::kTransient;  // 4xx, no reply, or a code out of place
}

struct SmtpClient::Transaction {
  std::string from;
  std::string_view message;
  bool notify = false;
  SubmitResult result;
  std::vector<size_t> sendable;  // indexes into result.recipients, in order
};

SmtpClient::SmtpClient(SmtpServer server)
    : server_(std::move(server)),
      connection_(std::make_unique<MailConnection>(SubmissionEndpoint(server_))) {}

SmtpClient::~SmtpClient() {
  std::lock_guard lock(mutex_);
  connection_->Close("QUIT\r\n");
}

int SmtpClient::connections_opened() const {
  std::lock_guard lock(mutex_);
  return connections_opened_;
}

void SmtpClient::FailSession(Transaction& transaction, const std::string& error, int code) {
  transaction.result.session_error = error;
  for (size_t index : transaction.sendable) {
    RecipientResult& recipient = transaction.result.recipients[index];
    recipient.fate = Fate::kTransient;
    recipient.reply_code = code;
    recipient.reply = error;
  }
}

SubmitResult SmtpClient::Submit(std::string_view envelope_from,
                                std::span<const std::string> recipients, std::string_view message,
                                bool notify) {
  Transaction transaction;
  transaction.from = std::string(envelope_from);
  transaction.message = message;
  transaction.notify = notify;
  for (size_t i = 0; i < recipients.size(); ++i) {
    RecipientResult recipient{recipients[i], Fate::kTransient, 0, ""};
    if (IsEnvelopeAddress(recipients[i])) {
      transaction.sendable.push_back(i);
    } else {
      recipient.fate = Fate::kPermanent;
      recipient.reply =
          "not sent: the address holds a character SMTP cannot carry (a control character, a "
          "space or an angle bracket)";
    }
    transaction.result.recipients.push_back(std::move(recipient));
  }
  if (transaction.sendable.empty()) return std::move(transaction.result);
  if (!IsEnvelopeAddress(envelope_from)) {
    FailSession(transaction, "the envelope sender is not a mail address", 0);
    return std::move(transaction.result);
  }

  std::lock_guard lock(mutex_);
  // A kept connection the server closed, or announced closing (its idle
  // timeout's 421), is replaced before it is used.
  if (connection_->is_open() && connection_->HasUnsolicitedInput()) connection_->Close();
  for (bool may_retry = connection_->is_open();; may_retry = false) {
    if (!connection_->is_open()) {
      ++connections_opened_;
      if (absl::Status opened = connection_->Open(); !opened.ok()) {
        FailSession(transaction, std::string(opened.message()), connection_->opening_reply_code());
        return std::move(transaction.result);
      }
    }
    if (Transact(transaction, may_retry) == End::kDone) return std::move(transaction.result);
  }
}

// Runs MAIL, RCPT…, DATA on the open connection. kRetry: the kept connection
// failed at MAIL FROM (lost, or 421), nothing was recorded, it is closed.
SmtpClient::End SmtpClient::Transact(Transaction& transaction, bool may_retry) {
  MailConnection& connection = *connection_;
  std::vector<RecipientResult>& recipients = transaction.result.recipients;
  auto settle = [&recipients](std::span<const size_t> indexes, Fate fate, int code,
                              const std::string& reply) {
    for (size_t index : indexes) recipients[index] = {recipients[index].address, fate, code, reply};
  };
  // After a refusal the connection stays usable once RSET is answered; a
  // 421 means the server is closing it.
  auto abandon = [&connection](int code) {
    if (code == 421) {
      connection.Close();
      return;
    }
    absl::StatusOr<Reply> rset = Command(connection, "RSET\r\n");
    if (rset.ok() && rset->code / 100 != 2) connection.Close("QUIT\r\n");
  };

  absl::StatusOr<Reply> mail = Command(connection, "MAIL FROM:<" + transaction.from + ">\r\n");
  if (may_retry && (!mail.ok() || mail->code == 421)) {
    connection.Close();
    return End::kRetry;
  }
  if (!mail.ok()) {
    FailSession(transaction, std::string(mail.status().message()), 0);
    return End::kDone;
  }
  if (mail->code / 100 != 2) {
    FailSession(transaction,
                absl::StrCat(connection.peer(), " refused the envelope sender: ", mail->text),
                mail->code);
    abandon(mail->code);
    return End::kDone;
  }

  const std::span<const size_t> sendable(transaction.sendable);
  std::vector<size_t> accepted;  // by RCPT, waiting for DATA's answer
  for (size_t position = 0; position < sendable.size(); ++position) {
    RecipientResult& recipient = recipients[sendable[position]];
    std::string command = "RCPT TO:<" + recipient.address + ">";
    if (transaction.notify) command += " NOTIFY=SUCCESS,FAILURE";
    absl::StatusOr<Reply> rcpt = Command(connection, command + "\r\n");
    // Lost, or closing (421): this recipient and the next ones get no
    // answer, and no DATA follows for those already accepted.
    if (!rcpt.ok() || rcpt->code == 421) {
      const int code = rcpt.ok() ? rcpt->code : 0;
      const std::string why = rcpt.ok() ? rcpt->text : std::string(rcpt.status().message());
      settle(accepted, Fate::kTransient, code, why);
      settle(sendable.subspan(position), Fate::kTransient, code, why);
      connection.Close();
      return End::kDone;
    }
    recipient.reply_code = rcpt->code;
    recipient.reply = rcpt->text;
    recipient.fate = FateOf(rcpt->code);
    if (recipient.fate == Fate::kAccepted) accepted.push_back(sendable[position]);
  }
  if (accepted.empty()) {
    abandon(0);
    return End::kDone;
  }

  absl::StatusOr<Reply> data = Command(connection, "DATA\r\n");
  if (!data.ok()) {
    settle(accepted, Fate::kTransient, 0, std::string(data.status().message()));
    return End::kDone;
  }
  if (data->code != 354) {  // e.g. 554 no valid recipients, 452 out of storage
    settle(accepted, FateOf(data->code), data->code, data->text);
    abandon(data->code);
    return End::kDone;
  }
  if (absl::Status sent = connection.Send(DataPayload(transaction.message)); !sent.ok()) {
    settle(accepted, Fate::kTransient, 0, std::string(sent.message()));
    return End::kDone;
  }
  absl::StatusOr<Reply> final_reply = ReadReply(connection);
  if (!final_reply.ok()) {
    settle(accepted, Fate::kTransient, 0,
           absl::StrCat(final_reply.status().message(),
                        " (after the message was sent: it may have been delivered)"));
    return End::kDone;
  }
  // 250: delivered to the operator for every accepted recipient; 552 (too
  // big), 554 (refused content): for all of them as well.
  settle(accepted, FateOf(final_reply->code), final_reply->code, final_reply->text);
  if (final_reply->code == 421) connection.Close();
  return End::kDone;
}

}  // namespace navette::adapters::mssante::transport
