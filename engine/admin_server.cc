#include "engine/admin_server.h"

#include <cctype>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include <httplib.h>
#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"
#include "common/printable.h"

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_search.h"
#include "engine/admin_views.h"
#include "engine/metrics.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

// Paths anyone may read: liveness and readiness probes, the metrics
// scraper, the console's static files. They carry no patient data.
bool IsOpenPath(const std::string& path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics" || IsConsolePath(path);
}

// Reading needs a viewer, the audit trail an admin; anything that may
// change state an operator.
Role RequiredRole(const std::string& method, const std::string& path) {
  if (path == "/v1/audit" || path.rfind("/v1/audit/", 0) == 0 || path == "/v1/reload") {
    return Role::kAdmin;
  }
  return method == "GET" || method == "HEAD" ? Role::kViewer : Role::kOperator;
}

// The token of an `Authorization: Bearer <token>` header; empty if absent
// or of another scheme. The scheme name is case-insensitive (RFC 9110).
std::string_view BearerToken(const httplib::Request& request) {
  const auto header = request.headers.find("Authorization");
  if (header == request.headers.end()) return {};
  std::string_view value = header->second;
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// A request path made safe for one log line: control characters replaced,
// length bounded (the path is the caller's, not ours).
std::string LoggablePath(const std::string& path) {
  constexpr size_t kMax = 200;
  std::string out;
  for (char c : path.substr(0, kMax)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  }
  if (path.size() > kMax) out += "...";
  return out;
}

}  // namespace

AdminServer::AdminServer(store::Store& store, std::shared_ptr<const TokenAuthority> tokens,
                         AdminLimits limits)
    : store_(store),
      tokens_(std::move(tokens)),
      audit_(store, Clock::System()),
      server_(std::make_unique<AdminListener>(limits)) {
  RequireTokens();
  RegisterRoutes();
  RegisterAuditRoute();
  RegisterReloadRoute();
  RegisterIdentitiesRoute();
  RegisterExportRoute();
  RegisterTapRoute(limits);
  RegisterConsoleRoutes();
  RegisterStatusRoutes();
  // httplib's own refusals (unknown path, unreadable request) come without a
  // body: give them the API's {"error": ...} too.
  server_->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    std::string why = fmt::format("HTTP {}", response.status);
    if (response.status == 404) why = "no such path in the admin API (see docs/operations.md)";
    if (response.status == 400 && request.method == "POST") {
      why =
          "bad request: a POST needs a body with its length (send {} when there is nothing to say)";
    }
    SendError(response, response.status, why);
  });
}

std::optional<Principal> AdminServer::Caller(const httplib::Request& request) const {
  std::shared_ptr<const TokenAuthority> tokens;
  {
    std::lock_guard lock(tokens_mu_);
    tokens = tokens_;
  }
  return tokens->Authenticate(BearerToken(request));
}

void AdminServer::SwapTokens(std::shared_ptr<const TokenAuthority> tokens) {
  std::lock_guard lock(tokens_mu_);
  tokens_ = std::move(tokens);
}

absl::Status AdminServer::Audit(const httplib::Request& request, std::string_view action,
                                const std::vector<uint64_t>& message_ids, std::string_view detail) {
  // The access check let the request in, so its token is known.
  const Principal who = Caller(request).value_or(Principal{"unknown", Role::kViewer});
  return audit_.Record(who, request.remote_addr, action, message_ids, detail);
}

bool AdminServer::MaySeePayload(const httplib::Request& request) const {
  const std::optional<Principal> caller = Caller(request);
  return caller && caller->role >= payload_role_;
}

void AdminServer::RequireTokens() {
  server_->SetAccessCheck([this](const httplib::Request& request, httplib::Response& response) {
    using Handled = httplib::Server::HandlerResponse;
    if (IsOpenPath(request.path)) return Handled::Unhandled;
    std::optional<Principal> caller = Caller(request);
    if (!caller) {
      // Address and path only: the header may hold a real token mistyped.
      spdlog::warn("admin API: refused {} {} from {}: missing or unknown token", request.method,
                   LoggablePath(request.path), request.remote_addr);
      response.set_header("WWW-Authenticate", "Bearer");
      SendError(response, 401,
                "a valid token is required, as \"Authorization: Bearer TOKEN\" "
                "(see `navette token new`)");
      return Handled::Handled;
    }
    const Role required = RequiredRole(request.method, request.path);
    if (caller->role < required) {
      spdlog::warn("admin API: refused {} {} from {}: user '{}' is {}, {} needed", request.method,
                   LoggablePath(request.path), request.remote_addr, caller->user,
                   RoleName(caller->role), RoleName(required));
      SendError(response, 403,
                fmt::format("user '{}' has the {} role; {} {} needs {} or above", caller->user,
                            RoleName(caller->role), request.method, LoggablePath(request.path),
                            RoleName(required)));
      return Handled::Handled;
    }
    return Handled::Unhandled;
  });
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::RegisterRoutes() {
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    response.status = ready_ ? 200 : 503;
    response.set_content(ready_ ? "ready\n" : "starting\n", "text/plain");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    const Metrics* metrics = metrics_;
    if (metrics == nullptr) return SendError(response, 404, "metrics are not enabled");
    // The version Prometheus expects of the text exposition format.
    response.set_content(metrics->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  server_->Get("/v1/messages",
               [this](const httplib::Request& request, httplib::Response& response) {
                 if (!AcceptOnlyParams(
                         request, response,
                         {"state", "source", "route", "destination", "ipp", "ins", "control_id",
                          "document_id", "set_id", "field", "since", "until", "limit", "before"})) {
                   return;
                 }
                 auto filter = SearchFilterOf(request, store_);
                 if (!filter.ok())
                   return SendError(response, 400, std::string(filter.status().message()));
                 auto found = store_.Search(*filter);
                 if (!found.ok())
                   return SendError(response, 500, std::string(found.status().message()));
                 admin::ListMessagesResponse body;
                 for (const store::ListedMessage& message : found->messages) {
                   *body.add_messages() = ToSummary(message.id, message.state);
                 }
                 if (found->next_before_id != 0) {
                   body.set_next_cursor(store::FormatMessageId(found->next_before_id));
                 }
                 SendJson(response, 200, ToJson(body));
               });

  server_->Get(R"(/v1/messages/([^/]+))", [this](const httplib::Request& request,
                                                 httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"payload"})) return;
    const std::string payload = request.get_param_value("payload");
    if (!payload.empty() && payload != "true" && payload != "false") {
      return SendError(response, 400, "payload must be true or false");
    }
    const std::string id_text = request.matches[1];
    auto id = store::ParseMessageId(id_text);
    if (!id) {
      return SendError(response, 400,
                       fmt::format("'{}' is not a message id", Printable(id_text, 64)));
    }
    auto message = store_.GetMessage(*id);
    if (absl::IsNotFound(message.status())) {
      return SendError(response, 404, fmt::format("no message {}", id_text));
    }
    if (!message.ok()) return SendError(response, 500, std::string(message.status().message()));
    auto state = store_.GetState(*id);
    if (!state.ok()) return SendError(response, 500, std::string(state.status().message()));
    auto history = store_.GetHistory(*id);
    if (!history.ok()) return SendError(response, 500, std::string(history.status().message()));
    admin::MessageDetail detail = ToDetail(*id, *message, *state, *history);
    AddNextAttempts(store_, *state, *detail.mutable_summary());
    if (payload == "false") {
      detail.clear_raw();
      detail.set_payload_withheld("not asked for (payload=false)");
    } else if (!MaySeePayload(request)) {
      detail.clear_raw();
      detail.set_payload_withheld(
          fmt::format("payloads are shown to the {} role and above (engine.admin.payload_role)",
                      RoleName(payload_role_.load())));
    } else if (absl::Status audited = Audit(request, "view_payload", {*id}); !audited.ok()) {
      return SendError(response, 500,
                       "the payload is not shown: its view cannot be recorded in the audit trail");
    }
    SendJson(response, 200, ToJson(detail));
  });

  // What one destination got: the route's output, or the message as received.
  server_->Get(R"(/v1/messages/([^/]+)/delivered)", [this](const httplib::Request& request,
                                                           httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"destination", "route"})) return;
    const std::string id_text = request.matches[1];
    auto id = store::ParseMessageId(id_text);
    if (!id) {
      return SendError(response, 400,
                       fmt::format("'{}' is not a message id", Printable(id_text, 64)));
    }
    const std::string destination = request.get_param_value("destination");
    if (destination.empty()) {
      return SendError(response, 400, "destination= is required: the destination to show");
    }
    if (!MaySeePayload(request)) {
      return SendError(response, 403,
                       fmt::format("what a destination got is a payload, shown to the {} role "
                                   "and above (engine.admin.payload_role)",
                                   RoleName(payload_role_.load())));
    }
    auto delivered = ToDelivered(store_, *id, destination, request.get_param_value("route"));
    if (!delivered.ok()) return SendError(response, delivered.status());
    if (absl::Status audited = Audit(request, "view_delivered", {*id}, destination);
        !audited.ok()) {
      return SendError(response, 500,
                       "the payload is not shown: its view cannot be recorded in the audit trail");
    }
    SendJson(response, 200, *delivered);
  });
}

absl::Status AdminServer::Start(const std::string& host, uint16_t port) {
  if (absl::Status started = server_->Start(host, port); !started.ok()) return started;
  port_ = port;
  return absl::OkStatus();
}

void AdminServer::Stop() { server_->Stop(); }

httplib::Server& AdminServer::http() { return *server_; }

}  // namespace navette::engine
