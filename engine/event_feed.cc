#include "engine/event_feed.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/printable.h"
#include "store/store.h"

namespace navette::engine {

bool TapFilter::Matches(const store::CommittedEvent& committed) const {
  if (!source.empty() && committed.source != source) return false;
  if (!route.empty() && committed.event.route() != route) return false;
  if (!destination.empty() && committed.event.destination() != destination) return false;
  return types.empty() || types.count(committed.event.type()) > 0;
}

std::string EventTypeNames() {
  std::string names;
  for (int value = store::EventType_MIN; value <= store::EventType_MAX; ++value) {
    if (!store::EventType_IsValid(value) || value == store::EVENT_TYPE_UNSPECIFIED) continue;
    names += fmt::format("{}{}", names.empty() ? "" : ", ",
                         store::EventTypeName(static_cast<store::EventType>(value)));
  }
  return names;
}

absl::StatusOr<std::set<store::EventType>> ParseEventTypes(std::string_view comma_list) {
  std::set<store::EventType> types;
  while (!comma_list.empty()) {
    const size_t comma = comma_list.find(',');
    std::string_view name = comma_list.substr(0, comma);
    comma_list =
        comma == std::string_view::npos ? std::string_view() : comma_list.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    bool known = false;
    for (int value = store::EventType_MIN; value <= store::EventType_MAX && !known; ++value) {
      if (!store::EventType_IsValid(value) || value == store::EVENT_TYPE_UNSPECIFIED) continue;
      const auto type = static_cast<store::EventType>(value);
      if (store::EventTypeName(type) == name) {
        types.insert(type);
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(fmt::format("'{}' is not an event kind; the kinds are: {}",
                                                    Printable(std::string(name), 64),
                                                    EventTypeNames()));
    }
  }
  return types;
}

EventFeed::~EventFeed() { Close(); }

absl::StatusOr<std::unique_ptr<EventFeed::Subscription>> EventFeed::Subscribe(TapFilter filter) {
  std::lock_guard lock(mu_);
  if (closed_) return absl::UnavailableError("the engine is stopping");
  if (subscriptions_.size() >= options_.max_subscribers) {
    return absl::ResourceExhaustedError(
        fmt::format("{} taps are open, the most this engine serves at once (a quarter of "
                    "engine.admin.max_connections); close one and try again",
                    subscriptions_.size()));
  }
  std::unique_ptr<Subscription> subscription(
      new Subscription(*this, std::move(filter), std::max<size_t>(1, options_.buffer_events)));
  subscriptions_.push_back(subscription.get());
  count_.store(subscriptions_.size(), std::memory_order_relaxed);
  return subscription;
}

void EventFeed::Leave(Subscription* subscription) {
  std::lock_guard lock(mu_);
  subscriptions_.erase(std::remove(subscriptions_.begin(), subscriptions_.end(), subscription),
                       subscriptions_.end());
  count_.store(subscriptions_.size(), std::memory_order_relaxed);
}

void EventFeed::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (Subscription* subscription : subscriptions_) subscription->Close();
}

void EventFeed::Committed(std::vector<store::CommittedEvent> events) {
  // Shared by every subscription that takes them: one copy per event, made
  // here on the committing thread, rendered later on each tap's own.
  std::vector<std::shared_ptr<const store::CommittedEvent>> shared;
  shared.reserve(events.size());
  for (store::CommittedEvent& committed : events) {
    shared.push_back(std::make_shared<const store::CommittedEvent>(std::move(committed)));
  }
  std::lock_guard lock(mu_);
  for (Subscription* subscription : subscriptions_) subscription->Offer(shared);
}

EventFeed::Subscription::~Subscription() { feed_.Leave(this); }

void EventFeed::Subscription::Offer(
    const std::vector<std::shared_ptr<const store::CommittedEvent>>& events) {
  bool added = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    for (const auto& committed : events) {
      if (!filter_.Matches(*committed)) continue;
      if (buffer_.size() >= capacity_) {
        ++dropped_;
        continue;
      }
      buffer_.push_back(committed);
      added = true;
    }
  }
  if (added) ready_.notify_one();
}

void EventFeed::Subscription::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  ready_.notify_one();
}

EventFeed::Subscription::Batch EventFeed::Subscription::Next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  ready_.wait_for(lock, wait, [this] { return !buffer_.empty() || dropped_ > 0 || closed_; });
  Batch batch;
  batch.dropped = dropped_;
  dropped_ = 0;
  batch.events.assign(buffer_.begin(), buffer_.end());
  buffer_.clear();
  batch.closed = closed_;
  return batch;
}

}  // namespace navette::engine
