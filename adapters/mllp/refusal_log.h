// Rate-limited reporting of refused connections. A peer that reconnects in a
// loop while over a limit may be refused thousands of times a second; a log
// line for each would flood the log and cost the other senders the io
// thread's time. So, per kind of refusal (its `what`: which limit, and for a
// per-peer limit which peer):
//
//   event                                       log
//   first refusal of a kind                     one line at once (Refused() is true)
//   further refusals within `interval`          counted, nothing logged
//   end of the interval, count > 0              one line with the count (Flush()),
//                                               and a new interval starts
//   end of the interval, count == 0             nothing; the kind is forgotten
//
// A pure object: time is passed in, so the rules are tested without sleeping.
// Not thread-safe; MllpServer uses it on its io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace navette::adapters::mllp {

class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;

  struct Summary {
    std::string what;
    uint64_t count = 0;  // refusals counted in the interval that ended
    bool operator==(const Summary&) const = default;
  };

  explicit RefusalLog(Clock::duration interval) : interval_(interval) {}

  // Records one refusal of kind `what`; true when it is to be logged now
  // (the first of its kind in an interval), false when only counted.
  bool Refused(const std::string& what, Clock::time_point now);
  // The counts of the intervals that ended by `now`, in `what` order.
  std::vector<Summary> Flush(Clock::time_point now);
  // When the earliest open interval ends; nullopt when none is open.
  std::optional<Clock::time_point> NextFlush() const;

  Clock::duration interval() const { return interval_; }

 private:
  struct Window {
    Clock::time_point ends;
    uint64_t counted = 0;  // refusals after the one logged at once
  };

  const Clock::duration interval_;
  // Bounded: a per-peer kind needs that peer to hold its limit of open
  // connections, so there are at most max_connections / per-peer limit of
  // them, plus the one kind of the total limit.
  std::map<std::string, Window> windows_;
};

}  // namespace navette::adapters::mllp
