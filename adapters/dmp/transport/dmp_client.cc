#include "adapters/dmp/transport/dmp_client.h"

#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/tls/curl_tls_failures.h"

namespace navette::adapters::dmp::transport {
namespace {

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlCleanup {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// The host of an https URL, or why the URL is refused.
absl::StatusOr<std::string> HttpsHost(const std::string& url) {
  std::unique_ptr<CURLU, UrlCleanup> parsed(curl_url());
  if (parsed == nullptr) return absl::ResourceExhaustedError("dmp: cannot allocate a URL");
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("dmp: '", url, "' is not a URL"));
  }
  char* scheme = nullptr;
  char* host = nullptr;
  curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0);
  curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0);
  const bool https = scheme != nullptr && std::string_view(scheme) == "https";
  std::string host_text = host != nullptr ? host : "";
  curl_free(scheme);
  curl_free(host);
  if (!https) {
    return absl::InvalidArgumentError(
        absl::StrCat("dmp: '", url, "' is not https (the DMP is reached over mutual TLS only)"));
  }
  return host_text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DmpClient>> DmpClient::Create(std::string url, DmpTls tls) {
  // Not thread-safe in every libcurl build: once, before any handle exists.
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  absl::StatusOr<std::string> host = HttpsHost(url);
  if (!host.ok()) return host.status();
  if (absl::Status checked = CheckDmpTls(tls); !checked.ok()) return checked;
  std::unique_ptr<DmpClient> client(
      new DmpClient(std::move(url), *std::move(host), std::move(tls)));
  if (absl::Status configured = client->Configure(); !configured.ok()) return configured;
  return client;
}

DmpClient::DmpClient(std::string url, std::string host, DmpTls tls)
    : url_(std::move(url)), host_(std::move(host)), tls_(std::move(tls)) {}

DmpClient::~DmpClient() = default;

absl::Status DmpClient::Configure() {
  curl_.reset(curl_easy_init());
  CURL* curl = curl_.get();
  if (curl == nullptr) return absl::ResourceExhaustedError("dmp: cannot create a libcurl handle");
  CURLcode result = CURLE_OK;
  const char* failed_option = "";
  auto set = [&](const char* name, CURLoption option, auto value) {
    if (result != CURLE_OK) return;
    result = curl_easy_setopt(curl, option, value);
    if (result != CURLE_OK) failed_option = name;
  };
  // libcurl keeps pointers to these strings: they live in tls_ and url_,
  // which are const for the client's lifetime.
  set("url", CURLOPT_URL, url_.c_str());
  set("protocols", CURLOPT_PROTOCOLS_STR, "https");
  set("post", CURLOPT_POST, 1L);
  set("user agent", CURLOPT_USERAGENT, "navette");
  set("tls.connect_timeout", CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(tls_.connect_timeout.count()));
  set("tls.timeout", CURLOPT_TIMEOUT_MS, static_cast<long>(tls_.timeout.count()));
  // Signals (for DNS timeouts) are process-wide: not with several threads.
  set("no signal", CURLOPT_NOSIGNAL, 1L);
  set("keep-alive", CURLOPT_TCP_KEEPALIVE, 1L);
  set("error buffer", CURLOPT_ERRORBUFFER, error_);
  set("write function", CURLOPT_WRITEFUNCTION, &DmpClient::KeepBody);
  set("write data", CURLOPT_WRITEDATA, static_cast<void*>(this));
  // libcurl's defaults, set anyway: verification must never depend on them.
  set("tls verify peer", CURLOPT_SSL_VERIFYPEER, 1L);
  set("tls verify host", CURLOPT_SSL_VERIFYHOST, 2L);
  // TLS 1.2 exactly: the version the DMP's requirements name (PDT-INF-579,
  // fr-specs §3.2), so that the cipher list below always applies, and so
  // that a server refusing the establishment's certificate says so in the
  // handshake (under TLS 1.3 the refusal comes after it, racing the first
  // request, and could pass for a transport failure).
  set("tls version", CURLOPT_SSLVERSION,
      static_cast<long>(CURL_SSLVERSION_TLSv1_2) | static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
  set("tls.ciphers", CURLOPT_SSL_CIPHER_LIST, tls_.ciphers.c_str());
  // No TLS session resumption: an OpenSSL server that verifies client
  // certificates without a session-id context (OpenSSL's default) answers a
  // resumption attempt with an internal-error alert, which would fail every
  // reconnection after a dropped connection; nothing says the DMP's front
  // ends set one. Connections are kept alive, so a full handshake is only
  // paid when one is opened.
  set("tls session cache", CURLOPT_SSL_SESSIONID_CACHE, 0L);
  set("tls.ca_file", CURLOPT_CAINFO, tls_.ca_file.c_str());
  // Only tls.ca_file: not the system's CAs as well.
  set("tls.ca_file", CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  if (!tls_.pkcs12_file.empty()) {
    set("tls.pkcs12_file", CURLOPT_SSLCERT, tls_.pkcs12_file.c_str());
    set("tls.pkcs12_file", CURLOPT_SSLCERTTYPE, "P12");
    set("tls.pkcs12_password", CURLOPT_KEYPASSWD, tls_.pkcs12_password.c_str());
  } else {
    set("tls.cert_file", CURLOPT_SSLCERT, tls_.cert_file.c_str());
    set("tls.cert_file", CURLOPT_SSLCERTTYPE, "PEM");
    set("tls.key_file", CURLOPT_SSLKEY, tls_.key_file.c_str());
    set("tls.key_file", CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (result != CURLE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("dmp: libcurl refused option ", failed_option,
                                                   ": ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

size_t DmpClient::KeepBody(char* data, size_t size, size_t count, void* client) {
  auto* self = static_cast<DmpClient*>(client);
  const size_t bytes = size * count;
  if (self->response_body_.size() + bytes > kMaxResponseBytes) {
    self->response_too_large_ = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  self->response_body_.append(data, bytes);
  return bytes;
}

soap::Exchange DmpClient::Post(std::string_view content_type, std::string_view body) {
  soap::Exchange exchange;
  std::lock_guard lock(mutex_);
  CURL* curl = curl_.get();
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const std::string& line : {"Content-Type: " + std::string(content_type),
                                  // libcurl would otherwise wait for "100 Continue" before a
                                  // large body (a CDA with its PDF), costing a round trip.
                                  std::string("Expect:")}) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      exchange.transport_error = "POST to " + host_ + " failed: out of memory";
      return exchange;
    }
    headers.release();
    headers.reset(appended);
  }
  error_[0] = '\0';
  response_body_.clear();
  response_too_large_ = false;
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  const CURLcode code = curl_easy_perform(curl);
  // The list dies with this call: libcurl must not keep a pointer to it.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));

  long connects = 0;
  if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
    connections_opened_ += connects;
  }
  if (code != CURLE_OK) {
    const std::string text = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
    exchange.credentials_refused = tls::CertificateRefused(code, text);
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
      exchange.transport_error = absl::StrCat(
          "TLS handshake with ", host_, " failed: the server certificate was not verified: ", text);
    } else if (tls::IsTlsFailure(code)) {
      exchange.transport_error = absl::StrCat("TLS handshake with ", host_, " failed: ", text);
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      exchange.transport_error = absl::StrCat("no answer from ", host_, " within the timeout (",
                                              tls_.timeout.count(), " ms): ", text);
    } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
      exchange.transport_error = absl::StrCat("cannot connect to ", host_, ": ", text);
    } else if (response_too_large_) {
      exchange.transport_error =
          absl::StrCat("the answer from ", host_, " exceeds ", kMaxResponseBytes, " bytes");
    } else {
      exchange.transport_error = absl::StrCat("POST to ", host_, " failed: ", text);
    }
    return exchange;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  exchange.http_status = static_cast<int>(status);
  char* type = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    exchange.content_type = type;
  }
  exchange.body = std::move(response_body_);
  response_body_.clear();
  return exchange;
}

long DmpClient::connections_opened() const {
  std::lock_guard lock(mutex_);
  return connections_opened_;
}

}  // namespace navette::adapters::dmp::transport
