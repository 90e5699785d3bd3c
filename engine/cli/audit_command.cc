// `navette audit list`: the admin API's GET /v1/audit, one line an entry.
// Users, details and peers are printed through Printable (a user name is
// configuration, a detail may quote a refusal).
#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "common/printable.h"
#include "engine/admin_views.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "engine/cli/time_bound.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {

int RunAuditList(const AuditListOptions& options) {
  std::string query = fmt::format("?limit={}", options.limit);
  if (!options.user.empty()) query += "&user=" + UrlEncode(options.user);
  if (!options.message.empty()) query += "&message=" + UrlEncode(options.message);
  if (!options.cursor.empty()) query += "&cursor=" + UrlEncode(options.cursor);
  if (!options.since.empty()) {
    auto since = ParseTimeBound(options.since, std::chrono::system_clock::now());
    if (!since.ok()) {
      std::cerr << "navette audit list: --since: " << since.status().message() << "\n";
      return 2;
    }
    query += "&since=" + UrlEncode(google::protobuf::util::TimeUtil::ToString(*since));
  }
  admin::AuditListResponse page;
  absl::Status status = AdminClient::FromOptions(options.admin).Get("/v1/audit" + query, page);
  if (!status.ok()) {
    std::cerr << "navette audit list: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << ToJson(page) << "\n";
    return 0;
  }
  if (page.entries().empty()) std::cout << "no audit entries\n";
  for (const admin::AuditEntryView& entry : page.entries()) {
    std::string ids;
    for (const std::string& id : entry.message_ids()) ids += (ids.empty() ? "" : ",") + id;
    std::cout << fmt::format("{}  {:<16} {:<15} {:<34} {}{}{}\n",
                             google::protobuf::util::TimeUtil::ToString(entry.at()),
                             Printable(entry.user()) + " (" + entry.role() + ")", entry.action(),
                             ids.empty() ? "-" : ids, Printable(entry.detail()),
                             entry.detail().empty() ? "" : "  ", "from " + Printable(entry.peer()));
  }
  if (!page.next_cursor().empty()) {
    std::cout << fmt::format("more: navette audit list --cursor {}\n", page.next_cursor());
  }
  return 0;
}

}  // namespace navette::engine::cli
