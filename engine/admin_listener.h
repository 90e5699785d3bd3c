// The admin API's HTTP listener: cpp-httplib's Server for parsing and
// routing, with its connection handling replaced so that clients without a
// token cannot starve the API, the probes included.
//
// What httplib 0.11.4 does alone, and what this changes (the limits are
// engine.admin's, docs/configuration.md; operators' view in
// docs/operations.md, "Health"):
//
//   httplib alone                           here
//   listen backlog 5 (compiled into         re-listened with kListenBacklog
//   libcpp-httplib.so: a -D in our TUs
//   changes nothing)
//   ~8 pool workers; a connection waits     a thread per connection, at most
//   for one, behind slow clients            max_connections; over that, a 503
//                                           written at once and closed unread
//   per-read timeout (5 s), reset by        one deadline for the whole request,
//   every byte a client drips               request_timeout from the accept
//   keep-alive: the next request is read    one request per connection
//   from whatever follows (a GET's body)    (Connection: close)
//   GET bodies ignored, chunked bodies      Content-Length over max_body_bytes:
//   unbounded, other bodies read whole      413 for every method, before the
//   to skip them before a 413               body is read; Transfer-Encoding 411
//   no per-peer limit                       a peer's connections beyond
//                                           max_connections_per_peer are
//                                           read under a short deadline and
//                                           answered only for probes and
//                                           requests carrying a token; others
//                                           429
//
// Why a peer over its share is still read, not refused: the admin API is on
// loopback by default, so the kubelet (on a hostNetwork pod), the metrics
// scraper and the operator's CLI all share 127.0.0.1 with whatever floods
// it. Reading a request already sent costs one short-lived thread; refusing
// it unread would fail the liveness probe and lock the operator out.
// Requests with an Authorization header go on to the token check (a bogus
// one gets 401, no dearer than a 429); the share only turns away anonymous
// requests, the ones this limit exists for. Past max_connections nothing is
// read, the probes included: that limit guards the engine's threads and file
// descriptors, and must sit above what legitimate clients hold at once.
//
// Threading: the accepting thread runs httplib's accept loop; each
// connection runs on its own thread, which reads one request, answers it,
// and closes. Stop() closes the listening socket, cuts every live
// connection, and returns once every connection thread has finished.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <httplib.h>

#include "absl/status/status.h"
#include "engine/admin_limits.h"
#include "engine/admin_refusals.h"
#include "engine/peer_slots.h"

namespace navette::engine {

class AdminListener final : public httplib::Server {
 public:
  // Pending connections the kernel keeps while the accepting thread catches
  // up (capped by net.core.somaxconn); httplib's is 5.
  static constexpr int kListenBacklog = 1024;
  // The deadline of a connection over its peer's share, if request_timeout
  // is longer: a probe or a CLI sends its request at once.
  static constexpr std::chrono::milliseconds kOverShareRequestTimeout{2000};
  // Most bytes of a request head (request line and headers) read before
  // the body: httplib's own limits are 8 KiB a line.
  static constexpr size_t kMaxRequestHeadBytes = 64 * 1024;

  explicit AdminListener(AdminLimits limits);
  ~AdminListener() override;
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;

  // The check every request goes through after the listener's own (body
  // size, a peer's share): the admin API's token check. Use this, not
  // set_pre_routing_handler, which would replace the listener's checks.
  void SetAccessCheck(HandlerWithResponse check) { access_check_ = std::move(check); }

  // For a handler whose response streams (GET /v1/tap, engine/admin_tap.cc),
  // on the thread serving it: the connection's write deadline starts again
  // from now (DeadlineStream::RenewWriteDeadline). Called before each write,
  // so that request_timeout bounds each write rather than the whole
  // response. No effect on a thread serving no request.
  static void RenewWriteDeadline();

  // Binds, then accepts on a thread of its own until Stop().
  absl::Status Start(const std::string& host, uint16_t port);
  // Stops accepting, cuts the connections still open, joins every thread.
  // Idempotent.
  void Stop();

 private:
  // httplib calls this (a private virtual of Server) for every accepted
  // socket, on the thread the task queue gives it.
  bool process_and_close_socket(socket_t sock) override;

  // The listener's own checks, before access_check_.
  HandlerResponse CheckRequest(const httplib::Request& request, httplib::Response& response);
  // Serves one request on `fd` under the connection's deadline.
  void Serve(int fd, const std::string& peer, bool over_share);

  // Keeps `fd` known to Stop() while it lives; false if stopping already.
  bool Register(int fd);
  void Unregister(int fd);

  const AdminLimits limits_;
  PeerSlots peer_slots_;
  AdminRefusals refusals_;
  HandlerWithResponse access_check_;
  std::thread accept_thread_;
  // Connections admitted and not yet closed (engine/admin_listener.cc,
  // ConnectionThreads): at most limits_.max_connections.
  std::atomic<size_t> open_connections_{0};

  // Guards what follows: the accepting thread and every connection thread
  // register here, Stop() reads it.
  std::mutex mu_;
  std::condition_variable accepting_cv_;
  bool accepting_ = false;  // httplib's loop has started (or given up)
  bool stopping_ = false;   // Stop() has begun: no connection may start
  std::set<int> live_;      // sockets of connections being served
};

}  // namespace navette::engine
