// Router: takes committed messages from the router queue in arrival order,
// evaluates the routes, runs their steps and records, in one atomic batch,
// the delivery tasks (or `unrouted`, parked and dead routes) and the removal
// from the router queue.
//
// An identity update (the identity_feed step) is committed on its own, after
// the messages before it and before the steps of the messages after it run:
// those read the identity store as the ADTs before them left it, and the
// documents it releases are already parked when it is applied.
//
// One thread. Its position in the router queue is kept in memory (the key
// after the last message it routed), so reading the next message never walks
// over the tombstones of routed ones; after a restart it starts from the
// first key, which re-routes nothing: routed messages are no longer there.
#pragma once

#include <memory>
#include <mutex>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/step_runner.h"
#include "engine/wakeup.h"
#include "routes/route_table.h"
#include "store/store.h"

namespace navette::engine {

class Metrics;
class RecentMessages;

// What the router routes with: one configuration's routes and steps, and
// the version every message it routes records (engine reloads swap it).
struct RoutingPlan {
  std::shared_ptr<const routes::RouteTable> routes;
  std::shared_ptr<const StepRunner> steps;
  std::string version;
  // Whether to compute each message's patient key (for destinations with
  // per-patient ordering).
  bool patient_keys = false;
};

struct RouterStats {
  std::atomic<uint64_t> routed{0};
  std::atomic<uint64_t> unrouted{0};
};

class Router {
 public:
  // `on_queued(destination, count)` is called after tasks were queued for it.
  // `metrics` may be null (no metrics); it must outlive the router.
  // `steps` runs the routes' steps; `next_ticket_id` gives the router-queue
  // keys of the messages an identity update releases.
  Router(store::Store& store, std::shared_ptr<const RoutingPlan> plan,
         std::function<uint64_t()> next_ticket_id,
         std::function<void(const std::string&, uint64_t)> on_queued, Metrics* metrics = nullptr);
  // The same with routes and steps the caller keeps alive.
  Router(store::Store& store, const routes::RouteTable& routes, const StepRunner& steps,
         std::function<uint64_t()> next_ticket_id, std::string config_version,
         std::function<void(const std::string&, uint64_t)> on_queued, Metrics* metrics = nullptr);
  ~Router();

  void Start();
  void Stop();
  // Called by ingress after each commit.
  void Notify() { wakeup_.Notify(); }
  // Whether to compute each message's patient key (for destinations with
  // per-patient ordering). Before Start().
  void set_patient_keys(bool enabled);
  // Routes the messages of every batch begun from now on with `plan`; the
  // batch in progress, if any, ends with the plan it began with (its
  // messages record that version). Any thread.
  void SwapPlan(std::shared_ptr<const RoutingPlan> plan);
  const RouterStats& stats() const { return stats_; }
  // The messages ingress hands over in memory (recent_messages.h), taken
  // instead of read back from the journal. Before Start(); must outlive the
  // router.
  void set_recent_messages(RecentMessages* recent) { recent_ = recent; }

 private:
  void Run();
  // Routes a batch of messages in one store write; false if the store failed
  // (the messages then stay in the router queue).
  bool RouteBatch(const std::vector<store::RouterQueueEntry>& entries);
  // Commits decisions and reports what was queued; false if the store failed.
  bool Commit(const std::vector<store::RoutingDecision>& decisions, const RoutingPlan& plan);
  // The routing of one message: a pure function of the message and the plan.
  absl::StatusOr<store::RoutingDecision> Decide(const store::RouterQueueEntry& entry,
                                                const RoutingPlan& plan);
  // The message an entry names: from ingress's handoff when it is there,
  // from the journal otherwise.
  absl::StatusOr<store::StoredMessage> MessageOf(const store::RouterQueueEntry& entry);
  std::shared_ptr<const RoutingPlan> Plan() const;

  store::Store& store_;
  std::function<uint64_t()> next_ticket_id_;
  std::function<void(const std::string&, uint64_t)> on_queued_;
  Metrics* const metrics_;
  RecentMessages* recent_ = nullptr;
  mutable std::mutex plan_mu_;
  std::shared_ptr<const RoutingPlan> plan_;  // guarded by plan_mu_
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  RouterStats stats_;
};

}  // namespace navette::engine
