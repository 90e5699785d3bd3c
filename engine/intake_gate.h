// Intake gate: backpressure from the destinations to ingress.
//
// On a machine that cannot carry both its intake and its deliveries, intake
// wins: ingress, the MLLP sources and the senders run at normal priority,
// the attempt threads below it (delivery_scheduler.cc), and a burst leaves
// a backlog behind it that grows as long as the burst lasts. A destination
// with `delivery.max_backlog` tells the gate when its queue is past that
// many messages while it is delivering; ingress then waits, before it
// commits each batch of new messages, until every such destination has
// moved some of its queue out (delivered or dead), or for 1 s at most.
// Intake so follows the slowest of them, batch for batch, and the senders
// see it as slower ACKs, never as refusals: nothing is lost, and no sender
// waits more than the longest hold plus a commit for its ACK.
//
// A destination that is failing (circuit open, or its last attempt not
// delivered) holds nothing up: keeping its messages until it returns is the
// store's job, however many there are.
//
// Thread safety: Report and Forget from the schedulers' dispatcher threads,
// WaitForRoom from the ingress thread; any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace navette::engine {

class IntakeGate {
 public:
  // A destination's state after a pass of its dispatcher: whether it is
  // over its backlog limit while delivering, and how many tasks have left
  // its queue since it started (delivered or dead).
  void Report(std::string_view destination, bool over, uint64_t left);
  // The destination's scheduler stopped: it holds nothing any more.
  void Forget(std::string_view destination);

  // Ingress, before committing new messages: returns at once when no
  // destination is over its limit; otherwise once each that was over has
  // moved tasks out or is over no more, or after `longest`. Returns how long
  // it waited.
  std::chrono::steady_clock::duration WaitForRoom(std::chrono::steady_clock::duration longest);

  // Whether some destination is over its limit now.
  bool held() const { return over_count_.load(std::memory_order_relaxed) > 0; }

 private:
  struct Lane {
    bool over = false;
    uint64_t left = 0;
  };

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Lane, std::less<>> lanes_;  // under mu_
  size_t waiting_ = 0;                              // under mu_
  std::atomic<size_t> over_count_{0};               // lanes over their limit
};

}  // namespace navette::engine
