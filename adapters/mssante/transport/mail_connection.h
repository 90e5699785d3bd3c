// One connection to a mail server, opened by libcurl and then spoken over
// by navette.
//
// Why not libcurl's own SMTP and IMAP transfers (libcurl 7.88, Debian 12):
//   - SMTP: a CURLOPT_MAIL_RCPT entry cannot carry RFC 3461's NOTIFY
//     parameter. smtp_parse_address strips a leading '<' and a trailing '>'
//     and always sends "RCPT TO:<%s@%s>", so "<a@b> NOTIFY=SUCCESS,FAILURE"
//     goes out as "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE>", which servers
//     refuse (501 5.5.4; curl issue #8232, observed against 7.88.1). And a
//     refused RCPT either aborts the whole transaction or, with
//     CURLOPT_MAIL_RCPT_ALLLOWFAILS, is not reported per recipient.
//   - IMAP: a URL ";UID=n" fetch sends "UID FETCH n BODY[]", which sets
//     \Seen; a custom "UID FETCH n BODY.PEEK[]" request is read by the
//     line-oriented response reader (pingpong.c), which passes the literal on
//     as header lines, clips over-long ones and would take a message line
//     starting with its tag for the end: the bytes are not exact.
// So libcurl does what it does well — TCP, the TLS handshake (implicit, or
// STARTTLS required with CURLUSESSL_ALL), the server's verification, the
// client certificate, the greeting, EHLO/CAPABILITY and SASL — through
// CURLOPT_CONNECT_ONLY, which in 7.88 stops after the protocol's opening
// (multi.c: MSTATE_PROTOCONNECT, then DONE instead of DO). The commands
// after it (MAIL/RCPT/DATA, SELECT/UID …) go over curl_easy_send and
// curl_easy_recv, through the same TLS session, in smtp_client.cc and
// imap_client.cc.
//
// Opening failures, as Open's message says them (H:P the server):
//
//   what failed                               message
//   ----------------------------------------  -------------------------------------------------
//   server certificate or name not verified   "TLS handshake with H:P failed: the server
//                                              certificate was not verified: <curl>"
//   the server refused the client certificate "TLS handshake with H:P failed: the server refused
//     (in the handshake, or on the first read  the client certificate: <curl>"
//     under TLS 1.3)
//   other TLS failure                         "TLS handshake with H:P failed: <curl>"
//   STARTTLS not offered or refused           "H:P does not offer STARTTLS: <last reply>"
//   greeting not 2xx (421 …), or a 4xx/5xx    "H:P refused the session: <last reply>"
//     as the server's last word (Postfix's
//     "421 4.7.1 … Client certificate not
//     trusted" to EHLO after STARTTLS)
//   login refused, mechanism not offered      "H:P refused the login[ (AUTH M)]: <last reply>"
//   timeout                                   "no answer from H:P within N ms: <curl>"
//   connection refused, DNS                   "cannot connect to H:P: <curl>"
//
// Nothing here logs. libcurl's debug callback is on only while opening, to
// keep the server's last reply line (greeting, EHLO, AUTH answers: no
// message content) for the texts above; the client's lines, which carry the
// AUTH PLAIN credentials, are only looked at to know that a login was sent.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/mssante/transport/mail_tls.h"

namespace navette::adapters::mssante::transport {

struct MailEndpoint {
  enum class Protocol { kSmtp, kImap };
  Protocol protocol = Protocol::kSmtp;
  std::string host;
  int port = 0;
  MailTls tls;
  std::string sasl = {};  // "", "EXTERNAL" or "PLAIN" (any case)
  std::string username = {};
  std::string password_env = {};
  std::string helo_domain = {};  // SMTP: the EHLO argument ("" : libcurl's, the host name)
};

// InvalidArgument naming the setting (host, port, sasl, username,
// password_env, helo_domain, tls.*): what Open would refuse anyway.
absl::Status CheckMailEndpoint(const MailEndpoint& endpoint);

class MailConnection {
 public:
  explicit MailConnection(MailEndpoint endpoint);
  ~MailConnection();
  MailConnection(const MailConnection&) = delete;
  MailConnection& operator=(const MailConnection&) = delete;

  // Opens a new connection (closing the current one) and runs the
  // protocol's opening. Unavailable with the table's text, or the
  // CheckMailEndpoint error.
  absl::Status Open();
  bool is_open() const { return curl_ != nullptr; }
  // The last line the server sent while opening ("421 4.3.2 …",
  // "A002 NO [AUTHENTICATIONFAILED] …"), and its SMTP code (0 for IMAP or
  // when there was none).
  const std::string& opening_reply() const { return opening_reply_; }
  int opening_reply_code() const { return opening_reply_code_; }

  // Sends `goodbye` (QUIT, LOGOUT) without waiting for the answer, and
  // closes. Nothing is sent when goodbye is empty.
  void Close(std::string_view goodbye = {});

  // All of `bytes`, each call within the timeout (tls.timeout). Unavailable
  // on a timeout or a lost connection; the connection is then closed.
  absl::Status Send(std::string_view bytes);
  // One line without its line end (CRLF or LF), waiting at most the
  // timeout; Unavailable when the server closed the connection, took too
  // long or sent a line longer than max_bytes.
  absl::StatusOr<std::string> ReadLine(size_t max_bytes = 64 * 1024);
  // Exactly n bytes (an IMAP literal), within the timeout.
  absl::StatusOr<std::string> ReadExactly(size_t n);
  // True when the server said something, or closed, without being asked:
  // on an idle connection, its idle-timeout "421" or the end of the stream.
  bool HasUnsolicitedInput();

  // "host:port", for texts.
  const std::string& peer() const { return peer_; }
  const MailEndpoint& endpoint() const { return endpoint_; }

 private:
  struct EasyCleanup {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  };
  enum class Fill { kData, kAgain, kClosed, kError };

  absl::Status Configure(CURL* curl);
  absl::Status OpeningFailure(CURLcode code) const;
  Fill Receive();
  // Waits for, and reads, more bytes into buffer_; moves the deadline on
  // when some came. An error closes the connection.
  absl::Status ReceiveMore(std::chrono::steady_clock::time_point& deadline);
  bool Wait(short events, std::chrono::steady_clock::time_point deadline);
  absl::Status Lost(std::string_view what);
  static int KeepServerLines(CURL* curl, curl_infotype type, char* data, size_t size,
                             void* connection);

  const MailEndpoint endpoint_;
  const std::string peer_;
  absl::Status checked_ = absl::UnknownError("not checked yet");
  bool was_checked_ = false;

  std::unique_ptr<CURL, EasyCleanup> curl_;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
  char error_[CURL_ERROR_SIZE] = "";
  CURLcode receive_code_ = CURLE_OK;
  std::string buffer_;  // received and not yet read
  std::string opening_reply_;
  int opening_reply_code_ = 0;
  bool login_sent_ = false;
};

}  // namespace navette::adapters::mssante::transport
