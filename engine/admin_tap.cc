// GET /v1/tap?source=&route=&destination=&state=: the events the engine
// commits, as they are committed, one JSON object a line
// (application/x-ndjson), for as long as the client reads. `navette tap`
// reads it (engine/cli/tap_command.cc; docs/operations.md, "Following
// events live").
//
// Lines (proto/admin.proto):
//   TapEvent      an event the filters take: the history's record (time,
//                 kind, route, destination, attempt, detail, actor, next
//                 attempt) with the message's id and source. Never the
//                 payload nor any field of the message, so the viewer role
//                 may follow it.
//   TapNotice     {"heartbeat": time} at once on connecting and after
//                 kHeartbeatInterval without a line, so that a client can
//                 tell a quiet engine from a dead connection;
//                 {"dropped": N} when this tap read too slowly and lost N
//                 events (engine/event_feed.h: the engine never waits).
//
// A long-lived response on a listener built for short ones
// (engine/admin_listener.h), and how the two agree:
//   - deadline: the write deadline is renewed before each write
//     (AdminListener::RenewWriteDeadline), so request_timeout bounds each
//     write, not the stream; a client that stops reading is still dropped.
//   - connections: a tap holds one of max_connections and one of its peer's
//     share while it lasts. The feed serves at most a quarter of
//     max_connections taps at once, and a peer at most half its share
//     (max_connections_per_peer / 2), so that its probes, scrapes and CLI
//     calls keep room; past either, 503 or 429 at once.
//   - stop: the engine closes the feed first, which wakes each tap's thread
//     to end its response at once (the listener's stop, just after, may cut
//     it first: either way the client sees the end and reconnects).
//   - a client that went away is noticed when a write fails: within two
//     heartbeats.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <httplib.h>

#include "engine/admin_listener.h"
#include "engine/admin_responses.h"
#include "engine/admin_server.h"
#include "engine/admin_views.h"
#include "engine/event_feed.h"
#include "engine/peer_slots.h"
#include "proto/admin.pb.h"
#include "store/message_id.h"
#include "store/store.h"

namespace navette::engine {
namespace {

using SteadyClock = std::chrono::steady_clock;
using google::protobuf::util::TimeUtil;

// How long a tap's thread waits for events before it looks again at its
// connection and the server (httplib checks between two calls whether the
// server is stopping).
constexpr std::chrono::milliseconds kWaitSlice{250};
// A heartbeat after this long without a line; `navette tap` gives up on a
// connection after three of them missed.
constexpr std::chrono::seconds kHeartbeatInterval{5};

std::string EventLine(const store::CommittedEvent& committed) {
  const store::Event& event = committed.event;
  admin::TapEvent out;
  *out.mutable_at() = TimeUtil::MicrosecondsToTimestamp(event.at_us());
  out.set_id(store::FormatMessageId(committed.message_id));
  out.set_type(std::string(store::EventTypeName(event.type())));
  out.set_source(committed.source);
  out.set_route(event.route());
  out.set_destination(event.destination());
  out.set_attempt(event.attempt());
  out.set_duration_seconds(static_cast<double>(event.duration_us()) / 1e6);
  out.set_detail(DisplayText(event.detail()));
  out.set_actor(event.actor());
  if (event.next_attempt_us() != 0) {
    *out.mutable_next_attempt_at() = TimeUtil::MicrosecondsToTimestamp(event.next_attempt_us());
  }
  return ToJson(out) + "\n";
}

std::string HeartbeatLine() {
  admin::TapNotice notice;
  *notice.mutable_heartbeat() = TimeUtil::GetCurrentTime();
  return ToJson(notice) + "\n";
}

std::string DroppedLine(uint64_t dropped) {
  admin::TapNotice notice;
  notice.set_dropped(static_cast<uint32_t>(std::min<uint64_t>(dropped, UINT32_MAX)));
  return ToJson(notice) + "\n";
}

// The chunked content provider of one tap; httplib calls it on the
// connection's thread until it ends the response or a write fails.
class TapWriter {
 public:
  TapWriter(std::shared_ptr<EventFeed::Subscription> subscription,
            std::shared_ptr<PeerSlots::Slot> peer_slot)
      : subscription_(std::move(subscription)), peer_slot_(std::move(peer_slot)) {}

  bool operator()(size_t /*offset*/, httplib::DataSink& sink) {
    AdminListener::RenewWriteDeadline();
    std::string out;
    if (!greeted_) {
      greeted_ = true;
      out = HeartbeatLine();  // the client knows at once that it is following
    } else {
      EventFeed::Subscription::Batch batch = subscription_->Next(kWaitSlice);
      for (const auto& committed : batch.events) out += EventLine(*committed);
      if (batch.dropped > 0) out += DroppedLine(batch.dropped);
      if (batch.closed) {
        const bool written = out.empty() || sink.write(out.data(), out.size());
        sink.done();
        return written;
      }
      if (out.empty() && SteadyClock::now() - last_line_ >= kHeartbeatInterval) {
        out = HeartbeatLine();
      }
    }
    // Nothing to say: return to httplib, which checks the server and calls
    // again (a write of no bytes would end the response).
    if (out.empty()) return true;
    last_line_ = SteadyClock::now();
    return sink.write(out.data(), out.size());
  }

 private:
  std::shared_ptr<EventFeed::Subscription> subscription_;
  std::shared_ptr<PeerSlots::Slot> peer_slot_;  // held while the tap lasts
  bool greeted_ = false;
  SteadyClock::time_point last_line_ = SteadyClock::now();
};

}  // namespace

void AdminServer::RegisterTapRoute(const AdminLimits& limits) {
  auto taps_per_peer =
      std::make_shared<PeerSlots>(std::max<size_t>(1, limits.max_connections_per_peer / 2));
  server_->Get("/v1/tap", [this, taps_per_peer](const httplib::Request& request,
                                                httplib::Response& response) {
    if (!AcceptOnlyParams(request, response, {"source", "route", "destination", "state"})) return;
    EventFeed* feed = event_feed_.load();
    if (feed == nullptr) return SendError(response, 503, "this engine has no live tap");
    auto types = ParseEventTypes(request.get_param_value("state"));
    if (!types.ok()) {
      return SendError(response, 400, "state: " + std::string(types.status().message()));
    }
    auto peer_slot = std::make_shared<PeerSlots::Slot>(taps_per_peer->Acquire(request.remote_addr));
    if (peer_slot->over_share()) {
      response.set_header("Retry-After", "5");
      return SendError(
          response, 429,
          fmt::format("{} taps are open from {}, the most one client may hold "
                      "(half of engine.admin.max_connections_per_peer)",
                      taps_per_peer->Count(request.remote_addr) - 1, request.remote_addr));
    }
    TapFilter filter{.source = request.get_param_value("source"),
                     .route = request.get_param_value("route"),
                     .destination = request.get_param_value("destination"),
                     .types = std::move(*types)};
    auto subscription = feed->Subscribe(std::move(filter));
    if (!subscription.ok()) {
      response.set_header("Retry-After", "5");
      return SendError(response, 503, std::string(subscription.status().message()));
    }
    response.set_header("Cache-Control", "no-store");
    response.set_chunked_content_provider(
        "application/x-ndjson",
        TapWriter(std::shared_ptr<EventFeed::Subscription>(std::move(*subscription)),
                  std::move(peer_slot)));
  });
}

}  // namespace navette::engine
