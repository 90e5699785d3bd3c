// HTTP destination: POSTs each message's bytes, unchanged, to a URL (libcurl).
//
// The request: `POST <url>` with the envelope's raw bytes as the body, the
// configured `headers`, and
//   Content-Type: the configured one, else "x-application/hl7-v2+er7" for
//                 HL7 v2 (or an envelope without a content type), else the
//                 envelope's content type;
//   X-Navette-Message-Id: the message id as 16 hex digits, the same on every
//                 attempt, so that a receiver can drop a message it already
//                 has (an attempt that timed out may still have arrived).
// Redirects are not followed.
//
// Outcomes and their detail (kept in the history: a status code, the first
// bytes of the receiver's error body, or the transport error; never the
// message's content):
//
//   receiver's answer / failure              outcome     detail
//   ---------------------------------------  ----------  -------------------------
//   2xx                                      delivered   "HTTP 200"
//   408, 429, 5xx                            transient   "HTTP 503[: <body>]";
//                                                        429 and 503 carry
//                                                        Retry-After (seconds or
//                                                        an HTTP-date) as
//                                                        retry_after
//   other 4xx, 1xx, 3xx, anything else       permanent   "HTTP 400[: <body>]"
//   refused, reset, DNS failure, timeout,    transient   "connect: Connection
//   TLS handshake failure, closed early                  refused", "timeout: ..."
//   URL malformed                            permanent   "url: ..."
//   server certificate not trusted (unknown  permanent   "tls: SSL certificate
//   CA, wrong host name, expired), ca_file               problem: ..."
//   or client cert_file/key_file unusable
//
// <body> is the first 100 bytes of the response body on one line (control
// characters become spaces, invalid UTF-8 becomes '?'): the receiver's own
// words, which help most with a refusal, and hold health data only if the
// receiver quotes the message in them.
//
// Why certificate errors are permanent: the same configuration and the same
// certificates fail every attempt the same way; retrying only delays the
// operator's fix, after which dead messages are replayed. Why a failed TLS
// handshake is not: libcurl reports a connection reset during the handshake,
// a server that refuses our client certificate and a protocol mismatch with
// the same code, and the first is an ordinary network failure. (With TLS
// 1.3, a server refusing our client certificate is only seen once the
// request is sent, as a send or receive error: transient as well.)
//
// TLS: the peer's certificate and host name are always verified, against
// `tls.ca_file` when set, else the system's store; TLS 1.2 at least; a client
// certificate (`tls.cert_file`, `tls.key_file`, PEM) when set.
//
// Connections: Deliver() runs on up to max_in_flight threads at once. Each
// attempt takes an idle libcurl handle from a pool (or makes one when none is
// idle) and gives it back after; a handle keeps its connection open, so
// consecutive messages reuse it (keep-alive, one TLS handshake). Nothing
// connects before the first delivery, so the engine starts while the
// receiver is down.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/destination.h"
#include "proto/config.pb.h"

struct curl_slist;

namespace navette::adapters::http {

class HttpDestination : public Destination {
 public:
  // Fails on a configuration that could never deliver (no URL, not http(s),
  // a zero timeout, a client certificate without its key, a header with a
  // line break) or a TLS file that cannot be read. Connects to nothing.
  static absl::StatusOr<std::unique_ptr<HttpDestination>> Create(
      const navette::config::HttpDestination& config, uint32_t max_in_flight);
  ~HttpDestination() override;

  DeliveryResult Deliver(const DeliveryRequest& request) override;

 private:
  struct Connection;  // one libcurl handle and the buffers of its requests
  struct FreeHeaderList {
    void operator()(curl_slist* list) const;
  };
  using HeaderList = std::unique_ptr<curl_slist, FreeHeaderList>;

  HttpDestination(navette::config::HttpDestination config, uint32_t max_idle,
                  HeaderList configured_headers, bool content_type_configured);
  absl::StatusOr<std::unique_ptr<Connection>> TakeIdleOrNew();
  void ReturnIdle(std::unique_ptr<Connection> connection);
  absl::StatusOr<std::unique_ptr<Connection>> NewConnection() const;

  const navette::config::HttpDestination config_;
  const size_t max_idle_;
  // The configured headers (and the ones navette always sends), shared
  // read-only by every handle's header list.
  const HeaderList configured_headers_;
  const bool content_type_configured_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_; at most max_idle_
};

}  // namespace navette::adapters::http
