#include "adapters/http/http_probe.h"

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

#include <fmt/format.h>

namespace navette::adapters::http {
namespace {

struct EasyCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct UrlCleanup {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlFree {
  void operator()(char* text) const { curl_free(text); }
};

// "host:port" of the URL, with the scheme's default port when none is
// written; the URL itself when libcurl cannot parse it.
std::string HostPortOf(const std::string& url) {
  std::unique_ptr<CURLU, UrlCleanup> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return url;
  }
  char* host = nullptr;
  char* port = nullptr;
  curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0);
  curl_url_get(parsed.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  std::unique_ptr<char, CurlFree> host_owner(host), port_owner(port);
  if (host == nullptr || port == nullptr) return url;
  return fmt::format("{}:{}", host, port);
}

long Milliseconds(const google::protobuf::Duration& duration) {
  return static_cast<long>(duration.seconds() * 1000 + duration.nanos() / 1000000);
}

}  // namespace

kinds::ProbeResult ProbeHttp(const navette::config::HttpDestination& config) {
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  const std::string& url = config.url();
  const bool tls = url.starts_with("https://");
  const std::string peer = HostPortOf(url);
  std::unique_ptr<CURL, EasyCleanup> curl(curl_easy_init());
  if (!curl) return {false, "cannot create a libcurl handle"};
  char error[CURL_ERROR_SIZE] = {};
  long timeout = Milliseconds(config.connect_timeout());
  if (timeout <= 0) timeout = 5000;  // the documented default
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  // As deliveries do (http_destination.cc).
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(handle, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  const navette::config::Tls& files = config.tls();
  if (!files.ca_file().empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, files.ca_file().c_str());
  if (!files.cert_file().empty()) {
    curl_easy_setopt(handle, CURLOPT_SSLCERT, files.cert_file().c_str());
    curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(handle, CURLOPT_SSLKEY, files.key_file().c_str());
    curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
  }

  const CURLcode code = curl_easy_perform(handle);
  if (code == CURLE_OK) {
    return {true, tls ? fmt::format("TLS handshake with {} ok", peer)
                      : fmt::format("connected to {}", peer)};
  }
  std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return {false, fmt::format("cannot resolve {}: {}", peer, why)};
    case CURLE_COULDNT_CONNECT: {
      // The system's words ("Connection refused") say more than libcurl's.
      long os_error = 0;
      if (curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_error) == CURLE_OK && os_error != 0) {
        why = std::error_code(static_cast<int>(os_error), std::generic_category()).message();
      }
      return {false, fmt::format("cannot connect to {}: {}", peer, why)};
    }
    case CURLE_OPERATION_TIMEDOUT:
      return {false, fmt::format("no connection to {} within {} ms", peer, timeout)};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return {false, fmt::format("TLS handshake with {} failed: {}", peer, why)};
    default:
      return {false, fmt::format("{}: {}", peer, why)};
  }
}

}  // namespace navette::adapters::http
