// IMAP access to the applicative mailbox, for the receipts (DSN, MDN) that
// come back to it (fr-specs §4.4): mutual TLS and login by libcurl
// (mail_connection.h), then navette's own commands on the selected mailbox:
//
//   operation                  command                               answer used
//   -------------------------  ------------------------------------  ------------------------------
//   (on connecting)            SELECT "INBOX"                        * OK [UIDVALIDITY n],
//                                                                    * OK [PERMANENTFLAGS (…)]
//   UidValidity                SELECT again (the value of now)       * OK [UIDVALIDITY n]
//   SearchWithoutKeyword(kw)   UID SEARCH UNKEYWORD kw               * SEARCH 3 7 9
//   Fetch(uid)                 UID FETCH uid BODY.PEEK[]             * n FETCH (UID uid BODY[]
//   {N}…) AddKeyword(uid, kw)        UID STORE uid +FLAGS (kw)             the tagged OK
//
// BODY.PEEK[] leaves \Seen alone, so that a person reading the mailbox still
// sees the receipts as new; Fetch returns the literal's exact bytes. Nothing
// is ever deleted or expunged.
//
// Errors name the operation, the server and its reply, never message
// content:
//   - InvalidArgument: settings (CheckMailEndpoint's, a mailbox name that is
//     not ASCII), a keyword that is not an atom (IsKeyword), UID 0;
//   - Unavailable: the connection (opening failures as mail_connection.h
//     says, a lost connection, a timeout);
//   - FailedPrecondition: the server answered NO (SELECT of a mailbox that
//     does not exist, …) or the mailbox does not accept new keywords;
//   - NotFound: Fetch of a UID the mailbox does not hold (AddKeyword of one
//     is OK: the server has nothing to mark);
//   - DataLoss: an answer navette cannot read (a SEARCH that is not UIDs, a
//     BAD).
//
// Connections: kept open between calls; a kept connection that fails (the
// server's idle logout) is replaced and the command sent again, once — every
// operation here may be repeated without harm. Calls are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/mssante/transport/mail_tls.h"

namespace navette::adapters::mssante::transport {

class MailConnection;
struct ImapResponse;

struct ImapServer {
  std::string host;
  int port = 143;
  MailTls tls;
  std::string username;
  std::string password_env = {};
  std::string sasl = {};  // "", "EXTERNAL", "PLAIN"
  std::string mailbox = "INBOX";
};

class ImapClient {
 public:
  explicit ImapClient(ImapServer server);
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;

  // Of the mailbox (SELECT response).
  absl::StatusOr<uint32_t> UidValidity();
  // UID SEARCH UNKEYWORD <kw>, ascending.
  absl::StatusOr<std::vector<uint32_t>> SearchWithoutKeyword(std::string_view keyword);
  // The raw message (BODY.PEEK[] so \Seen is not set), exact bytes.
  absl::StatusOr<std::string> Fetch(uint32_t uid);
  // UID STORE uid +FLAGS (<kw>), never deletes or expunges.
  absl::Status AddKeyword(uint32_t uid, std::string_view keyword);

  // Connections opened so far: 1 after several calls means it was reused.
  int connections_opened() const;

  // The largest message Fetch accepts.
  static constexpr uint64_t kMaxMessageBytes = 256ull << 20;

 private:
  // Runs `command` on the selected mailbox and returns its untagged
  // responses; `operation` names it in errors.
  absl::StatusOr<std::vector<ImapResponse>> Run(std::string_view operation,
                                                const std::string& command);
  absl::StatusOr<std::vector<ImapResponse>> Exchange(std::string_view operation,
                                                     const std::string& command);
  absl::Status OpenAndSelect();
  absl::Status Select();

  const ImapServer server_;
  mutable std::mutex mutex_;
  // Guarded by mutex_.
  std::unique_ptr<MailConnection> connection_;
  int connections_opened_ = 0;
  uint64_t next_tag_ = 1;
  uint32_t uid_validity_ = 0;                 // of the last SELECT
  std::vector<std::string> permanent_flags_;  // of the last SELECT
  bool permanent_flags_known_ = false;
};

}  // namespace navette::adapters::mssante::transport
