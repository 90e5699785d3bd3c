// The live tap's feed against a real store: the store does nothing for it
// while nobody taps, publishes each batch after its commit and in commit
// order, with the message's source; filters; a slow tap loses new events,
// counted, without slowing the others; the number of taps is bounded.
#include "engine/event_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"

namespace navette::engine {
namespace {

using namespace std::chrono_literals;
using store::CommittedEvent;

// An observer that records what the store gives it, and checks that each
// event is already in the store when it is published.
class RecordingObserver final : public store::CommitObserver {
 public:
  explicit RecordingObserver(store::Store& store) : store_(store) {}
  bool Listening() const override { return listening.load(); }
  void Committed(std::vector<CommittedEvent> events) override {
    std::lock_guard lock(mu_);
    ++calls;
    for (CommittedEvent& committed : events) {
      auto history = store_.GetHistory(committed.message_id);
      bool stored = false;
      for (const store::Event& event : history.ok() ? *history : std::vector<store::Event>{}) {
        stored = stored || (event.type() == committed.event.type() &&
                            event.at_us() == committed.event.at_us());
      }
      all_stored_before = all_stored_before && stored;
      received.push_back(std::move(committed));
    }
  }

  std::atomic<bool> listening{false};
  int calls = 0;
  bool all_stored_before = true;
  std::vector<CommittedEvent> received;

 private:
  store::Store& store_;
  std::mutex mu_;
};

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::FreshStoreDir("navette-event-feed-test");
    auto opened = store::Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox", "dmp"}).ok());
  }
  void TearDown() override {
    store_->SetCommitObserver(nullptr);
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Commits `count` messages from `source` in one batch; returns their ids.
  std::vector<uint64_t> Ingest(int count, const std::string& source = "sgl") {
    std::vector<navette::Envelope> envelopes;
    std::vector<uint64_t> ids;
    for (int i = 0; i < count; ++i) {
      envelopes.push_back(store::MakeTestEnvelope("c" + std::to_string(next_control_++)));
      envelopes.back().set_source(source);
      ids.push_back(ids_.Next());
    }
    std::vector<store::IngressRecord> records;
    for (int i = 0; i < count; ++i) {
      records.push_back({ids[i], &envelopes[i], "hash-" + std::to_string(ids[i])});
    }
    EXPECT_TRUE(store_->CommitIngress(records).ok());
    return ids;
  }
  // Routes message `id` by route `route` to `destinations`.
  void Route(uint64_t id, const std::string& route, const std::vector<std::string>& destinations) {
    store::RoutingDecision decision;
    decision.id = id;
    decision.routes = {route};
    for (const std::string& destination : destinations) {
      store::RoutedDelivery delivery;
      delivery.route = route;
      delivery.destination = destination;
      decision.deliveries.push_back(delivery);
    }
    ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v1").ok());
  }
  static std::vector<std::string> Kinds(const EventFeed::Subscription::Batch& batch) {
    std::vector<std::string> kinds;
    for (const auto& committed : batch.events) {
      kinds.push_back(std::string(store::EventTypeName(committed->event.type())));
    }
    return kinds;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::MessageIdGenerator ids_;
  int next_control_ = 0;
};

TEST_F(EventFeedTest, StorePublishesOnlyWhileTheObserverListens) {
  RecordingObserver observer(*store_);
  store_->SetCommitObserver(&observer);
  Ingest(1);
  EXPECT_EQ(observer.calls, 0);

  observer.listening = true;
  const uint64_t id = Ingest(1).front();
  ASSERT_EQ(observer.calls, 1);
  ASSERT_EQ(observer.received.size(), 1u);
  EXPECT_EQ(observer.received[0].message_id, id);
  EXPECT_EQ(observer.received[0].event.type(), store::EVENT_RECEIVED);
  EXPECT_EQ(observer.received[0].source, "sgl");
  EXPECT_TRUE(observer.all_stored_before);

  observer.listening = false;
  Route(id, "r", {"outbox"});
  EXPECT_EQ(observer.calls, 1);
}

TEST_F(EventFeedTest, EventsComeAfterTheirCommitInOrderWithTheirSource) {
  RecordingObserver observer(*store_);
  observer.listening = true;
  store_->SetCommitObserver(&observer);
  const std::vector<uint64_t> ids = Ingest(2, "lab");
  Route(ids[0], "r", {"outbox", "dmp"});
  // A retransmission's batch holds no state: the source is read from it.
  store::IngressRecord again{ids[0], nullptr, ""};
  ASSERT_TRUE(store_->CommitIngress({&again, 1}).ok());

  ASSERT_EQ(observer.received.size(), 5u);
  EXPECT_TRUE(observer.all_stored_before);
  const std::vector<std::pair<uint64_t, store::EventType>> expected = {
      {ids[0], store::EVENT_RECEIVED},
      {ids[1], store::EVENT_RECEIVED},
      {ids[0], store::EVENT_ROUTED},
      {ids[0], store::EVENT_ROUTED},
      {ids[0], store::EVENT_RETRANSMISSION}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(observer.received[i].message_id, expected[i].first) << i;
    EXPECT_EQ(observer.received[i].event.type(), expected[i].second) << i;
    EXPECT_EQ(observer.received[i].source, "lab") << i;
  }
  EXPECT_EQ(observer.received[2].event.destination(), "outbox");
  EXPECT_EQ(observer.received[3].event.destination(), "dmp");
}

TEST_F(EventFeedTest, SubscriptionsSeeWhatTheirFiltersTake) {
  EventFeed feed;
  store_->SetCommitObserver(&feed);
  EXPECT_FALSE(feed.Listening());
  auto all = feed.Subscribe({});
  auto lab = feed.Subscribe({.source = "lab"});
  auto dmp = feed.Subscribe({.destination = "dmp"});
  auto routed_r = feed.Subscribe({.route = "r", .types = {store::EVENT_ROUTED}});
  auto unrouted = feed.Subscribe({.types = {store::EVENT_UNROUTED}});
  ASSERT_TRUE(all.ok() && lab.ok() && dmp.ok() && routed_r.ok() && unrouted.ok());
  EXPECT_TRUE(feed.Listening());
  EXPECT_EQ(feed.subscribers(), 5u);

  const uint64_t from_sgl = Ingest(1, "sgl").front();
  const uint64_t from_lab = Ingest(1, "lab").front();
  Route(from_sgl, "r", {"outbox", "dmp"});
  Route(from_lab, "other", {"dmp"});

  auto all_batch = (*all)->Next(0ms);
  EXPECT_EQ(Kinds(all_batch),
            (std::vector<std::string>{"received", "received", "routed", "routed", "routed"}));
  auto lab_batch = (*lab)->Next(0ms);
  EXPECT_EQ(Kinds(lab_batch), (std::vector<std::string>{"received", "routed"}));
  for (const auto& committed : lab_batch.events) EXPECT_EQ(committed->message_id, from_lab);
  auto dmp_batch = (*dmp)->Next(0ms);
  ASSERT_EQ(dmp_batch.events.size(), 2u);
  EXPECT_EQ(dmp_batch.events[0]->message_id, from_sgl);
  EXPECT_EQ(dmp_batch.events[1]->message_id, from_lab);
  auto routed_batch = (*routed_r)->Next(0ms);
  ASSERT_EQ(routed_batch.events.size(), 2u);
  EXPECT_EQ(routed_batch.events[0]->event.destination(), "outbox");
  EXPECT_EQ(routed_batch.events[1]->event.destination(), "dmp");
  EXPECT_TRUE((*unrouted)->Next(0ms).events.empty());
}

TEST_F(EventFeedTest, ASlowTapLosesNewEventsCountedAndTheOthersDoNot) {
  EventFeed feed(EventFeed::Options{.max_subscribers = 4, .buffer_events = 2});
  store_->SetCommitObserver(&feed);
  auto slow = feed.Subscribe({});
  ASSERT_TRUE(slow.ok());
  auto unaffected = feed.Subscribe({.types = {store::EVENT_ROUTED}});
  ASSERT_TRUE(unaffected.ok());

  const std::vector<uint64_t> ids = Ingest(5);
  Route(ids[0], "r", {"outbox"});
  auto batch = (*slow)->Next(0ms);
  // The first two kept, in order; the four after them lost and counted.
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0]->message_id, ids[0]);
  EXPECT_EQ(batch.events[1]->message_id, ids[1]);
  EXPECT_EQ(batch.dropped, 4u);
  // The filtered tap had room for what it takes.
  auto other = (*unaffected)->Next(0ms);
  ASSERT_EQ(other.events.size(), 1u);
  EXPECT_EQ(other.dropped, 0u);

  // Read, the buffer takes events again and the count starts over.
  Route(ids[1], "r", {"outbox"});
  batch = (*slow)->Next(0ms);
  EXPECT_EQ(Kinds(batch), (std::vector<std::string>{"routed"}));
  EXPECT_EQ(batch.dropped, 0u);
}

TEST_F(EventFeedTest, TapsAreBoundedAndLeavingStopsTheWork) {
  EventFeed feed(EventFeed::Options{.max_subscribers = 1});
  auto first = feed.Subscribe({});
  ASSERT_TRUE(first.ok());
  auto second = feed.Subscribe({});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted) << second.status();
  EXPECT_TRUE(feed.Listening());
  first->reset();
  EXPECT_FALSE(feed.Listening());
  EXPECT_TRUE(feed.Subscribe({}).ok());
}

TEST_F(EventFeedTest, ClosingEndsEveryTap) {
  EventFeed feed;
  store_->SetCommitObserver(&feed);
  auto tap = feed.Subscribe({});
  ASSERT_TRUE(tap.ok());
  Ingest(1);
  feed.Close();
  // What was committed before still comes, with the end.
  auto batch = (*tap)->Next(10s);
  EXPECT_TRUE(batch.closed);
  EXPECT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(feed.Subscribe({}).status().code(), absl::StatusCode::kUnavailable);
}

TEST(EventTypesTest, NamesAreTheHistorysAndUnknownOnesAreRefusedWithTheList) {
  auto types = ParseEventTypes("retry, delivered,dead");
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_EQ(*types, (std::set<store::EventType>{store::EVENT_ATTEMPT_FAILED, store::EVENT_DELIVERED,
                                                store::EVENT_DEAD}));
  EXPECT_TRUE(ParseEventTypes("")->empty());
  auto bad = ParseEventTypes("delivered,retrying");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'retrying'"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("received, routed, unrouted, retry, delivered, dead"),
            std::string::npos)
      << bad.status();
}

}  // namespace
}  // namespace navette::engine
