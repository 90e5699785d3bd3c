#include "engine/router.h"

#include <set>

#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "adapters/hl7v2/message_view.h"
#include "store/keys.h"
#include "store/message_id.h"

namespace navette::engine {

Router::Router(store::Store& store, const routes::RouteTable& routes, std::string config_version,
               std::function<void(const std::string&)> on_queued)
    : store_(store),
      routes_(routes),
      config_version_(std::move(config_version)),
      on_queued_(std::move(on_queued)) {}

Router::~Router() { Stop(); }

void Router::Start() {
  thread_ = std::thread([this] {
    SetThreadName("router");
    Run();
  });
}

void Router::Stop() {
  stopping_ = true;
  wakeup_.Notify();
  if (thread_.joinable()) thread_.join();
}

void Router::Run() {
  std::string position;  // key after the last routed message; empty = start
  while (!stopping_) {
    auto ids = store_.PeekRouterQueue(position, 256);
    if (!ids.ok()) {
      spdlog::error("router: {}", ids.status().message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    if (ids->empty()) {
      // Ingress notifies after every commit; the timeout is a safety net.
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    for (uint64_t id : *ids) {
      if (stopping_) return;
      if (!RouteOne(id)) {
        // Leave it at the head and try again shortly: a store failure is not
        // the message's fault and routing must stay in order.
        wakeup_.WaitFor(std::chrono::seconds(1));
        break;
      }
      position = store::IdKey(id);
      position.push_back('\0');
    }
  }
}

bool Router::RouteOne(uint64_t id) {
  auto message = store_.GetMessage(id);
  if (!message.ok()) {
    spdlog::error("router: id={}: {}", store::FormatMessageId(id), message.status().message());
    return false;
  }
  const navette::Envelope& envelope = message->envelope();
  auto view = adapters::hl7v2::MessageView::Parse(envelope.raw());
  const std::vector<routes::RouteMatch> matches =
      routes_.Evaluate(envelope, view.ok() ? &*view : nullptr);

  std::vector<std::string> route_names;
  std::vector<store::RoutedDelivery> deliveries;
  std::set<std::string> destinations;
  for (const routes::RouteMatch& match : matches) {
    route_names.push_back(match.route);
    for (const std::string& destination : match.destinations) {
      deliveries.push_back({match.route, destination});
      destinations.insert(destination);
    }
  }
  absl::Status committed = store_.CommitRouting(id, route_names, deliveries, config_version_);
  if (!committed.ok()) {
    spdlog::error("router: id={}: {}", store::FormatMessageId(id), committed.message());
    return false;
  }
  if (deliveries.empty()) {
    ++stats_.unrouted;
    spdlog::warn("router: unrouted id={} source={} type={} control_id={}: no route matched",
                 store::FormatMessageId(id), envelope.source(), envelope.hl7().message_type(),
                 envelope.hl7().control_id());
  } else {
    ++stats_.routed;
  }
  for (const std::string& destination : destinations) on_queued_(destination);
  return true;
}

}  // namespace navette::engine
