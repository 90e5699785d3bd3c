#include "adapters/mssante/transport/imap_client.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/mssante/transport/imap_wire.h"
#include "adapters/mssante/transport/mail_connection.h"

namespace navette::adapters::mssante::transport {
namespace {

// A response longer than this many lines of untagged data is not one navette
// asked for (a SEARCH is one line, a FETCH one response).
constexpr size_t kMaxResponses = 1'000'000;

MailEndpoint AccessEndpoint(const ImapServer& server) {
  MailEndpoint endpoint;
  endpoint.protocol = MailEndpoint::Protocol::kImap;
  endpoint.host = server.host;
  endpoint.port = server.port;
  endpoint.tls = server.tls;
  endpoint.sasl = server.sasl;
  endpoint.username = server.username;
  endpoint.password_env = server.password_env;
  return endpoint;
}

absl::Status Named(std::string_view operation, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat("IMAP ", std::string(operation), ": ", status.message()));
}

}  // namespace

ImapClient::ImapClient(ImapServer server)
    : server_(std::move(server)),
      connection_(std::make_unique<MailConnection>(AccessEndpoint(server_))) {}

ImapClient::~ImapClient() {
  std::lock_guard lock(mutex_);
  connection_->Close(absl::StrCat("N", next_tag_, " LOGOUT\r\n"));
}

int ImapClient::connections_opened() const {
  std::lock_guard lock(mutex_);
  return connections_opened_;
}

absl::StatusOr<std::vector<ImapResponse>> ImapClient::Exchange(std::string_view operation,
                                                               const std::string& command) {
  MailConnection& connection = *connection_;
  const std::string tag = absl::StrCat("N", next_tag_++);
  if (absl::Status sent = connection.Send(absl::StrCat(tag, " ", command, "\r\n")); !sent.ok()) {
    return Named(operation, sent);
  }
  std::vector<ImapResponse> responses;
  while (responses.size() < kMaxResponses) {
    absl::StatusOr<std::string> line = connection.ReadLine();
    if (!line.ok()) return Named(operation, line.status());
    ImapResponse response{*std::move(line)};
    for (std::optional<uint64_t> size = LiteralSize(response.text); size.has_value();) {
      if (*size > kMaxMessageBytes) {
        connection.Close();
        return absl::ResourceExhaustedError(
            absl::StrCat("IMAP ", std::string(operation), " on ", connection.peer(), ": ", *size,
                         " bytes announced, more than the ", kMaxMessageBytes, " accepted"));
      }
      absl::StatusOr<std::string> literal = connection.ReadExactly(static_cast<size_t>(*size));
      if (!literal.ok()) return Named(operation, literal.status());
      response.literal_ends.push_back(response.text.size());
      response.literals.push_back(*std::move(literal));
      absl::StatusOr<std::string> rest = connection.ReadLine();
      if (!rest.ok()) return Named(operation, rest.status());
      response.text += *rest;
      size = LiteralSize(*rest);
    }
    if (std::optional<TaggedStatus> done = ParseTagged(response.text, tag); done.has_value()) {
      if (done->status == "OK") return responses;
      const std::string refusal =
          absl::StrCat("IMAP ", std::string(operation), " on ", connection.peer(),
                       " refused: ", done->status, " ", done->text);
      if (done->status == "NO") return absl::FailedPreconditionError(refusal);
      return absl::DataLossError(refusal);  // BAD: the server did not understand navette
    }
    if (absl::StartsWith(response.text, "+")) {
      // A continuation request: navette sends no literal, so the two sides
      // disagree on where the command stands.
      connection.Close();
      return absl::DataLossError(absl::StrCat("IMAP ", std::string(operation), " on ",
                                              connection.peer(),
                                              ": unexpected continuation request"));
    }
    responses.push_back(std::move(response));
  }
  connection.Close();
  return absl::DataLossError(absl::StrCat("IMAP ", std::string(operation), " on ",
                                          connection.peer(), ": more than ", kMaxResponses,
                                          " responses"));
}

absl::Status ImapClient::Select() {
  const std::optional<std::string> mailbox = QuotedMailbox(server_.mailbox);
  absl::StatusOr<std::vector<ImapResponse>> responses =
      Exchange("SELECT", absl::StrCat("SELECT ", *mailbox));
  if (!responses.ok()) return responses.status();
  std::optional<uint32_t> uid_validity;
  permanent_flags_known_ = false;
  for (const ImapResponse& response : *responses) {
    if (std::optional<uint32_t> value = ResponseCodeNumber(response.text, "UIDVALIDITY")) {
      uid_validity = value;
    }
    if (std::optional<std::vector<std::string>> flags = PermanentFlags(response.text)) {
      permanent_flags_ = *std::move(flags);
      permanent_flags_known_ = true;
    }
  }
  if (!uid_validity.has_value()) {
    return absl::DataLossError(
        absl::StrCat("IMAP SELECT on ", connection_->peer(), ": the answer holds no UIDVALIDITY"));
  }
  uid_validity_ = *uid_validity;
  return absl::OkStatus();
}

absl::Status ImapClient::OpenAndSelect() {
  ++connections_opened_;
  if (absl::Status opened = connection_->Open(); !opened.ok()) {
    return absl::Status(opened.code(), absl::StrCat("IMAP: ", opened.message()));
  }
  if (absl::Status selected = Select(); !selected.ok()) {
    connection_->Close(absl::StrCat("N", next_tag_++, " LOGOUT\r\n"));
    return selected;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ImapResponse>> ImapClient::Run(std::string_view operation,
                                                          const std::string& command) {
  if (!QuotedMailbox(server_.mailbox).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mailbox: '", server_.mailbox,
                     "' is not a name navette can write (ASCII printable characters only)"));
  }
  const bool reused = connection_->is_open();
  if (!reused) {
    if (absl::Status opened = OpenAndSelect(); !opened.ok()) return opened;
  }
  absl::StatusOr<std::vector<ImapResponse>> responses = Exchange(operation, command);
  // A kept connection the server dropped (its idle logout): once more on a
  // new one. A NO or BAD leaves the connection open and is the answer.
  if (!responses.ok() && reused && !connection_->is_open()) {
    if (absl::Status opened = OpenAndSelect(); !opened.ok()) return opened;
    responses = Exchange(operation, command);
  }
  return responses;
}

absl::StatusOr<uint32_t> ImapClient::UidValidity() {
  std::lock_guard lock(mutex_);
  // A fresh connection has just selected; a kept one selects again, for the
  // value of now (it changes when the mailbox is recreated).
  const std::optional<std::string> mailbox = QuotedMailbox(server_.mailbox);
  absl::StatusOr<std::vector<ImapResponse>> responses =
      Run("SELECT", absl::StrCat("SELECT ", mailbox.value_or("")));
  if (!responses.ok()) return responses.status();
  for (const ImapResponse& response : *responses) {
    if (std::optional<uint32_t> value = ResponseCodeNumber(response.text, "UIDVALIDITY")) {
      uid_validity_ = *value;
      return uid_validity_;
    }
  }
  return absl::DataLossError(
      absl::StrCat("IMAP SELECT on ", connection_->peer(), ": the answer holds no UIDVALIDITY"));
}

absl::StatusOr<std::vector<uint32_t>> ImapClient::SearchWithoutKeyword(std::string_view keyword) {
  if (!IsKeyword(keyword)) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMAP UID SEARCH: '", std::string(keyword), "' is not a keyword (an atom)"));
  }
  std::lock_guard lock(mutex_);
  const std::string command = absl::StrCat("UID SEARCH UNKEYWORD ", std::string(keyword));
  absl::StatusOr<std::vector<ImapResponse>> responses = Run("UID SEARCH", command);
  if (!responses.ok()) return responses.status();
  std::vector<uint32_t> uids;
  for (const ImapResponse& response : *responses) {
    if (absl::StatusOr<bool> search = AppendSearch(response.text, uids); !search.ok()) {
      return Named("UID SEARCH", search.status());
    }
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

absl::StatusOr<std::string> ImapClient::Fetch(uint32_t uid) {
  if (uid == 0) return absl::InvalidArgumentError("IMAP UID FETCH: UID 0 names no message");
  std::lock_guard lock(mutex_);
  const std::string operation = absl::StrCat("UID FETCH ", uid);
  absl::StatusOr<std::vector<ImapResponse>> responses =
      Run(operation, absl::StrCat(operation, " BODY.PEEK[]"));
  if (!responses.ok()) return responses.status();
  for (const ImapResponse& response : *responses) {
    if (std::optional<std::string> body = FetchedBody(response, uid)) return *std::move(body);
  }
  return absl::NotFoundError(absl::StrCat("IMAP ", operation, " on ", connection_->peer(), ": ",
                                          server_.mailbox, " holds no message with UID ", uid));
}

absl::Status ImapClient::AddKeyword(uint32_t uid, std::string_view keyword) {
  if (uid == 0) return absl::InvalidArgumentError("IMAP UID STORE: UID 0 names no message");
  if (!IsKeyword(keyword)) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMAP UID STORE: '", std::string(keyword), "' is not a keyword (an atom)"));
  }
  std::lock_guard lock(mutex_);
  const std::string operation = absl::StrCat("UID STORE ", uid);
  absl::StatusOr<std::vector<ImapResponse>> responses =
      Run(operation, absl::StrCat(operation, " +FLAGS (", std::string(keyword), ")"));
  if (!responses.ok()) return responses.status();
  // A server answers OK to a keyword it does not keep: say so rather than
  // have the receipt read again and again.
  if (permanent_flags_known_ &&
      std::find(permanent_flags_.begin(), permanent_flags_.end(), "\\*") ==
          permanent_flags_.end() &&
      std::find(permanent_flags_.begin(), permanent_flags_.end(), keyword) ==
          permanent_flags_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("IMAP ", operation, " on ", connection_->peer(), ": ", server_.mailbox,
                     " does not keep the keyword ", std::string(keyword),
                     " (PERMANENTFLAGS: ", absl::StrJoin(permanent_flags_, " "), ")"));
  }
  return absl::OkStatus();
}

}  // namespace navette::adapters::mssante::transport
