// GET /v1/audit: the audit trail (engine/audit_trail.h), admin role only
// (the access check in admin_server.cc refuses others with 403).
//
//   ?user=U        entries of one user
//   ?message=ID    entries naming one message
//   ?since=T       at or after T (RFC 3339)
//   ?limit=N       at most N entries (1 to 1000, default 100)
//   ?cursor=C      the next page: next_cursor of the previous answer
#include <charconv>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "common/printable.h"
#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "proto/admin.pb.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

constexpr size_t kMaxAuditPage = 1000;

admin::AuditEntryView ToView(const store::AuditEntry& entry) {
  admin::AuditEntryView view;
  *view.mutable_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(entry.at_us());
  view.set_user(entry.user());
  view.set_role(entry.role());
  view.set_action(entry.action());
  for (uint64_t id : entry.message_ids()) view.add_message_ids(store::FormatMessageId(id));
  view.set_detail(entry.detail());
  view.set_peer(entry.peer());
  return view;
}

}  // namespace

void AdminServer::RegisterAuditRoute() {
  server_->Get("/v1/audit", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"user", "message", "since", "limit", "cursor"})) {
      return;
    }
    store::AuditFilter filter;
    filter.user = request.get_param_value("user");
    filter.cursor = request.get_param_value("cursor");
    if (request.has_param("message")) {
      auto id = store::ParseMessageId(request.get_param_value("message"));
      if (!id) {
        return SendError(response, 400,
                         fmt::format("message: '{}' is not a message id",
                                     Printable(request.get_param_value("message"), 64)));
      }
      filter.message_id = *id;
    }
    if (request.has_param("since")) {
      google::protobuf::Timestamp since;
      if (!google::protobuf::util::TimeUtil::FromString(request.get_param_value("since"), &since)) {
        return SendError(response, 400, "since must be an RFC 3339 time (2026-12-05T10:00:00Z)");
      }
      filter.since_us = google::protobuf::util::TimeUtil::TimestampToMicroseconds(since);
    }
    if (request.has_param("limit")) {
      const std::string text = request.get_param_value("limit");
      size_t limit = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (error != std::errc() || end != text.data() + text.size() || limit == 0 ||
          limit > kMaxAuditPage) {
        return SendError(response, 400,
                         fmt::format("limit must be a number from 1 to {}", kMaxAuditPage));
      }
      filter.limit = limit;
    }
    auto page = store_.ListAudit(filter);
    if (!page.ok()) return SendError(response, page.status());
    admin::AuditListResponse body;
    for (const store::AuditEntry& entry : page->entries) *body.add_entries() = ToView(entry);
    body.set_next_cursor(page->next_cursor);
    SendJson(response, 200, ToJson(body));
  });
}

}  // namespace navette::engine
