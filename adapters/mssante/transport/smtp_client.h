// SMTP submission to the MSSanté operator (fr-specs §4.2, §4.4): mutual TLS
// (mail_connection.h), then one transaction per message with an outcome for
// every recipient.
//
// Per-recipient outcomes. One transaction carries all the recipients:
//
//   MAIL FROM:<from>                    refused → session_error, all transient
//   RCPT TO:<r1>[ NOTIFY=SUCCESS,FAILURE]   each reply is r1's, r2's… outcome:
//   RCPT TO:<r2>[ …]                        2xx accepted, 4xx transient, 5xx permanent
//   DATA, the message, "."              only when some RCPT was accepted; the
//                                       final reply (or DATA's own refusal, e.g.
//                                       552 too big) becomes the outcome of the
//                                       recipients accepted by RCPT
//
// navette writes these commands itself over the connection libcurl opened
// (mail_connection.h says why: libcurl 7.88 cannot put NOTIFY on a RCPT, and
// does not say which RCPT failed), without pipelining, reading each reply
// before the next command: each reply is known to be its recipient's. One
// transaction rather than one per recipient: the message is uploaded once,
// and the recipients of one message share one Message-ID and one queue
// entry at the operator, as a mail client would send it.
//
// Failures:
//   - before any RCPT (connection refused, TLS handshake or certificate
//     refused, 421 greeting, AUTH refused, MAIL FROM refused): session_error
//     says what, and every recipient is kTransient (§4.4: a session that
//     fails before DATA is retried), whatever the code; reply_code is the
//     server's code when it answered (421, 535, 550 to MAIL FROM), 0 when it
//     did not (connection, TLS);
//   - the connection lost later: the recipients without a final answer are
//     kTransient with reply_code 0 — including those whose message may have
//     been delivered when the connection dropped after the final "." (a
//     retry may then deliver twice, never zero times);
//   - an address that cannot be written in a command (IsEnvelopeAddress):
//     kPermanent with reply_code 0, never sent; an invalid envelope_from is
//     a session_error.
//
// Connections: the client keeps its connection open between calls. Before a
// transaction on a kept connection it checks that the server has not closed
// it or announced its idle timeout (421); when the kept connection fails at
// MAIL FROM it opens a new one and starts again, once. Nothing is logged:
// replies may hold addresses and stay in the result.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mssante/transport/mail_tls.h"

namespace navette::adapters::mssante::transport {

class MailConnection;

struct SmtpServer {
  std::string host;
  int port = 587;
  MailTls tls;
  std::string sasl = {};  // "", "EXTERNAL", "PLAIN"
  std::string username = {};
  std::string password_env = {};
  std::string helo_domain = {};
};

struct RecipientResult {
  std::string address;
  enum class Fate { kAccepted, kTransient, kPermanent } fate;
  int reply_code = 0;  // SMTP reply code (250, 450, 550, ...) ; 0 for a connection/TLS failure
  std::string reply;   // the server's reply text in short, e.g. "550 5.1.1 <x>: Recipient address
                       // rejected: User unknown"
};

struct SubmitResult {
  std::vector<RecipientResult> recipients;  // one per recipient, input order
  // Set when the session failed before any RCPT (connection refused, TLS
  // handshake/cert refused, 421 greeting, AUTH refused, MAIL FROM refused):
  // all recipients then transient.
  std::string session_error;
};

class SmtpClient {  // one per concurrent caller; reuses its connection across calls
 public:
  explicit SmtpClient(SmtpServer server);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Submits `message` (RFC 5322 bytes, CRLF) from `envelope_from` to each
  // recipient. When `notify` is true each RCPT carries NOTIFY=SUCCESS,FAILURE
  // (RFC 3461 DSN). Calls are serialised (one connection).
  SubmitResult Submit(std::string_view envelope_from, std::span<const std::string> recipients,
                      std::string_view message, bool notify);

  // Connections opened so far: 1 after several calls means it was reused.
  int connections_opened() const;

 private:
  struct Transaction;
  enum class End { kDone, kRetry };

  End Transact(Transaction& transaction, bool may_retry);
  void FailSession(Transaction& transaction, const std::string& error, int code);

  const SmtpServer server_;
  mutable std::mutex mutex_;
  // Guarded by mutex_: the connection belongs to the Submit in progress.
  std::unique_ptr<MailConnection> connection_;
  int connections_opened_ = 0;
};

// How a reply code is classified: 2xx accepted, 4xx transient, 5xx
// permanent; 0 (no reply: connection, TLS) transient.
RecipientResult::Fate FateOf(int reply_code);

}  // namespace navette::adapters::mssante::transport
