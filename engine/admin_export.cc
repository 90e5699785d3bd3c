// GET /v1/export: a selection of messages as received, bytes unchanged, for
// `navette messages export` to write as .hl7 files or one batch file
// (docs/operations.md, "Exporting messages").
//
// It takes every filter of GET /v1/messages (admin_search.h) and pages the
// same way (?before=, the previous page's next_cursor), newest first. A page
// holds at most ?limit= messages (1 to 1000, default 100) and stops early
// past kMaxExportPageBytes, so that a page of large documents stays a
// reasonable answer; its cursor then starts after the last message given.
// Exporting is viewing payloads: the payload role only, each page audited as
// export with the ids it holds.
#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_search.h"
#include "engine/admin_server.h"
#include "engine/admin_views.h"
#include "proto/admin.pb.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

constexpr size_t kMaxExportPage = 1000;
constexpr size_t kDefaultExportPage = 100;
constexpr size_t kMaxExportPageBytes = 32 << 20;

}  // namespace

void AdminServer::RegisterExportRoute() {
  server_->Get("/v1/export", [this](const httplib::Request& request, httplib::Response& response) {
    if (!AcceptOnlyParams(
            request, response,
            {"state", "source", "route", "destination", "ipp", "ins", "control_id", "document_id",
             "set_id", "field", "since", "until", "limit", "before"})) {
      return;
    }
    if (!MaySeePayload(request)) {
      return SendError(response, 403,
                       fmt::format("exported messages are payloads, given to the {} role and "
                                   "above (engine.admin.payload_role)",
                                   RoleName(payload_role_.load())));
    }
    auto filter = SearchFilterOf(request, store_);
    if (!filter.ok()) return SendError(response, 400, std::string(filter.status().message()));
    if (!request.has_param("limit")) filter->limit = kDefaultExportPage;
    if (filter->limit > kMaxExportPage) {
      return SendError(
          response, 400,
          fmt::format("limit must be a number from 1 to {} for an export page", kMaxExportPage));
    }
    auto found = store_.Search(*filter);
    if (!found.ok()) return SendError(response, found.status());

    admin::ExportResponse body;
    std::vector<uint64_t> ids;
    size_t bytes = 0;
    for (const store::ListedMessage& listed : found->messages) {
      if (!ids.empty() && bytes >= kMaxExportPageBytes) break;
      auto message = store_.GetMessage(listed.id);
      if (!message.ok()) return SendError(response, message.status());
      const navette::Envelope& envelope = message->envelope();
      admin::ExportedMessage* out = body.add_messages();
      out->set_id(store::FormatMessageId(listed.id));
      out->set_control_id(DisplayText(listed.state.control_id()));
      out->set_charset(envelope.charset());
      *out->mutable_received_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(envelope.received_at_us());
      out->set_raw(envelope.raw());
      bytes += envelope.raw().size();
      ids.push_back(listed.id);
    }
    if (ids.size() < found->messages.size()) {
      body.set_next_cursor(store::FormatMessageId(ids.back()));
    } else if (found->next_before_id != 0) {
      body.set_next_cursor(store::FormatMessageId(found->next_before_id));
    }
    if (!ids.empty()) {
      const std::string detail =
          fmt::format("{} message{}, {} bytes", ids.size(), ids.size() == 1 ? "" : "s", bytes);
      if (absl::Status audited = Audit(request, "export", ids, detail); !audited.ok()) {
        return SendError(response, 500,
                         "the messages are not given: their export cannot be recorded in the "
                         "audit trail");
      }
    }
    SendJson(response, 200, ToJson(body));
  });
}

}  // namespace navette::engine
