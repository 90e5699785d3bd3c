#include "adapters/http/http_destination.h"

#include <curl/curl.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <ctime>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "common/http_header.h"
#include "kinds/duration_setting.h"
#include "store/message_id.h"

namespace navette::adapters::http {
namespace {

// The envelope content type of HL7 v2 (set by the MLLP source), and what it
// is called on the wire (the HL7 v2 over HTTP convention).
constexpr std::string_view kHl7v2EnvelopeType = "application/hl7-v2";
constexpr std::string_view kHl7v2HttpType = "x-application/hl7-v2+er7";
constexpr std::string_view kMessageIdHeader = "X-Navette-Message-Id: ";

// Bytes of the response body kept for the detail of a refused message.
constexpr size_t kMaxBodyBytes = 100;
// Longest text kept in a detail (curl's error text is at most 256 bytes).
constexpr size_t kMaxTextBytes = 200;

// Length of the valid UTF-8 character `text` starts with, 0 when there is
// none (Unicode table 3-7: no overlong forms, no surrogates, nothing above
// U+10FFFF). Details are proto strings, which must be valid UTF-8, and a
// receiver may well answer in ISO 8859-1.
size_t Utf8CharLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;  // range of the second byte
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// Peer or library text made fit for a one-line history entry: control
// characters become one space, invalid UTF-8 becomes '?', and the text is cut
// (on a character boundary) to about kMaxTextBytes.
std::string OneLine(std::string_view text) {
  std::string line;
  while (!text.empty() && line.size() < kMaxTextBytes) {
    size_t length = Utf8CharLength(text);
    const auto first = static_cast<unsigned char>(text[0]);
    if (length == 0) {
      line.push_back('?');
      length = 1;
    } else if (length == 1 && (first < 0x20 || first == 0x7f || first == ' ')) {
      if (!line.empty() && line.back() != ' ') line.push_back(' ');
    } else {
      line.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  if (!text.empty()) line += "...";
  return line;
}

std::string_view RequestContentType(const navette::Envelope& envelope) {
  const std::string& type = envelope.content_type();
  return type.empty() || type == kHl7v2EnvelopeType ? kHl7v2HttpType : std::string_view(type);
}

// The wait the receiver asked for in Retry-After: delta-seconds or an
// HTTP-date; zero when absent, unreadable or already past.
std::chrono::milliseconds RetryAfter(CURL* curl) {
  curl_header* header = nullptr;
  if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &header) != CURLHE_OK) return {};
  std::string_view value = header->value;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  uint32_t seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    return std::chrono::seconds(seconds);
  }
  const time_t date = curl_getdate(header->value, nullptr);
  if (date == -1) return {};
  const auto wait = std::chrono::system_clock::from_time_t(date) - std::chrono::system_clock::now();
  return std::max(std::chrono::ceil<std::chrono::milliseconds>(wait), std::chrono::milliseconds(0));
}

DeliveryResult ResultOfResponse(CURL* curl, std::string_view body_start) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  std::string detail = fmt::format("HTTP {}", status);
  if (status >= 200 && status <= 299) return DeliveryResult::Delivered(std::move(detail));
  if (std::string body = OneLine(body_start); !body.empty()) detail += ": " + body;
  if (status == 429 || status == 503) return DeliveryResult::Transient(detail, RetryAfter(curl));
  if (status == 408 || (status >= 500 && status <= 599)) return DeliveryResult::Transient(detail);
  // The receiver refused this very request (4xx), or answered what a POST
  // endpoint should not (1xx final, 3xx: a moved endpoint is a configuration
  // change, not something to follow blindly with health data).
  return DeliveryResult::Permanent(detail);
}

// Failures that every attempt would meet alike until the configuration or a
// certificate changes: the URL, our TLS files, or a server certificate we do
// not trust. Everything else (resolution, connection, handshake, timeouts,
// a connection lost mid-exchange) may pass.
bool IsPermanent(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return true;
    default:
      return false;
  }
}

// Where the exchange failed, to start the detail with.
std::string_view Stage(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return "url";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "resolve";
    case CURLE_COULDNT_CONNECT:
      return "connect";
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return "tls";
    case CURLE_SEND_ERROR:
      return "send";
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      return "receive";
    default:
      return "http";
  }
}

DeliveryResult ResultOfFailure(CURLcode code, CURL* curl, const char* error_text) {
  std::string text = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
  long os_error = 0;
  // For a refused or unreachable peer the system's words say more than
  // curl's "Couldn't connect to server".
  if (code == CURLE_COULDNT_CONNECT &&
      curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_error) == CURLE_OK && os_error != 0) {
    text = std::error_code(static_cast<int>(os_error), std::generic_category()).message();
  }
  std::string detail = fmt::format("{}: {}", Stage(code), OneLine(text));
  return IsPermanent(code) ? DeliveryResult::Permanent(std::move(detail))
                           : DeliveryResult::Transient(std::move(detail));
}

}  // namespace

// One libcurl handle: it keeps its connection open between transfers. Its
// header list starts with this handle's per-message nodes, followed by the
// destination's shared configured headers; libcurl only reads the list
// during a transfer, so rewriting the nodes between transfers needs no
// allocation. Never moved: libcurl holds pointers into it.
struct HttpDestination::Connection {
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  static size_t KeepBodyStart(char* data, size_t size, size_t count, void* self) {
    std::string& body = static_cast<Connection*>(self)->body_start;
    const size_t bytes = size * count;
    if (body.size() < kMaxBodyBytes) {
      body.append(data, std::min(bytes, kMaxBodyBytes - body.size()));
    }
    return bytes;  // the rest is read and dropped, so the connection stays usable
  }

  struct EasyCleanup {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  };
  std::unique_ptr<CURL, EasyCleanup> curl;
  char error[CURL_ERROR_SIZE] = {};
  std::string body_start;  // the response body's first kMaxBodyBytes
  std::string id_header;
  std::string content_type_header;
  curl_slist id_node{};
  curl_slist content_type_node{};  // in the list unless Content-Type is configured
};

void HttpDestination::FreeHeaderList::operator()(curl_slist* list) const {
  curl_slist_free_all(list);
}

absl::StatusOr<std::unique_ptr<HttpDestination>> HttpDestination::Create(
    const navette::config::HttpDestination& config, uint32_t max_in_flight) {
  // Not thread-safe in every libcurl build: once, before any handle exists.
  // Never undone: handles may live until the process exits.
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  const std::string& url = config.url();
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return absl::InvalidArgumentError(
        fmt::format("http.url '{}' must start with http:// or https://", url));
  }
  // Zero is no limit to libcurl: one silent receiver would hold a delivery
  // thread for good.
  if (kinds::Milliseconds(config.connect_timeout()) <= std::chrono::milliseconds(0) ||
      kinds::Milliseconds(config.timeout()) <= std::chrono::milliseconds(0)) {
    return absl::InvalidArgumentError("http.connect_timeout and http.timeout must be at least 1ms");
  }
  const navette::config::Tls& tls = config.tls();
  if (tls.cert_file().empty() != tls.key_file().empty()) {
    return absl::InvalidArgumentError("http.tls.cert_file and http.tls.key_file go together");
  }
  for (const auto& [field, path] :
       {std::pair{"ca_file", &tls.ca_file()}, std::pair{"cert_file", &tls.cert_file()},
        std::pair{"key_file", &tls.key_file()}}) {
    if (!path->empty() && ::access(path->c_str(), R_OK) != 0) {
      return absl::FailedPreconditionError(
          fmt::format("http.tls.{} '{}': {}", field, *path,
                      std::error_code(errno, std::generic_category()).message()));
    }
  }

  HeaderList headers;
  bool content_type_configured = false;
  auto append = [&](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return false;  // the list is unchanged
    (void)headers.release();                // `appended` is the same list, one node longer
    headers.reset(appended);
    return true;
  };
  for (const auto& [name, value] : config.headers()) {
    if (!IsValidHttpHeader(name, value)) {
      return absl::InvalidArgumentError(fmt::format("http.headers: invalid header '{}'", name));
    }
    if (strcasecmp(name.c_str(), "Content-Type") == 0) content_type_configured = true;
    // "Name;" is how libcurl sends an empty value ("Name:" removes the header).
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return absl::ResourceExhaustedError("http.headers: out of memory");
    }
  }
  // libcurl otherwise sends "Expect: 100-continue" with a large body (a CDA
  // document with its attachments) and waits up to a second for a
  // "100 Continue" that some receivers never send.
  if (!append("Expect:")) return absl::ResourceExhaustedError("http.headers: out of memory");

  std::unique_ptr<HttpDestination> destination(new HttpDestination(
      config, std::max<uint32_t>(max_in_flight, 1), std::move(headers), content_type_configured));
  // The first handle is made now so that an option libcurl refuses (a TLS
  // version its TLS library lacks, say) fails here, not at every attempt.
  absl::StatusOr<std::unique_ptr<Connection>> first = destination->NewConnection();
  if (!first.ok()) return first.status();
  destination->ReturnIdle(*std::move(first));
  return destination;
}

HttpDestination::HttpDestination(navette::config::HttpDestination config, uint32_t max_idle,
                                 HeaderList configured_headers, bool content_type_configured)
    : config_(std::move(config)),
      max_idle_(max_idle),
      configured_headers_(std::move(configured_headers)),
      content_type_configured_(content_type_configured) {
  idle_.reserve(max_idle_);
}

HttpDestination::~HttpDestination() = default;

absl::StatusOr<std::unique_ptr<HttpDestination::Connection>> HttpDestination::NewConnection()
    const {
  auto connection = std::make_unique<Connection>();
  connection->curl.reset(curl_easy_init());
  CURL* curl = connection->curl.get();
  if (curl == nullptr) return absl::ResourceExhaustedError("http: cannot create a libcurl handle");
  connection->body_start.reserve(kMaxBodyBytes);
  connection->id_node.next =
      content_type_configured_ ? configured_headers_.get() : &connection->content_type_node;
  connection->content_type_node.next = configured_headers_.get();

  CURLcode result = CURLE_OK;
  const char* failed_option = "";
  auto set = [&](const char* name, CURLoption option, auto value) {
    if (result != CURLE_OK) return;
    result = curl_easy_setopt(curl, option, value);
    if (result != CURLE_OK) failed_option = name;
  };
  set("url", CURLOPT_URL, config_.url().c_str());
  set("protocols", CURLOPT_PROTOCOLS_STR, "http,https");
  set("post", CURLOPT_POST, 1L);
  set("headers", CURLOPT_HTTPHEADER, &connection->id_node);
  set("user agent", CURLOPT_USERAGENT, "navette");
  set("connect_timeout", CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(kinds::Milliseconds(config_.connect_timeout()).count()));
  set("timeout", CURLOPT_TIMEOUT_MS,
      static_cast<long>(kinds::Milliseconds(config_.timeout()).count()));
  // Signals (for DNS timeouts) are process-wide: not with several threads.
  set("no signal", CURLOPT_NOSIGNAL, 1L);
  set("error buffer", CURLOPT_ERRORBUFFER, connection->error);
  set("write function", CURLOPT_WRITEFUNCTION, &Connection::KeepBodyStart);
  set("write data", CURLOPT_WRITEDATA, static_cast<void*>(connection.get()));
  // libcurl's defaults, set anyway: verification must never depend on them.
  set("tls verify peer", CURLOPT_SSL_VERIFYPEER, 1L);
  set("tls verify host", CURLOPT_SSL_VERIFYHOST, 2L);
  set("tls version", CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  const navette::config::Tls& tls = config_.tls();
  if (!tls.ca_file().empty()) set("tls.ca_file", CURLOPT_CAINFO, tls.ca_file().c_str());
  if (!tls.cert_file().empty()) {
    set("tls.cert_file", CURLOPT_SSLCERT, tls.cert_file().c_str());
    set("tls.cert_file", CURLOPT_SSLCERTTYPE, "PEM");
    set("tls.key_file", CURLOPT_SSLKEY, tls.key_file().c_str());
    set("tls.key_file", CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (result != CURLE_OK) {
    return absl::InvalidArgumentError(fmt::format("http: libcurl refused option {}: {}",
                                                  failed_option, curl_easy_strerror(result)));
  }
  return connection;
}

absl::StatusOr<std::unique_ptr<HttpDestination::Connection>> HttpDestination::TakeIdleOrNew() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      // The most recently used: the likeliest to still be open.
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return NewConnection();
}

void HttpDestination::ReturnIdle(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}  // one beyond max_idle_ (more callers than max_in_flight) is closed here

DeliveryResult HttpDestination::Deliver(const DeliveryRequest& request) {
  absl::StatusOr<std::unique_ptr<Connection>> taken = TakeIdleOrNew();
  if (!taken.ok()) return DeliveryResult::Transient(std::string(taken.status().message()));
  std::unique_ptr<Connection> connection = *std::move(taken);
  CURL* curl = connection->curl.get();

  const navette::Envelope& envelope = request.message->envelope();
  connection->id_header.assign(kMessageIdHeader).append(store::FormatMessageId(request.message_id));
  connection->id_node.data = connection->id_header.data();
  if (!content_type_configured_) {
    connection->content_type_header.assign("Content-Type: ").append(RequestContentType(envelope));
    connection->content_type_node.data = connection->content_type_header.data();
  }
  connection->body_start.clear();
  connection->error[0] = '\0';
  // The body is read from the envelope in place; libcurl does not copy it.
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(envelope.raw().size()));
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, envelope.raw().data());

  const CURLcode code = curl_easy_perform(curl);
  DeliveryResult result = code == CURLE_OK ? ResultOfResponse(curl, connection->body_start)
                                           : ResultOfFailure(code, curl, connection->error);
  ReturnIdle(std::move(connection));
  return result;
}

}  // namespace navette::adapters::http
