#include "adapters/mssante/transport/mail_connection.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "adapters/tls/curl_tls_failures.h"

namespace navette::adapters::mssante::transport {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kSendChunk = 64 * 1024;
constexpr size_t kReceiveChunk = 16 * 1024;
constexpr size_t kMaxKeptReply = 300;  // characters of a server line kept for texts
// How long Close waits to hand over its QUIT/LOGOUT.
constexpr std::chrono::milliseconds kGoodbyeTimeout{1000};

absl::string_view Abseil(std::string_view text) { return {text.data(), text.size()}; }

absl::Status Refused(absl::string_view setting, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(setting, ": ", message));
}

// A host name or an address literal: what EHLO may carry.
bool IsHeloDomain(std::string_view domain) {
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' ||
           c == ']' || c == ':';
  });
}

bool IsHost(std::string_view host) {
  return !host.empty() && std::none_of(host.begin(), host.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@' || c == '?' || c == '#';
  });
}

std::string Url(const MailEndpoint& endpoint) {
  const bool smtp = endpoint.protocol == MailEndpoint::Protocol::kSmtp;
  std::string scheme = smtp ? "smtp" : "imap";
  if (endpoint.tls.implicit_tls) scheme += "s";
  // An IPv6 address needs its brackets in a URL.
  const bool ipv6 = absl::StrContains(endpoint.host, ':') && endpoint.host.front() != '[';
  std::string url = absl::StrCat(scheme, "://", ipv6 ? "[" : "", endpoint.host, ipv6 ? "]" : "",
                                 ":", endpoint.port, "/");
  // libcurl takes the SMTP URL's path as EHLO's argument.
  if (smtp) url += endpoint.helo_domain;
  return url;
}

std::string UpperSasl(const MailEndpoint& endpoint) { return absl::AsciiStrToUpper(endpoint.sasl); }

}  // namespace

absl::Status CheckMailEndpoint(const MailEndpoint& endpoint) {
  if (!IsHost(endpoint.host)) {
    return Refused("host", absl::StrCat("'", endpoint.host, "' is not a host name or address"));
  }
  if (endpoint.port <= 0 || endpoint.port > 65535) {
    return Refused("port", absl::StrCat(endpoint.port, " is not a TCP port"));
  }
  const std::string sasl = UpperSasl(endpoint);
  if (sasl != "" && sasl != "EXTERNAL" && sasl != "PLAIN") {
    return Refused(
        "sasl", absl::StrCat("unknown mechanism '", endpoint.sasl, "' (EXTERNAL, PLAIN, or none)"));
  }
  const bool imap = endpoint.protocol == MailEndpoint::Protocol::kImap;
  // PLAIN, and IMAP's LOGIN, need a user and a password; EXTERNAL takes
  // the identity from the certificate (a username is then an authzid).
  if (sasl == "PLAIN" || (imap && sasl.empty())) {
    if (endpoint.username.empty()) return Refused("username", "required to log in");
    if (endpoint.password_env.empty()) {
      return Refused("password_env", "required to log in (the variable holding the password)");
    }
  }
  if (absl::StatusOr<std::string> password = SecretFromEnv("password_env", endpoint.password_env);
      !password.ok()) {
    return password.status();
  }
  if (absl::StrContains(endpoint.username, '\r') || absl::StrContains(endpoint.username, '\n')) {
    return Refused("username", "holds a line break");
  }
  if (!IsHeloDomain(endpoint.helo_domain)) {
    return Refused("helo_domain", absl::StrCat("'", endpoint.helo_domain, "' is not a domain"));
  }
  return CheckMailTls(endpoint.tls);
}

MailConnection::MailConnection(MailEndpoint endpoint)
    : endpoint_(std::move(endpoint)), peer_(absl::StrCat(endpoint_.host, ":", endpoint_.port)) {}

MailConnection::~MailConnection() { Close(); }

absl::Status MailConnection::Configure(CURL* curl) {
  const bool smtp = endpoint_.protocol == MailEndpoint::Protocol::kSmtp;
  const MailTls& tls = endpoint_.tls;
  CURLcode result = CURLE_OK;
  const char* failed_option = "";
  auto set = [&](const char* name, CURLoption option, auto value) {
    if (result != CURLE_OK) return;
    result = curl_easy_setopt(curl, option, value);
    if (result != CURLE_OK) failed_option = name;
  };
  // libcurl copies string options: the temporaries below may die.
  const std::string url = Url(endpoint_);
  set("url", CURLOPT_URL, url.c_str());
  set("protocols", CURLOPT_PROTOCOLS_STR, smtp ? "smtp,smtps" : "imap,imaps");
  set("connect only", CURLOPT_CONNECT_ONLY, 1L);
  // STARTTLS is required: a server not offering it fails the opening.
  set("use ssl", CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  set("tls.connect_timeout", CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(tls.connect_timeout.count()));
  set("tls.timeout", CURLOPT_TIMEOUT_MS, static_cast<long>(tls.timeout.count()));
  // Signals (for DNS timeouts) are process-wide: not with several threads.
  set("no signal", CURLOPT_NOSIGNAL, 1L);
  set("keep-alive", CURLOPT_TCP_KEEPALIVE, 1L);
  set("error buffer", CURLOPT_ERRORBUFFER, error_);
  set("verbose", CURLOPT_VERBOSE, 1L);  // for KeepServerLines, while opening only
  set("debug function", CURLOPT_DEBUGFUNCTION, &MailConnection::KeepServerLines);
  set("debug data", CURLOPT_DEBUGDATA, static_cast<void*>(this));
  // libcurl's defaults, set anyway: verification must never depend on them.
  set("tls verify peer", CURLOPT_SSL_VERIFYPEER, 1L);
  set("tls verify host", CURLOPT_SSL_VERIFYHOST, 2L);
  set("tls version", CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  // No TLS session resumption: an OpenSSL server verifying client
  // certificates without a session-id context answers a resumption with an
  // internal-error alert (as dmp_client.cc found); a full handshake is only
  // paid when a connection is opened.
  set("tls session cache", CURLOPT_SSL_SESSIONID_CACHE, 0L);
  if (!tls.ca_file.empty()) {
    set("tls.ca_file", CURLOPT_CAINFO, tls.ca_file.c_str());
    // Only tls.ca_file (IGC-Santé): not the system's CAs as well.
    set("tls.ca_file", CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  }
  absl::StatusOr<std::string> key_password =
      SecretFromEnv("tls.client_key_password_env", tls.client_key_password_env);
  if (!key_password.ok()) return key_password.status();
  if (!tls.client_cert.empty()) {
    set("tls.client_cert", CURLOPT_SSLCERT, tls.client_cert.c_str());
    set("tls.client_cert", CURLOPT_SSLCERTTYPE, IsPkcs12(tls) ? "P12" : "PEM");
    if (!tls.client_key.empty()) {
      set("tls.client_key", CURLOPT_SSLKEY, tls.client_key.c_str());
      set("tls.client_key", CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (!key_password->empty()) {
      set("tls.client_key_password_env", CURLOPT_KEYPASSWD, key_password->c_str());
    }
  }
  const std::string sasl = UpperSasl(endpoint_);
  absl::StatusOr<std::string> password = SecretFromEnv("password_env", endpoint_.password_env);
  if (!password.ok()) return password.status();
  if (!sasl.empty()) {
    const std::string options = "AUTH=" + sasl;
    set("sasl", CURLOPT_LOGIN_OPTIONS, options.c_str());
  }
  // SMTP without a mechanism does not log in; IMAP always does (LOGIN or
  // the best mechanism the server offers).
  if (!sasl.empty() || !smtp) {
    if (!endpoint_.username.empty()) {
      set("username", CURLOPT_USERNAME, endpoint_.username.c_str());
    }
    if (sasl != "EXTERNAL") set("password_env", CURLOPT_PASSWORD, password->c_str());
  }
  if (result != CURLE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("libcurl refused option ", failed_option, ": ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

int MailConnection::KeepServerLines(CURL* /*curl*/, curl_infotype type, char* data, size_t size,
                                    void* connection) {
  auto* self = static_cast<MailConnection*>(connection);
  std::string_view line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (type == CURLINFO_HEADER_IN && !line.empty()) {
    self->opening_reply_ = std::string(line.substr(0, kMaxKeptReply));
    const bool coded = line.size() >= 3 && absl::ascii_isdigit(line[0]) &&
                       absl::ascii_isdigit(line[1]) && absl::ascii_isdigit(line[2]);
    self->opening_reply_code_ = self->endpoint_.protocol == MailEndpoint::Protocol::kSmtp && coded
                                    ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0')
                                    : 0;
  } else if (type == CURLINFO_HEADER_OUT) {
    // Only whether a login went out: the line itself may carry credentials.
    std::string_view command = line;
    if (self->endpoint_.protocol == MailEndpoint::Protocol::kImap) {
      const size_t space = command.find(' ');  // after the tag
      command = space == std::string_view::npos ? "" : command.substr(space + 1);
    }
    if (absl::StartsWithIgnoreCase(Abseil(command), "AUTH") ||
        absl::StartsWithIgnoreCase(Abseil(command), "LOGIN ")) {
      self->login_sent_ = true;
    }
  }
  return 0;
}

absl::Status MailConnection::Open() {
  // Not thread-safe in every libcurl build: once, before any handle exists.
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  Close();
  if (!was_checked_) {
    checked_ = CheckMailEndpoint(endpoint_);
    was_checked_ = true;
  }
  if (!checked_.ok()) return checked_;
  std::unique_ptr<CURL, EasyCleanup> curl(curl_easy_init());
  if (curl == nullptr) return absl::ResourceExhaustedError("cannot create a libcurl handle");
  if (absl::Status configured = Configure(curl.get()); !configured.ok()) return configured;
  error_[0] = '\0';
  opening_reply_.clear();
  opening_reply_code_ = 0;
  login_sent_ = false;
  const CURLcode code = curl_easy_perform(curl.get());
  // From here on the debug callback would see nothing of ours, but keep it
  // off anyway: nothing of a message may ever reach it.
  curl_easy_setopt(curl.get(), CURLOPT_VERBOSE, 0L);
  if (code != CURLE_OK) return OpeningFailure(code);
  const std::string sasl = UpperSasl(endpoint_);
  const bool login_expected = !sasl.empty() || endpoint_.protocol == MailEndpoint::Protocol::kImap;
  if (login_expected && !login_sent_) {
    // libcurl skips the login when the server offers no usable mechanism.
    return absl::UnavailableError(absl::StrCat(
        peer_, " refused the login", sasl.empty() ? "" : absl::StrCat(" (AUTH ", sasl, ")"),
        ": the server offers no way to log in that navette may use"));
  }
  curl_socket_t socket = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(curl.get(), CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK ||
      socket == CURL_SOCKET_BAD) {
    return absl::UnavailableError(absl::StrCat("the connection to ", peer_, " was lost"));
  }
  curl_ = std::move(curl);
  socket_ = socket;
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status MailConnection::OpeningFailure(CURLcode code) const {
  const std::string text = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
  const std::string reply = opening_reply_.empty() ? text : opening_reply_;
  std::string message;
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    message = absl::StrCat("TLS handshake with ", peer_,
                           " failed: the server certificate was not verified: ", text);
  } else if (tls::CertificateRefused(code, text) ||
             // A server that wants a certificate and gets none may also
             // just end the TLS 1.2 handshake.
             text.find("alert handshake failure") != std::string::npos) {
    message = absl::StrCat("TLS handshake with ", peer_,
                           " failed: the server refused the client certificate: ", text);
  } else if (tls::IsTlsFailure(code)) {
    message = absl::StrCat("TLS handshake with ", peer_, " failed: ", text);
  } else if (opening_reply_code_ >= 400 && code != CURLE_USE_SSL_FAILED &&
             code != CURLE_LOGIN_DENIED) {
    // The server's last word was a refusal (Postfix's "421 4.7.1 … No client
    // certificate presented" to EHLO after STARTTLS): it says more than the
    // read error libcurl meets when it carries on and finds the connection
    // closed.
    message = absl::StrCat(peer_, " refused the session: ", opening_reply_);
  } else if (code == CURLE_USE_SSL_FAILED) {
    message = absl::StrCat(peer_, " does not offer STARTTLS: ", reply);
  } else if (code == CURLE_LOGIN_DENIED) {
    const std::string sasl = UpperSasl(endpoint_);
    message = absl::StrCat(peer_, " refused the login",
                           sasl.empty() ? "" : absl::StrCat(" (AUTH ", sasl, ")"), ": ", reply);
  } else if (code == CURLE_WEIRD_SERVER_REPLY) {
    message = absl::StrCat(peer_, " refused the session: ", reply);
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    message = absl::StrCat("no answer from ", peer_, " within ", endpoint_.tls.timeout.count(),
                           " ms: ", text);
  } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
    message = absl::StrCat("cannot connect to ", peer_, ": ", text);
  } else {
    message = absl::StrCat("opening the session with ", peer_, " failed: ", text);
  }
  return absl::UnavailableError(message);
}

void MailConnection::Close(std::string_view goodbye) {
  if (curl_ != nullptr && !goodbye.empty()) {
    const auto deadline = Clock::now() + kGoodbyeTimeout;
    size_t sent = 0;
    while (sent < goodbye.size()) {
      size_t n = 0;
      const CURLcode code =
          curl_easy_send(curl_.get(), goodbye.data() + sent, goodbye.size() - sent, &n);
      if (code == CURLE_OK) {
        sent += n;
      } else if (code != CURLE_AGAIN || !Wait(POLLOUT, deadline)) {
        break;
      }
    }
  }
  curl_.reset();
  socket_ = CURL_SOCKET_BAD;
  buffer_.clear();
}

bool MailConnection::Wait(short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd descriptor{socket_, events, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(std::min<long long>(left, 60000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

absl::Status MailConnection::Lost(std::string_view what) {
  Close();
  return absl::UnavailableError(std::string(what));
}

MailConnection::Fill MailConnection::Receive() {
  char chunk[kReceiveChunk];
  size_t n = 0;
  error_[0] = '\0';
  receive_code_ = curl_easy_recv(curl_.get(), chunk, sizeof chunk, &n);
  if (receive_code_ == CURLE_AGAIN) return Fill::kAgain;
  if (receive_code_ != CURLE_OK) return Fill::kError;
  if (n == 0) return Fill::kClosed;
  buffer_.append(chunk, n);
  return Fill::kData;
}

absl::Status MailConnection::ReceiveMore(Clock::time_point& deadline) {
  for (;;) {
    switch (Receive()) {
      case Fill::kData:
        deadline = Clock::now() + endpoint_.tls.timeout;
        return absl::OkStatus();
      case Fill::kAgain:
        if (!Wait(POLLIN, deadline)) {
          return Lost(absl::StrCat("no answer from ", peer_, " within ",
                                   endpoint_.tls.timeout.count(), " ms"));
        }
        break;
      case Fill::kClosed:
        return Lost(absl::StrCat(peer_, " closed the connection"));
      case Fill::kError:
        return Lost(absl::StrCat("the connection to ", peer_, " was lost: ",
                                 error_[0] != '\0' ? error_ : curl_easy_strerror(receive_code_)));
    }
  }
}

absl::Status MailConnection::Send(std::string_view bytes) {
  if (curl_ == nullptr) return absl::UnavailableError(absl::StrCat("not connected to ", peer_));
  // The timeout bounds the server's silence, not the upload: the deadline
  // moves on with every chunk taken.
  auto deadline = Clock::now() + endpoint_.tls.timeout;
  size_t sent = 0;
  while (sent < bytes.size()) {
    // On CURLE_AGAIN OpenSSL wants the same bytes again: the chunk depends
    // on `sent` only.
    const size_t chunk = std::min(kSendChunk, bytes.size() - sent);
    size_t n = 0;
    error_[0] = '\0';
    const CURLcode code = curl_easy_send(curl_.get(), bytes.data() + sent, chunk, &n);
    if (code == CURLE_OK) {
      sent += n;
      deadline = Clock::now() + endpoint_.tls.timeout;
    } else if (code == CURLE_AGAIN) {
      if (!Wait(POLLOUT, deadline)) {
        return Lost(
            absl::StrCat(peer_, " took nothing within ", endpoint_.tls.timeout.count(), " ms"));
      }
    } else {
      return Lost(absl::StrCat("the connection to ", peer_, " was lost: ",
                               error_[0] != '\0' ? error_ : curl_easy_strerror(code)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MailConnection::ReadLine(size_t max_bytes) {
  if (curl_ == nullptr) return absl::UnavailableError(absl::StrCat("not connected to ", peer_));
  auto deadline = Clock::now() + endpoint_.tls.timeout;
  size_t searched = 0;
  for (;;) {
    const size_t end = buffer_.find('\n', searched);
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    searched = buffer_.size();
    if (buffer_.size() > max_bytes) {
      return Lost(absl::StrCat(peer_, " sent a line longer than ", max_bytes, " bytes"));
    }
    if (absl::Status more = ReceiveMore(deadline); !more.ok()) return more;
  }
}

absl::StatusOr<std::string> MailConnection::ReadExactly(size_t n) {
  if (curl_ == nullptr) return absl::UnavailableError(absl::StrCat("not connected to ", peer_));
  auto deadline = Clock::now() + endpoint_.tls.timeout;
  buffer_.reserve(n);
  while (buffer_.size() < n) {
    if (absl::Status more = ReceiveMore(deadline); !more.ok()) return more;
  }
  std::string bytes = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return bytes;
}

bool MailConnection::HasUnsolicitedInput() {
  if (curl_ == nullptr) return false;
  if (!buffer_.empty()) return true;
  pollfd descriptor{socket_, POLLIN, 0};
  if (::poll(&descriptor, 1, 0) <= 0) return false;
  // Readable may be TLS housekeeping (a TLS 1.3 session ticket), which
  // leaves the connection usable.
  return Receive() != Fill::kAgain;
}

}  // namespace navette::adapters::mssante::transport
