// `navette messages list` and `show`. Everything a peer may have written (an
// MSH-10, a peer's error answer, a reason quoting the message, the HL7 text)
// goes through navette::Printable before it reaches the terminal; --json
// output is JSON, whose writer escapes control characters itself.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "common/printable.h"
#include "engine/admin_views.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "engine/cli/hl7_display.h"
#include "engine/cli/time_bound.h"
#include "proto/admin.pb.h"
#include "store/store.h"

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;

// Times are printed in RFC 3339, UTC (the trailing Z says so).
std::string Time(const google::protobuf::Timestamp& at) { return TimeUtil::ToString(at); }

std::string P(const std::string& text) { return Printable(text); }

// "1 attempt", "3 attempts".
std::string Attempts(uint32_t count) {
  return fmt::format("{} attempt{}", count, count == 1 ? "" : "s");
}

// The width of the history's type column: its longest word, so that no type
// runs into the next column.
size_t EventTypeWidth() {
  size_t width = 0;
  const google::protobuf::EnumDescriptor& types = *store::EventType_descriptor();
  for (int i = 0; i < types.value_count(); ++i) {
    width = std::max(
        width,
        store::EventTypeName(static_cast<store::EventType>(types.value(i)->number())).size());
  }
  return width;
}

// One destination of a message, for `show`.
std::string DestinationLine(const admin::DestinationSummary& destination) {
  std::string line =
      fmt::format("{} via {}: ", P(destination.destination()), P(destination.route()));
  const std::string& error = destination.last_error();
  if (destination.dead_at_step()) {
    // Never sent: no attempt to count.
    return line + fmt::format("dead at a step of the route, never sent ({})", P(error));
  }
  line += fmt::format("{} after {}", destination.state(), Attempts(destination.attempts()));
  if (destination.has_next_attempt_at()) {
    line += fmt::format(", next attempt at {}", Time(destination.next_attempt_at()));
  }
  if (!error.empty()) line += fmt::format(" (last error: {})", P(error));
  return line;
}

// Why a message is not (yet) delivered, one line each: its routes held
// (parked, failed) and its dead destinations. The first thing an analyst asks.
std::vector<std::string> Reasons(const admin::MessageSummary& message) {
  std::vector<std::string> reasons;
  for (const admin::RouteHoldSummary& hold : message.holds()) {
    reasons.push_back(
        fmt::format("route {} {}: {}", P(hold.route()), hold.state(), P(hold.reason())));
  }
  for (const admin::DestinationSummary& destination : message.destinations()) {
    if (destination.state() != "dead") continue;
    reasons.push_back(fmt::format("destination {} dead: {}", P(destination.destination()),
                                  P(destination.last_error())));
  }
  return reasons;
}

int PrintDelivered(const ShowOptions& options) {
  std::string query = fmt::format("/v1/messages/{}/delivered?destination={}", UrlEncode(options.id),
                                  UrlEncode(options.as_delivered));
  if (!options.route.empty()) query += "&route=" + UrlEncode(options.route);
  admin::DeliveredMessage delivered;
  absl::Status status = AdminClient::FromOptions(options.admin).Get(query, delivered);
  if (!status.ok()) {
    std::cerr << "navette messages show: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << ToJson(delivered) << "\n";
    return 0;
  }
  std::cout << fmt::format(
      "Message {} for destination {} (route {}, delivery {}; {}; {} bytes in {}):\n",
      P(delivered.id()), P(delivered.destination()), P(delivered.route()), delivered.state(),
      delivered.rewritten() ? "rewritten by the route's steps" : "the message as received",
      delivered.bytes(), P(delivered.charset()));
  for (const std::string& line : DisplaySegments(delivered.text(), options.raw)) {
    std::cout << "  " << line << "\n";
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::string> SearchQuery(const SearchOptions& search) {
  std::string query;
  for (const auto& [name, value] :
       {std::pair{"state", &search.state}, std::pair{"source", &search.source},
        std::pair{"route", &search.route}, std::pair{"destination", &search.destination},
        std::pair{"ipp", &search.ipp}, std::pair{"ins", &search.ins},
        std::pair{"control_id", &search.control_id}, std::pair{"document_id", &search.document_id},
        std::pair{"set_id", &search.set_id}, std::pair{"field", &search.field},
        std::pair{"before", &search.before}}) {
    if (!value->empty()) query += fmt::format("&{}={}", name, UrlEncode(*value));
  }
  for (const auto& [name, value] :
       {std::pair{"since", &search.since}, std::pair{"until", &search.until}}) {
    if (value->empty()) continue;
    auto bound = ParseTimeBound(*value, std::chrono::system_clock::now());
    if (!bound.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("--{}: {}", name, std::string(bound.status().message())));
    }
    query += fmt::format("&{}={}", name, UrlEncode(TimeUtil::ToString(*bound)));
  }
  return query;
}

int RunMessagesList(const ListOptions& options) {
  auto filters = SearchQuery(options.search);
  if (!filters.ok()) {
    std::cerr << "navette messages list: " << filters.status().message() << "\n";
    return 2;
  }
  const std::string query = fmt::format("/v1/messages?limit={}{}", options.limit, *filters);
  admin::ListMessagesResponse response;
  absl::Status status = AdminClient::FromOptions(options.admin).Get(query, response);
  if (!status.ok()) {
    std::cerr << "navette messages list: " << status.message() << "\n";
    return 1;
  }
  // The next page's command goes to stderr: stdout stays the table (or
  // the JSON lines) a script reads.
  if (!response.next_cursor().empty()) {
    std::cerr << fmt::format("more: add --before {} for the next page\n", response.next_cursor());
  }
  if (options.json) {
    for (const admin::MessageSummary& message : response.messages()) {
      std::cout << ToJson(message) << "\n";  // one line
    }
    return 0;
  }
  std::cout << fmt::format("{:<16}  {:<9}  {:<12}  {:<20}  {:<16}  {}\n", "ID", "STATE", "SOURCE",
                           "CONTROL-ID", "TYPE", "RECEIVED");
  for (const admin::MessageSummary& message : response.messages()) {
    std::cout << fmt::format("{:<16}  {:<9}  {:<12}  {:<20}  {:<16}  {}\n", P(message.id()),
                             message.state(), P(message.source()), P(message.control_id()),
                             P(message.message_type()), Time(message.received_at()));
    for (const std::string& reason : Reasons(message)) {
      std::cout << fmt::format("{:<16}  {}\n", "", reason);
    }
  }
  if (response.messages().empty()) std::cerr << "(no messages)\n";
  return 0;
}

int RunMessagesShow(const ShowOptions& options) {
  if (!options.route.empty() && options.as_delivered.empty()) {
    std::cerr << "navette messages show: --route goes with --as-delivered\n";
    return 2;
  }
  if (!options.as_delivered.empty()) return PrintDelivered(options);
  admin::MessageDetail detail;
  absl::Status status = AdminClient::FromOptions(options.admin)
                            .Get("/v1/messages/" + UrlEncode(options.id) +
                                     (options.no_payload ? "?payload=false" : ""),
                                 detail);
  if (!status.ok()) {
    std::cerr << "navette messages show: " << status.message() << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << ToJson(detail) << "\n";
    return 0;
  }
  const admin::MessageSummary& summary = detail.summary();
  std::cout << "Message " << P(summary.id()) << "\n";
  std::cout << fmt::format("  state:        {}\n", summary.state());
  if (!summary.superseded_by().empty()) {
    std::cout << fmt::format("  superseded:   by {} (an edit; this message is kept as received)\n",
                             P(summary.superseded_by()));
  }
  if (!summary.edited_from().empty()) {
    std::cout << fmt::format("  edited from:  {}\n", P(summary.edited_from()));
  }
  std::cout << fmt::format("  source:       {} (peer {})\n", P(summary.source()), P(detail.peer()));
  std::cout << fmt::format("  type:         {}   control id: {}   version: {}\n",
                           P(summary.message_type()), P(summary.control_id()), P(detail.version()));
  std::cout << fmt::format("  sending:      {} / {}\n", P(detail.sending_application()),
                           P(detail.sending_facility()));
  std::cout << fmt::format("  receiving:    {} / {}\n", P(detail.receiving_application()),
                           P(detail.receiving_facility()));
  std::cout << fmt::format("  charset:      {}\n", P(detail.charset()));
  std::cout << fmt::format("  received:     {}\n", Time(summary.received_at()));
  std::cout << fmt::format("  updated:      {}\n", Time(summary.updated_at()));
  std::string routes;
  for (const std::string& route : summary.routes()) {
    routes += (routes.empty() ? "" : ", ") + P(route);
  }
  std::cout << fmt::format("  routes:       {}\n", routes.empty() ? "-" : routes);
  std::cout << fmt::format("  config:       {}\n", summary.config_version().empty()
                                                       ? "- (not routed yet)"
                                                       : summary.config_version());
  for (const admin::DestinationSummary& destination : summary.destinations()) {
    std::cout << "  destination:  " << DestinationLine(destination) << "\n";
  }
  for (const admin::RouteHoldSummary& hold : summary.holds()) {
    std::cout << fmt::format("  route:        {} {} since {}: {}\n", P(hold.route()), hold.state(),
                             Time(hold.since()), P(hold.reason()));
  }
  if (!detail.payload_withheld().empty()) {
    std::cout << fmt::format("\nHL7: not shown: {}\n", P(detail.payload_withheld()));
  } else {
    std::cout << "\nHL7:\n";
    for (const std::string& line : DisplaySegments(detail.raw(), options.raw)) {
      std::cout << "  " << line << "\n";
    }
  }
  std::cout << "\nHistory:\n";
  const size_t type_width = EventTypeWidth();
  for (const admin::HistoryEvent& event : detail.history()) {
    std::vector<std::string> parts;
    if (!event.route().empty()) parts.push_back("route=" + P(event.route()));
    if (!event.destination().empty()) parts.push_back("destination=" + P(event.destination()));
    if (event.attempt() > 0) parts.push_back(fmt::format("attempt={}", event.attempt()));
    if (event.duration_seconds() > 0)
      parts.push_back(fmt::format("({:.3f} s)", event.duration_seconds()));
    if (!event.actor().empty()) parts.push_back("by " + P(event.actor()));
    std::string said = event.detail();
    if (event.has_next_attempt_at()) {
      said += fmt::format("; next attempt at {}", Time(event.next_attempt_at()));
    }
    if (!said.empty()) parts.push_back(P(said));
    std::string line = fmt::format("  {}  {:<{}}", Time(event.at()), P(event.type()), type_width);
    for (const std::string& part : parts) line += "  " + part;
    line.erase(line.find_last_not_of(' ') + 1);
    std::cout << line << "\n";
  }
  return 0;
}

}  // namespace navette::engine::cli
