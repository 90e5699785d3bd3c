// `navette messages replay`, `discard`, `release` and `resend`: operator actions
// through the admin API. A replay of one message answers at once; a bulk
// replay (--state dead) starts a job on the engine and follows it, drawing a
// progress bar on a terminal and printing a summary at the end.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/util/time_util.h>

#include "common/printable.h"
#include "engine/cli/admin_client.h"
#include "engine/cli/commands.h"
#include "engine/cli/time_bound.h"
#include "proto/admin.pb.h"

namespace navette::engine::cli {
namespace {

using google::protobuf::util::TimeUtil;

// How often a bulk replay's job is polled.
constexpr auto kPollInterval = std::chrono::milliseconds(200);
constexpr int kBarWidth = 30;

// How long a release or a reroute waits for the router to take the message.
constexpr auto kRouterWait = std::chrono::seconds(10);

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + Printable(name);
  return joined;
}

// A released or rerouted message is `received` until the router takes it,
// a few milliseconds later: what the operator wants to know is what came of
// it (delivered, queued, parked again). Polls the message until it leaves
// `received` or kRouterWait passes, and says where it is.
std::string StateAfterRouting(const AdminClient& client, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + kRouterWait;
  auto pause = std::chrono::milliseconds(20);
  admin::MessageDetail detail;
  while (true) {
    absl::Status status = client.Get("/v1/messages/" + UrlEncode(id), detail);
    if (!status.ok()) return fmt::format("state unknown: {}", std::string(status.message()));
    if (detail.summary().state() != "received") break;
    if (std::chrono::steady_clock::now() >= deadline) {
      return fmt::format("still waiting for the router after {} s (now received)",
                         std::chrono::seconds(kRouterWait).count());
    }
    std::this_thread::sleep_for(pause);  // polling interval; the state decides
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
  const admin::MessageSummary& summary = detail.summary();
  std::string said = "now " + summary.state();
  for (const admin::RouteHoldSummary& hold : summary.holds()) {
    said += fmt::format("; route {} {}: {}", Printable(hold.route()), hold.state(),
                        Printable(hold.reason()));
  }
  std::string destinations;
  for (const admin::DestinationSummary& destination : summary.destinations()) {
    destinations += fmt::format("{}{} {}", destinations.empty() ? "" : ", ",
                                Printable(destination.destination()), destination.state());
  }
  if (!destinations.empty()) said += " (" + destinations + ")";
  return said;
}

std::string ProgressLine(const admin::Job& job) {
  const uint64_t total = std::max(job.total(), job.done());
  const int filled = total == 0 ? kBarWidth : static_cast<int>(kBarWidth * job.done() / total);
  return fmt::format("[{}{}] {}/{}  replayed {}  skipped {}  failed {}", std::string(filled, '#'),
                     std::string(kBarWidth - filled, '.'), job.done(), total, job.replayed(),
                     job.skipped(), job.failed());
}

// Reads a --since or --until value into `bound`; says what is wrong if it
// cannot.
bool ParseBound(const std::string& text, const char* option, google::protobuf::Timestamp& bound) {
  auto at = ParseTimeBound(text, std::chrono::system_clock::now());
  if (!at.ok()) {
    std::cerr << "navette messages replay: " << option << ": " << at.status().message() << "\n";
    return false;
  }
  bound = *at;
  return true;
}

int RunBulkReplay(const ReplayOptions& options, const AdminClient& client) {
  admin::BulkReplayRequest request;
  request.set_state(options.state);
  request.set_destination(options.destination);
  request.set_reroute(options.reroute);
  // Only the bounds given are set: an empty Timestamp would be a bound at 1970.
  if (!options.since.empty() && !ParseBound(options.since, "--since", *request.mutable_since())) {
    return 2;
  }
  if (!options.until.empty() && !ParseBound(options.until, "--until", *request.mutable_until())) {
    return 2;
  }
  if (!options.since.empty() && !options.until.empty() &&
      TimeUtil::TimestampToMicroseconds(request.since()) >=
          TimeUtil::TimestampToMicroseconds(request.until())) {
    std::cerr << "navette messages replay: --since must be before --until\n";
    return 2;
  }

  admin::Job job;
  absl::Status status = client.Post("/v1/replays", request, job);
  if (!status.ok()) {
    std::cerr << "navette messages replay: " << status.message() << "\n";
    return 1;
  }
  const bool terminal = isatty(STDERR_FILENO) == 1;
  std::string shown;
  while (job.state() == "running") {
    if (terminal) {
      const std::string line = ProgressLine(job);
      if (line != shown) std::cerr << "\r" << line << std::flush;
      shown = line;
    }
    std::this_thread::sleep_for(kPollInterval);
    status = client.Get("/v1/replays/" + UrlEncode(job.id()), job);
    if (!status.ok()) {
      if (terminal) std::cerr << "\n";
      std::cerr << "navette messages replay: lost track of job " << job.id() << ": "
                << status.message() << "\n";
      return 1;
    }
  }
  if (terminal) std::cerr << "\r" << ProgressLine(job) << "\n";
  std::cout << fmt::format("replay job {} {}: {} replayed, {} skipped, {} failed (of {} dead)\n",
                           job.id(), job.state(), job.replayed(), job.skipped(), job.failed(),
                           job.total());
  if (job.state() == "failed") {
    std::cerr << "navette messages replay: job failed: " << job.error() << "\n";
    return 1;
  }
  return job.failed() > 0 ? 1 : 0;
}

}  // namespace

int RunMessagesReplay(const ReplayOptions& options) {
  const AdminClient client = AdminClient::FromOptions(options.admin);
  if (options.id.empty()) {
    if (options.state.empty()) {
      std::cerr << "navette messages replay: give a message ID, or --state dead for a bulk "
                   "replay\n";
      return 2;
    }
    return RunBulkReplay(options, client);
  }
  if (!options.state.empty() || !options.since.empty() || !options.until.empty()) {
    std::cerr << "navette messages replay: --state, --since and --until select messages for a "
                 "bulk replay; they do not go with a message ID\n";
    return 2;
  }
  admin::ReplayRequest request;
  request.set_destination(options.destination);
  request.set_reroute(options.reroute);
  admin::ActionResponse response;
  absl::Status status =
      client.Post("/v1/messages/" + UrlEncode(options.id) + "/replay", request, response);
  if (!status.ok()) {
    std::cerr << "navette messages replay: " << status.message() << "\n";
    return 1;
  }
  if (options.reroute) {
    std::cout << fmt::format("{} rerouted: {}\n", Printable(response.id()),
                             StateAfterRouting(client, response.id()));
    return 0;
  }
  std::cout << fmt::format("{} replayed: now {} ({})\n", Printable(response.id()), response.state(),
                           Joined(response.destinations()));
  return 0;
}

int RunMessagesDiscard(const DiscardOptions& options) {
  admin::ActionResponse response;
  absl::Status status = AdminClient::FromOptions(options.admin)
                            .Post("/v1/messages/" + UrlEncode(options.id) + "/discard",
                                  google::protobuf::Empty(), response);
  if (!status.ok()) {
    std::cerr << "navette messages discard: " << status.message() << "\n";
    return 1;
  }
  // What the discard gave up: deliveries (pending or dead), routes (parked
  // or failed).
  std::string what;
  if (!response.destinations().empty()) {
    what = fmt::format("deliveries to {} dropped; ", Joined(response.destinations()));
  }
  if (!response.routes().empty()) {
    what += fmt::format("route{} {} dropped; ", response.routes().size() == 1 ? "" : "s",
                        Joined(response.routes()));
  }
  if (what.empty()) what = "nothing was pending, dead or parked; ";
  std::cout << fmt::format("{} discarded: {}kept with its history, now {}\n",
                           Printable(response.id()), what, response.state());
  return 0;
}

int RunMessagesRelease(const DiscardOptions& options) {
  const AdminClient client = AdminClient::FromOptions(options.admin);
  admin::ActionResponse response;
  absl::Status status = client.Post("/v1/messages/" + UrlEncode(options.id) + "/release",
                                    google::protobuf::Empty(), response);
  if (!status.ok()) {
    std::cerr << "navette messages release: " << status.message() << "\n";
    return 1;
  }
  std::cout << fmt::format("{} released: route{} {} sent back to the router; {}\n",
                           Printable(response.id()), response.routes().size() == 1 ? "" : "s",
                           Joined(response.routes()), StateAfterRouting(client, response.id()));
  return 0;
}

int RunMessagesResend(const ResendOptions& options) {
  admin::ResendRequest request;
  request.set_destination(options.to);
  admin::ActionResponse response;
  absl::Status status =
      AdminClient::FromOptions(options.admin)
          .Post("/v1/messages/" + UrlEncode(options.id) + "/resend", request, response);
  if (!status.ok()) {
    std::cerr << "navette messages resend: " << status.message() << "\n";
    return 1;
  }
  std::cout << fmt::format("{} resent to {} as received: now {}\n", Printable(response.id()),
                           Joined(response.destinations()), response.state());
  return 0;
}

}  // namespace navette::engine::cli
