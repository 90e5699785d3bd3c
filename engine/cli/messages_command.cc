#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "engine/admin_views.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string Time(const google::protobuf::Timestamp& at) { return TimeUtil::ToString(at); }

std::string Compact(const google::protobuf::Message& message) {
  std::string json = ToJson(message);
  return json;  // ToJson prints on one line
}

}  // namespace

int RunMessagesList(const ListOptions& options) {
  std::string query = fmt::format("/v1/messages?limit={}", options.limit);
  if (!options.state.empty()) query += "&state=" + UrlEncode(options.state);
  if (!options.source.empty()) query += "&source=" + UrlEncode(options.source);
  if (!options.route.empty()) query += "&route=" + UrlEncode(options.route);
  admin::ListMessagesResponse response;
  absl::Status status = AdminClient::FromOptions(options.admin).Get(query, response);
  if (!status.ok()) {
    std::cerr << "navette messages list: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    for (const admin::MessageSummary& message : response.messages()) {
      std::cout << Compact(message) << "\n";
    }
    return 0;
  }
  std::cout << fmt::format("{:<16}  {:<9}  {:<12}  {:<20}  {:<16}  {}\n", "ID", "STATE", "SOURCE",
                           "CONTROL-ID", "TYPE", "RECEIVED");
  for (const admin::MessageSummary& message : response.messages()) {
    std::cout << fmt::format("{:<16}  {:<9}  {:<12}  {:<20}  {:<16}  {}\n", message.id(),
                             message.state(), message.source(), message.control_id(),
                             message.message_type(), Time(message.received_at()));
    // Why a route waits or failed: the first thing an analyst asks.
    for (const admin::RouteHoldSummary& hold : message.holds()) {
      std::cout << fmt::format("{:<16}  route {} {}: {}\n", "", hold.route(), hold.state(),
                               hold.reason());
    }
  }
  if (response.messages().empty()) std::cerr << "(no messages)\n";
  return 0;
}

int RunMessagesShow(const ShowOptions& options) {
  admin::MessageDetail detail;
  absl::Status status =
      AdminClient::FromOptions(options.admin).Get("/v1/messages/" + UrlEncode(options.id), detail);
  if (!status.ok()) {
    std::cerr << "navette messages show: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << Compact(detail) << "\n";
    return 0;
  }
  const admin::MessageSummary& summary = detail.summary();
  std::cout << "Message " << summary.id() << "\n";
  std::cout << fmt::format("  state:        {}\n", summary.state());
  std::cout << fmt::format("  source:       {} (peer {})\n", summary.source(), detail.peer());
  std::cout << fmt::format("  type:         {}   control id: {}   version: {}\n",
                           summary.message_type(), summary.control_id(), detail.version());
  std::cout << fmt::format("  sending:      {} / {}\n", detail.sending_application(),
                           detail.sending_facility());
  std::cout << fmt::format("  receiving:    {} / {}\n", detail.receiving_application(),
                           detail.receiving_facility());
  std::cout << fmt::format("  charset:      {}\n", detail.charset());
  std::cout << fmt::format("  received:     {}\n", Time(summary.received_at()));
  std::cout << fmt::format("  updated:      {}\n", Time(summary.updated_at()));
  std::string routes;
  for (const std::string& route : summary.routes()) routes += (routes.empty() ? "" : ", ") + route;
  std::cout << fmt::format("  routes:       {}\n", routes.empty() ? "-" : routes);
  for (const admin::DestinationSummary& destination : summary.destinations()) {
    std::cout << fmt::format(
        "  destination:  {} via {}: {} after {} attempt(s){}\n", destination.destination(),
        destination.route(), destination.state(), destination.attempts(),
        destination.last_error().empty() ? "" : " (last error: " + destination.last_error() + ")");
  }
  for (const admin::RouteHoldSummary& hold : summary.holds()) {
    std::cout << fmt::format("  route:        {} {} since {}: {}\n", hold.route(), hold.state(),
                             Time(hold.since()), hold.reason());
  }
  std::cout << "\nHL7:\n";
  const std::string& raw = detail.raw();
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find_first_of("\r\n", start);
    if (end == std::string::npos) end = raw.size();
    if (end > start) std::cout << "  " << raw.substr(start, end - start) << "\n";
    start = end + 1;
  }
  std::cout << "\nHistory:\n";
  for (const admin::HistoryEvent& event : detail.history()) {
    std::vector<std::string> parts;
    if (!event.route().empty()) parts.push_back("route=" + event.route());
    if (!event.destination().empty()) parts.push_back("destination=" + event.destination());
    if (event.attempt() > 0) parts.push_back(fmt::format("attempt={}", event.attempt()));
    if (event.duration_seconds() > 0)
      parts.push_back(fmt::format("({:.3f} s)", event.duration_seconds()));
    if (!event.actor().empty()) parts.push_back("by " + event.actor());
    if (!event.detail().empty()) parts.push_back(event.detail());
    std::string line = fmt::format("  {}  {:<15}", Time(event.at()), event.type());
    for (size_t i = 0; i < parts.size(); ++i) line += (i == 0 ? "" : "  ") + parts[i];
    std::cout << line << "\n";
  }
  return 0;
}

}  // namespace navette::engine::cli
