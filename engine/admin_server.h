// The admin HTTP API, bound to loopback by default:
//
//   GET /healthz                 200 while the process runs
//   GET /readyz                  200 once every source listens, else 503
//   GET /v1/messages             ?state=&source=&route=&limit=&before=
//   GET /v1/messages/{id}        envelope, text and history of one message;
//                                ?payload=false: without the text
//   GET /v1/messages/{id}/delivered  ?destination=&route=: what a destination got
//   GET /v1/audit                ?user=&message=&since=&limit=&cursor=: the
//                                audit trail, newest first (admin role)
//   POST /v1/reload              the configuration file read again and
//                                swapped in (admin role; engine/engine.h)
//   GET /v1/tap                  ?source=&route=&destination=&state=: events
//                                as committed, one JSON line each, for as
//                                long as the client reads (admin_tap.cc)
//   GET /metrics                 Prometheus text format (engine/metrics.h),
//                                404 until SetMetrics; no token needed
//   GET /v1/whoami, /v1/status, /v1/parked   for the console (admin_status.cc)
//   GET /console/...             the web console's files, no token needed
//                                (admin_console.cc); / redirects there
//
// Responses are JSON renderings of proto/admin.proto. Errors are
// {"error": "..."} with 400 (bad parameter), 404 (no such message) or 500.
// A query parameter a /v1 route does not take is refused (400, naming it:
// AcceptOnlyParams in engine/admin_responses.h).
//
// Access: every request needs `Authorization: Bearer <token>` (see
// engine/auth.h) except /healthz, /readyz and /metrics, which stay open for
// probes and scrapers and carry no patient data. GET (and HEAD) needs the
// viewer role or above; any other method (POST, DELETE...) the operator role
// or above. A missing or unknown token is answered 401 with
// `WWW-Authenticate: Bearer`, too low a role 403, both as {"error": "..."}.
// The check runs before routing, so that every route, including those added
// later, is covered, and so that an unauthenticated caller cannot tell which
// paths exist. Tokens are never logged.
//
// Connections: engine/admin_listener.h bounds them (in number, per peer, in
// time and in size) before any of this runs, and keeps /healthz and /readyz
// answerable while the API is saturated.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/admin_limits.h"
#include "engine/audit_trail.h"
#include "engine/auth.h"
#include "proto/admin.pb.h"
#include "store/store.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace navette::engine {

class AdminListener;

// The web console's paths (admin_console.cc): open, as they hold no data.
bool IsConsolePath(const std::string& path);
class EventFeed;
class Metrics;

class AdminServer {
 public:
  AdminServer(store::Store& store, std::shared_ptr<const TokenAuthority> tokens,
              AdminLimits limits = {});
  ~AdminServer();

  absl::Status Start(const std::string& host, uint16_t port);
  void Stop();
  void SetReady(bool ready) { ready_ = ready; }
  // The lowest role that sees payloads (engine.admin.payload_role); before
  // Start. Default operator.
  void SetPayloadRole(Role role) { payload_role_ = role; }
  // A reloaded configuration's tokens: requests checked from now on use
  // them. Any thread.
  void SwapTokens(std::shared_ptr<const TokenAuthority> tokens);
  // What POST /v1/reload runs (the engine's Reload); before Start. Without
  // one, the route answers 503.
  using Reloader = std::function<absl::StatusOr<admin::ReloadResponse>(const Principal& who,
                                                                       std::string_view peer)>;
  void SetReloader(Reloader reloader) { reloader_ = std::move(reloader); }
  // What /metrics renders; `metrics` must outlive the server (or be unset
  // with nullptr first).
  void SetMetrics(const Metrics* metrics) { metrics_ = metrics; }
  // What GET /v1/tap follows; `feed` must outlive the server. Without one,
  // the route answers 503.
  void SetEventFeed(EventFeed* feed) { event_feed_ = feed; }
  // What GET /v1/status reports of the destinations and the intake (the
  // engine's schedulers); before Start. Without one, the route answers 503.
  using StatusReader = std::function<admin::StatusResponse()>;
  void SetStatusReader(StatusReader reader) { status_reader_ = std::move(reader); }
  uint16_t port() const { return port_; }

  // Who sent `request`, authenticated again from its Authorization header:
  // for handlers that record who asked (replay, discard). nullopt if the
  // token is missing or unknown (the pre-routing check has already refused
  // such a request on every protected path).
  std::optional<Principal> Caller(const httplib::Request& request) const;
  // Records in the audit trail that the caller of `request` did `action`
  // (engine/audit_trail.h).
  absl::Status Audit(const httplib::Request& request, std::string_view action,
                     const std::vector<uint64_t>& message_ids, std::string_view detail = {});
  // The HTTP server, for other files to add their routes (engine/admin_actions.h)
  // before Start().
  httplib::Server& http();

 private:
  void RegisterRoutes();
  void RegisterAuditRoute();
  void RegisterReloadRoute();
  void RegisterIdentitiesRoute();                    // admin_identities.cc
  void RegisterExportRoute();                        // admin_export.cc
  void RegisterTapRoute(const AdminLimits& limits);  // admin_tap.cc
  void RegisterConsoleRoutes();                      // admin_console.cc
  void RegisterStatusRoutes();                       // admin_status.cc
  // Whether the caller of `request` may see payloads.
  bool MaySeePayload(const httplib::Request& request) const;
  // Installs the token and role check, run on every request after the
  // listener's own checks.
  void RequireTokens();

  store::Store& store_;
  mutable std::mutex tokens_mu_;
  std::shared_ptr<const TokenAuthority> tokens_;  // guarded by tokens_mu_
  AuditTrail audit_;
  std::atomic<Role> payload_role_{Role::kOperator};
  Reloader reloader_;
  StatusReader status_reader_;
  std::unique_ptr<AdminListener> server_;
  std::atomic<bool> ready_{false};
  std::atomic<const Metrics*> metrics_{nullptr};
  std::atomic<EventFeed*> event_feed_{nullptr};
  uint16_t port_ = 0;
};

}  // namespace navette::engine
