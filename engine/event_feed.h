// The live tap's feed (`navette tap`, GET /v1/tap): the store hands it each
// committed batch's history events (store/commit_observer.h), and each tap
// reads those its filter takes from a buffer of its own.
//
//   store commit ──Committed()──▶ EventFeed ──filter──▶ Subscription ──Next()──▶ admin_tap.cc
//                 (after the write,          (bounded;    (the tap's
//                  in commit order)           drops new    connection thread)
//                                             events when full)
//
// What it promises:
//   - No work while nobody taps: Listening() is false, and the store then
//     neither parses nor copies anything for the feed.
//   - The engine never waits for a tap. A subscription holds at most
//     `buffer_events` events; past that, new events for it are dropped and
//     counted, and its reader is told how many (Batch::dropped) where they
//     were lost. Other subscriptions are not affected.
//   - Events reach a subscription in commit order.
//   - At most `max_subscribers` taps at once (Subscribe refuses more), so
//     that taps cannot take every connection the admin API allows.
//
// Thread safety: every method may be called from any thread. Lock order:
// the feed's mutex, then a subscription's; Committed() runs under the
// store's publication mutex (store/observed_db.h), above both.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "store/commit_observer.h"

namespace navette::engine {

// What a tap shows: events that match every field set. `route` and
// `destination` match the event's own (a `received` event names neither);
// `source` the message's.
struct TapFilter {
  std::string source = {};
  std::string route = {};
  std::string destination = {};
  std::set<store::EventType> types = {};  // empty: every kind

  bool Matches(const store::CommittedEvent& committed) const;
};

// The event kinds named in `comma_list` ("retry,dead"), by the names the
// history uses (store::EventTypeName); an unknown name is InvalidArgument,
// naming it and every valid one. Empty: every kind.
absl::StatusOr<std::set<store::EventType>> ParseEventTypes(std::string_view comma_list);
// Every event kind's name, comma-separated, for errors and help texts.
std::string EventTypeNames();

class EventFeed final : public store::CommitObserver {
 public:
  struct Options {
    size_t max_subscribers = 64;
    size_t buffer_events = 4096;  // per subscription
  };

  class Subscription {
   public:
    struct Batch {
      std::vector<std::shared_ptr<const store::CommittedEvent>> events;
      // Events lost because the buffer was full: committed after `events`
      // and before those of the next batch.
      uint64_t dropped = 0;
      bool closed = false;  // the feed closed: nothing more will come
    };
    ~Subscription();  // leaves the feed
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // Waits up to `wait` for something to say, then returns what is
    // buffered (possibly nothing).
    Batch Next(std::chrono::milliseconds wait);

   private:
    friend class EventFeed;
    Subscription(EventFeed& feed, TapFilter filter, size_t capacity)
        : feed_(feed), filter_(std::move(filter)), capacity_(capacity) {}
    // Adds the events of one batch that match; called by the feed.
    void Offer(const std::vector<std::shared_ptr<const store::CommittedEvent>>& events);
    void Close();

    EventFeed& feed_;
    const TapFilter filter_;
    const size_t capacity_;
    std::mutex mu_;  // guards what follows
    std::condition_variable ready_;
    std::deque<std::shared_ptr<const store::CommittedEvent>> buffer_;
    uint64_t dropped_ = 0;
    bool closed_ = false;
  };

  explicit EventFeed(Options options) : options_(options) {}
  EventFeed() : EventFeed(Options{}) {}
  ~EventFeed() override;

  // A new tap. ResourceExhausted when max_subscribers taps are open,
  // Unavailable once the feed is closed. The subscription must not outlive
  // the feed.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(TapFilter filter);
  // Ends every subscription (their readers see `closed`) and refuses new
  // ones: the engine is stopping.
  void Close();
  size_t subscribers() const { return count_.load(std::memory_order_relaxed); }

  // store::CommitObserver.
  bool Listening() const override { return count_.load(std::memory_order_relaxed) > 0; }
  void Committed(std::vector<store::CommittedEvent> events) override;

 private:
  void Leave(Subscription* subscription);

  const Options options_;
  std::atomic<size_t> count_{0};  // subscriptions_.size(), read without the lock
  std::mutex mu_;                 // guards what follows
  std::vector<Subscription*> subscriptions_;
  bool closed_ = false;
};

}  // namespace navette::engine
