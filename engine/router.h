// Router: takes committed messages from the router queue in arrival order,
// evaluates the routes and records, in one atomic batch per message, the
// delivery tasks (or `unrouted`) and the removal from the router queue.
//
// One thread. Its position in the router queue is kept in memory (the key
// after the last message it routed), so reading the next message never walks
// over the tombstones of routed ones; after a restart it starts from the
// first key, which re-routes nothing: routed messages are no longer there.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/wakeup.h"
#include "routes/route_table.h"
#include "store/store.h"

namespace navette::engine {

struct RouterStats {
  std::atomic<uint64_t> routed{0};
  std::atomic<uint64_t> unrouted{0};
};

class Router {
 public:
  // `on_queued(destination)` is called after tasks were queued for it.
  Router(store::Store& store, const routes::RouteTable& routes, std::string config_version,
         std::function<void(const std::string&)> on_queued);
  ~Router();

  void Start();
  void Stop();
  // Called by ingress after each commit.
  void Notify() { wakeup_.Notify(); }
  const RouterStats& stats() const { return stats_; }

 private:
  void Run();
  // Routes a batch of messages in one store write; false if the store failed
  // (the messages then stay in the router queue).
  bool RouteBatch(const std::vector<uint64_t>& ids);
  // The routing of one message: a pure function of the message and the routes.
  absl::StatusOr<store::RoutingDecision> Decide(uint64_t id);

  store::Store& store_;
  const routes::RouteTable& routes_;
  const std::string config_version_;
  std::function<void(const std::string&)> on_queued_;
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  RouterStats stats_;
};

}  // namespace navette::engine
