#include "engine/admin_server.h"

#include <charconv>

#include <fmt/format.h>

#include <httplib.h>
#include <spdlog/spdlog.h>
#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "engine/admin_views.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

constexpr size_t kMaxListLimit = 10000;

void SendJson(httplib::Response& response, int status, const std::string& json) {
  response.status = status;
  response.set_content(json, "application/json");
}

void SendError(httplib::Response& response, int status, const std::string& message) {
  admin::ErrorResponse error;
  error.set_error(message);
  SendJson(response, status, ToJson(error));
}

}  // namespace

AdminServer::AdminServer(store::Store& store)
    : store_(store), server_(std::make_unique<httplib::Server>()) {
  RegisterRoutes();
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

  server_->Get(
      "/v1/messages", [this](const httplib::Request& request, httplib::Response& response) {
        store::ListFilter filter;
        if (request.has_param("state")) {
          const std::string state = request.get_param_value("state");
          auto status = store::ParseStatusName(state);
          if (!status) {
            return SendError(response, 400,
                             fmt::format("unknown state '{}' (expected received, routed, queued, "
                                         "retrying, delivered, dead, unrouted, parked, discarded)",
                                         state));
          }
          filter.status = *status;
        }
        filter.source = request.get_param_value("source");
        filter.route = request.get_param_value("route");
        if (request.has_param("limit")) {
          const std::string text = request.get_param_value("limit");
          size_t limit = 0;
          auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
          if (error != std::errc() || end != text.data() + text.size() || limit == 0 ||
              limit > kMaxListLimit) {
            return SendError(response, 400,
                             fmt::format("limit must be a number from 1 to {}", kMaxListLimit));
          }
          filter.limit = limit;
        }
        if (request.has_param("before")) {
          auto before = store::ParseMessageId(request.get_param_value("before"));
          if (!before) return SendError(response, 400, "before must be a message id");
          filter.before_id = *before;
        }
        auto listed = store_.ListMessages(filter);
        if (!listed.ok()) return SendError(response, 500, std::string(listed.status().message()));
        admin::ListMessagesResponse body;
        for (const store::ListedMessage& message : *listed) {
          *body.add_messages() = ToSummary(message.id, message.state);
        }
        SendJson(response, 200, ToJson(body));
      });

  server_->Get(R"(/v1/messages/([^/]+))", [this](const httplib::Request& request,
                                                 httplib::Response& response) {
    const std::string id_text = request.matches[1];
    auto id = store::ParseMessageId(id_text);
    if (!id) return SendError(response, 400, fmt::format("'{}' is not a message id", id_text));
    auto message = store_.GetMessage(*id);
    if (absl::IsNotFound(message.status())) {
      return SendError(response, 404, fmt::format("no message {}", id_text));
    }
    if (!message.ok()) return SendError(response, 500, std::string(message.status().message()));
    auto state = store_.GetState(*id);
    if (!state.ok()) return SendError(response, 500, std::string(state.status().message()));
    auto history = store_.GetHistory(*id);
    if (!history.ok()) return SendError(response, 500, std::string(history.status().message()));
    SendJson(response, 200, ToJson(ToDetail(*id, *message, *state, *history)));
  });
}

absl::Status AdminServer::Start(const std::string& host, uint16_t port) {
  if (!server_->bind_to_port(host, port)) {
    return absl::UnavailableError(fmt::format(
        "admin API: cannot listen on {}:{} (in use, or not an address here)", host, port));
  }
  port_ = port;
  thread_ = std::thread([this] {
    SetThreadName("admin-api");
    server_->listen_after_bind();
  });
  return absl::OkStatus();
}

void AdminServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace navette::engine
