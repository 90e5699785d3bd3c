// The HTTPS client for one DMP endpoint (DocumentRepository_Service or
// DocumentRegistry_Service), on libcurl, as the DMP requires it
// (fr-specs §3.2): TLS 1.2 at least, the server's certificate verified
// against tls.ca_file and its name against the URL's host, the DMP's cipher
// suites, the establishment's AUTH_CLI certificate (PEM pair or PKCS#12).
//
// A request is POSTed with the Content-Type of soap_request.h and no
// SOAPAction header: SOAP 1.2 carries the action in the Content-Type's
// `action` parameter. The answer is returned as a soap::Exchange for
// ClassifyExchange; a failure before any HTTP answer fills transport_error
// with what failed and where:
//
//   curl result                           transport_error
//   ------------------------------------  -----------------------------------------------
//   peer certificate or name not verified "TLS handshake with H failed: the server
//                                           certificate was not verified: <curl's text>"
//   other TLS failure                     "TLS handshake with H failed: <curl's text>"
//   timeout                               "no answer from H within the timeout (N ms): …"
//   connection refused, DNS, …            "cannot connect to H: <curl's text>"
//   anything else                         "POST to H failed: <curl's text>"
//
// curl's texts name the host, the file or the TLS alert, never the request's
// content: nothing of the health data reaches an error or a log.
//
// Connections: one libcurl handle per client, reused for every request so
// that its connection stays open between requests (keep-alive; libcurl
// reconnects by itself when the server has closed it). Post is thread-safe;
// concurrent calls take turns on the handle (mutex_) — a destination wanting
// parallel requests makes several clients.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/dmp/soap/outcome.h"
#include "adapters/dmp/transport/dmp_tls.h"

namespace navette::adapters::dmp::transport {

class DmpClient {
 public:
  // InvalidArgument for a URL that is not https://host…, for CheckDmpTls's
  // errors, or an option libcurl refuses.
  static absl::StatusOr<std::unique_ptr<DmpClient>> Create(std::string url, DmpTls tls);
  ~DmpClient();
  DmpClient(const DmpClient&) = delete;
  DmpClient& operator=(const DmpClient&) = delete;

  // One POST of `body` with the header Content-Type: `content_type`.
  soap::Exchange Post(std::string_view content_type, std::string_view body);

  const std::string& url() const { return url_; }
  // Connections opened so far (libcurl's CURLINFO_NUM_CONNECTS summed over
  // requests): equal to the number of requests means none was reused.
  long connections_opened() const;

  // Largest response body kept; a larger one fails the request.
  static constexpr size_t kMaxResponseBytes = 8 << 20;

 private:
  struct EasyCleanup {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  };

  DmpClient(std::string url, std::string host, DmpTls tls);
  absl::Status Configure();
  static size_t KeepBody(char* data, size_t size, size_t count, void* client);

  const std::string url_;
  const std::string host_;  // for error texts
  const DmpTls tls_;

  mutable std::mutex mutex_;
  // Guarded by mutex_: the handle, its error buffer and the response being
  // received belong to the one Post in progress.
  std::unique_ptr<CURL, EasyCleanup> curl_;
  char error_[CURL_ERROR_SIZE] = "";
  std::string response_body_;
  bool response_too_large_ = false;
  long connections_opened_ = 0;
};

}  // namespace navette::adapters::dmp::transport
