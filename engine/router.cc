#include "engine/router.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/printable.h"
#include "common/thread_name.h"

#include "adapters/hl7v2/message_view.h"
#include "engine/metrics.h"
#include "engine/recent_messages.h"
#include "routes/patient_key.h"
#include "store/keys.h"
#include "store/message_id.h"

namespace navette::engine {
namespace {

// One line for each route a message is parked or dead at, with the reason:
// what an operator looks for first. Reasons name rules and fields, never
// patient data, but may quote a sender's text (a message type): Printable.
void LogHeldRoutes(const store::RoutingDecision& decision) {
  const std::string id = store::FormatMessageId(decision.id);
  for (const store::RouteHold& hold : decision.parked) {
    spdlog::info("router: parked id={} route={}: {}", id, hold.route(), Printable(hold.reason()));
  }
  std::set<std::string> dead;  // a route dead at a step fails each of its destinations
  for (const store::RoutedDelivery& delivery : decision.deliveries) {
    if (delivery.dead_reason.empty() || !dead.insert(delivery.route).second) continue;
    spdlog::warn("router: dead id={} route={}: {}", id, delivery.route,
                 Printable(delivery.dead_reason));
  }
  for (const store::RouteHold& hold : decision.failed_routes) {
    spdlog::warn("router: dead id={} route={}: {}", id, hold.route(), Printable(hold.reason()));
  }
}

}  // namespace

Router::Router(store::Store& store, std::shared_ptr<const RoutingPlan> plan,
               std::function<uint64_t()> next_ticket_id,
               std::function<void(const std::string&, uint64_t)> on_queued, Metrics* metrics)
    : store_(store),
      next_ticket_id_(std::move(next_ticket_id)),
      on_queued_(std::move(on_queued)),
      metrics_(metrics),
      plan_(std::move(plan)) {}

Router::Router(store::Store& store, const routes::RouteTable& routes, const StepRunner& steps,
               std::function<uint64_t()> next_ticket_id, std::string config_version,
               std::function<void(const std::string&, uint64_t)> on_queued, Metrics* metrics)
    : Router(store,
             std::make_shared<const RoutingPlan>(
                 RoutingPlan{std::shared_ptr<const routes::RouteTable>(&routes, [](const auto*) {}),
                             std::shared_ptr<const StepRunner>(&steps, [](const auto*) {}),
                             std::move(config_version), false}),
             std::move(next_ticket_id), std::move(on_queued), metrics) {}

std::shared_ptr<const RoutingPlan> Router::Plan() const {
  std::lock_guard lock(plan_mu_);
  return plan_;
}

void Router::SwapPlan(std::shared_ptr<const RoutingPlan> plan) {
  std::lock_guard lock(plan_mu_);
  plan_ = std::move(plan);
}

void Router::set_patient_keys(bool enabled) {
  std::lock_guard lock(plan_mu_);
  auto plan = std::make_shared<RoutingPlan>(*plan_);
  plan->patient_keys = enabled;
  plan_ = std::move(plan);
}

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

absl::StatusOr<store::RoutingDecision> Router::Decide(const store::RouterQueueEntry& entry,
                                                      const RoutingPlan& plan) {
  const bool patient_keys = plan.patient_keys;
  const uint64_t id = entry.message_id;
  auto message = MessageOf(entry);
  if (!message.ok()) return message.status();
  const navette::Envelope& envelope = message->envelope();
  std::optional<adapters::hl7v2::MessageView> view;
  if (plan.routes->needs_message_view() || patient_keys) {
    auto parsed = adapters::hl7v2::MessageView::Parse(envelope.raw());
    if (parsed.ok()) view = std::move(*parsed);
  }
  store::RoutingDecision decision;
  decision.id = id;
  decision.queue_key_id = entry.key_id;
  decision.only_routes = entry.routes;
  const std::string patient = patient_keys && view ? routes::PatientKey(*view) : "";
  for (const routes::RouteMatch& match : plan.routes->Evaluate(envelope, view ? &*view : nullptr)) {
    if (!entry.routes.empty() &&
        std::find(entry.routes.begin(), entry.routes.end(), match.route) == entry.routes.end()) {
      continue;  // a release runs only the routes that were parked
    }
    absl::Status ran = plan.steps->RunRoute(*message, match, patient, decision);
    if (!ran.ok()) return ran;
  }
  if (decision.routes.empty() && entry.routes.empty()) {
    spdlog::warn("router: unrouted id={} source={} type={} control_id={}: no route matched",
                 store::FormatMessageId(id), envelope.source(),
                 Printable(envelope.hl7().message_type()), Printable(envelope.hl7().control_id()));
  }
  LogHeldRoutes(decision);
  return decision;
}

absl::StatusOr<store::StoredMessage> Router::MessageOf(const store::RouterQueueEntry& entry) {
  // Only a message's first routing is handed over: its router-queue key is
  // its own id (a release or a reroute has a ticket of its own).
  if (recent_ != nullptr && entry.key_id == entry.message_id && entry.routes.empty()) {
    if (std::optional<navette::Envelope> envelope = recent_->Take(entry.message_id)) {
      store::StoredMessage message;
      message.set_id(entry.message_id);
      message.mutable_envelope()->Swap(&*envelope);
      return message;
    }
  }
  return store_.GetMessage(entry.message_id);
}

bool Router::RouteBatch(const std::vector<store::RouterQueueEntry>& entries) {
  // One plan for the whole batch: its messages record the version that
  // routed them, whatever a reload swaps meanwhile.
  const std::shared_ptr<const RoutingPlan> plan = Plan();
  std::vector<store::RoutingDecision> decisions;
  decisions.reserve(entries.size());
  for (const store::RouterQueueEntry& entry : entries) {
    const uint64_t id = entry.message_id;
    auto decision = Decide(entry, *plan);
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
    if (decision->identity_update) {
      // Commit what comes before, then the update alone (see router.h).
      if (!Commit(decisions, *plan)) return false;
      decisions.clear();
      if (!Commit({std::move(*decision)}, *plan)) return false;
      continue;
    }
    decisions.push_back(std::move(*decision));
  }
  return Commit(decisions, *plan);
}

bool Router::Commit(const std::vector<store::RoutingDecision>& decisions, const RoutingPlan& plan) {
  if (decisions.empty()) return true;
  absl::Status committed = store_.CommitRouting(decisions, plan.version, next_ticket_id_);
  if (!committed.ok()) {
    spdlog::error("router: batch of {}: {}", decisions.size(), committed.message());
    return false;
  }
  std::map<std::string, uint64_t> queued;  // destination -> tasks queued
  for (const store::RoutingDecision& decision : decisions) {
    if (decision.routes.empty()) {
      ++stats_.unrouted;
    } else {
      ++stats_.routed;
    }
    if (metrics_ != nullptr) {
      // An unreadable message is marked dead, not unrouted. A release (routes
      // run again: only_routes) was counted, matched or not, when the message
      // was first routed: it is a message routed once, however many times it
      // parks and is released.
      if (decision.routes.empty() && decision.unreadable.empty() && decision.only_routes.empty()) {
        metrics_->Unrouted();
      }
      if (decision.only_routes.empty()) {
        for (const std::string& route : decision.routes) metrics_->Routed(route);
      }
    }
    for (const store::RoutedDelivery& delivery : decision.deliveries) {
      if (delivery.dead_reason.empty()) ++queued[delivery.destination];
    }
  }
  for (const auto& [destination, count] : queued) on_queued_(destination, count);
  return true;
}

}  // namespace navette::engine
