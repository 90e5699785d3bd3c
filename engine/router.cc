#include "engine/router.h"

#include <map>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"

#include "adapters/hl7v2/message_view.h"
#include "engine/metrics.h"
#include "routes/patient_key.h"
#include "store/keys.h"
#include "store/message_id.h"

namespace navette::engine {

Router::Router(store::Store& store, const routes::RouteTable& routes, std::string config_version,
               std::function<void(const std::string&, uint64_t)> on_queued, Metrics* metrics)
    : store_(store),
      routes_(routes),
      config_version_(std::move(config_version)),
      on_queued_(std::move(on_queued)),
      metrics_(metrics) {}

Router::~Router() { Stop(); }

void Router::Start() {
  thread_ = std::thread([this] {
    SetThreadName("router");
    LowerThreadPriority(5);
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
    auto entries = store_.PeekRouterQueue(position, 256);
    if (!entries.ok()) {
      spdlog::error("router: {}", entries.status().message());
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    if (entries->empty()) {
      // Ingress notifies after every commit; the timeout is a safety net.
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    if (!RouteBatch(*entries)) {
      // Try again shortly from the same place: a store failure is not the
      // messages' fault and routing must stay in order.
      wakeup_.WaitFor(std::chrono::seconds(1));
      continue;
    }
    position = store::IdKey(entries->back().key_id);
    position.push_back('\0');  // just past the last routed message
  }
}

absl::StatusOr<store::RoutingDecision> Router::Decide(const store::RouterQueueEntry& entry) {
  const uint64_t id = entry.message_id;
  auto message = store_.GetMessage(id);
  if (!message.ok()) return message.status();
  const navette::Envelope& envelope = message->envelope();
  std::optional<adapters::hl7v2::MessageView> view;
  if (routes_.needs_message_view() || patient_keys_) {
    auto parsed = adapters::hl7v2::MessageView::Parse(envelope.raw());
    if (parsed.ok()) view = std::move(*parsed);
  }
  store::RoutingDecision decision;
  decision.id = id;
  decision.queue_key_id = entry.key_id;
  const std::string patient = patient_keys_ && view ? routes::PatientKey(*view) : "";
  for (routes::RouteMatch& match : routes_.Evaluate(envelope, view ? &*view : nullptr)) {
    for (std::string& destination : match.destinations) {
      decision.deliveries.push_back({match.route, std::move(destination), patient});
    }
    decision.routes.push_back(std::move(match.route));
  }
  if (decision.deliveries.empty()) {
    spdlog::warn("router: unrouted id={} source={} type={} control_id={}: no route matched",
                 store::FormatMessageId(id), envelope.source(), envelope.hl7().message_type(),
                 envelope.hl7().control_id());
  }
  return decision;
}

bool Router::RouteBatch(const std::vector<store::RouterQueueEntry>& entries) {
  std::vector<store::RoutingDecision> decisions;
  decisions.reserve(entries.size());
  for (const store::RouterQueueEntry& entry : entries) {
    const uint64_t id = entry.message_id;
    auto decision = Decide(entry);
    if (absl::IsNotFound(decision.status()) || absl::IsDataLoss(decision.status())) {
      // This message cannot be read, and never will be: set it aside so that
      // the messages behind it are routed.
      spdlog::critical("router: id={} cannot be read, marked dead: {}", store::FormatMessageId(id),
                       decision.status().message());
      store::RoutingDecision unreadable;
      unreadable.id = id;
      unreadable.queue_key_id = entry.key_id;
      unreadable.unreadable = fmt::format("message unreadable: {}", decision.status().message());
      decisions.push_back(std::move(unreadable));
      continue;
    }
    if (!decision.ok()) {
      spdlog::error("router: id={}: {}", store::FormatMessageId(id), decision.status().message());
      return false;
    }
    decisions.push_back(std::move(*decision));
  }
  absl::Status committed = store_.CommitRouting(decisions, config_version_);
  if (!committed.ok()) {
    spdlog::error("router: batch of {}: {}", entries.size(), committed.message());
    return false;
  }
  std::map<std::string, uint64_t> queued;  // destination -> tasks queued
  for (const store::RoutingDecision& decision : decisions) {
    if (decision.deliveries.empty()) {
      ++stats_.unrouted;
    } else {
      ++stats_.routed;
    }
    if (metrics_ != nullptr) {
      // An unreadable message is marked dead, not unrouted.
      if (decision.deliveries.empty() && decision.unreadable.empty()) metrics_->Unrouted();
      for (const std::string& route : decision.routes) metrics_->Routed(route);
    }
    for (const store::RoutedDelivery& delivery : decision.deliveries) {
      ++queued[delivery.destination];
    }
  }
  for (const auto& [destination, count] : queued) on_queued_(destination, count);
  return true;
}

}  // namespace navette::engine
