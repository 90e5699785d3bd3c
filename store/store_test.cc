#include "store/store.h"
#include "store/test_store.h"
#include "tests/support/store_inspector.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <filesystem>
#include <random>

#include "store/keys.h"
#include "store/message_id.h"

namespace navette::store {
namespace {

RoutedDelivery Delivery(const std::string& route, const std::string& destination) {
  RoutedDelivery delivery;
  delivery.route = route;
  delivery.destination = destination;
  return delivery;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-test");
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox", "dmp"}).ok());
  }
  navette::Envelope MakeEnvelope(const std::string& control_id) {
    return MakeTestEnvelope(control_id);
  }
  uint64_t Ingest(const std::string& control_id) {
    const uint64_t id = ids_.Next();
    navette::Envelope envelope = MakeEnvelope(control_id);
    IngressRecord record{id, &envelope, "hash-" + control_id};
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    return id;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  MessageIdGenerator ids_;
};

TEST_F(StoreTest, IngressCommitIsVisibleAfterReopen) {
  const uint64_t id = Ingest("c1");
  Reopen();
  auto message = store_->GetMessage(id);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->envelope().hl7().control_id(), "c1");
  auto state = store_->GetState(id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status(), RECEIVED);
  EXPECT_EQ(store_->LastMessageId(), id);
  auto queued = store_->PeekRouterQueue("", 10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].key_id, id);
  EXPECT_EQ((*queued)[0].message_id, id);
  auto entry = store_->LookupControlId("sgl", "c1");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->message_id(), id);
  EXPECT_EQ((*entry)->content_hash(), "hash-c1");
  auto missing = store_->LookupControlId("other-source", "c1");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, RetransmissionAddsAnEventOnly) {
  const uint64_t id = Ingest("c1");
  IngressRecord again{id, nullptr, ""};
  ASSERT_TRUE(store_->CommitIngress({&again, 1}).ok());
  auto history = store_->GetHistory(id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].type(), EVENT_RECEIVED);
  EXPECT_EQ((*history)[1].type(), EVENT_RETRANSMISSION);
  EXPECT_EQ(store_->PeekRouterQueue("", 10)->size(), 1u);
}

TEST_F(StoreTest, RoutingThenDeliveryWalksTheStates) {
  const uint64_t id = Ingest("c1");
  ASSERT_TRUE(
      CommitRouting(*store_, id, {"r1"}, {Delivery("r1", "outbox"), Delivery("r1", "dmp")}, "v1")
          .ok());
  EXPECT_TRUE(store_->PeekRouterQueue("", 10)->empty());
  EXPECT_EQ(store_->GetState(id)->status(), QUEUED);

  auto outbox = store_->PeekQueue("outbox", "", 10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].task.message_id(), id);

  ASSERT_TRUE(CommitAttemptFailed(*store_, "outbox", (*outbox)[0], 10, "disk full", 99).ok());
  EXPECT_EQ(store_->GetState(id)->status(), RETRYING);
  auto retried = store_->PeekQueue("outbox", "", 10);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].task.attempt(), 1u);
  EXPECT_EQ((*retried)[0].task.not_before_us(), 99);

  ASSERT_TRUE(CommitDelivered(*store_, "outbox", (*retried)[0], 10, "written").ok());
  EXPECT_EQ(store_->GetState(id)->status(), QUEUED);  // dmp still pending
  auto dmp = store_->PeekQueue("dmp", "", 10);
  ASSERT_EQ(dmp->size(), 1u);
  ASSERT_TRUE(CommitDelivered(*store_, "dmp", (*dmp)[0], 10, "ok").ok());

  auto state = store_->GetState(id);
  EXPECT_EQ(state->status(), DELIVERED);
  EXPECT_EQ(state->config_version(), "v1");
  EXPECT_EQ(state->destinations(0).attempts(), 2u);
  EXPECT_TRUE(store_->PeekQueue("outbox", "", 10)->empty());

  std::vector<EventType> types;
  auto history = store_->GetHistory(id);  // kept alive: the loop reads into it
  ASSERT_TRUE(history.ok());
  for (const Event& event : *history) types.push_back(event.type());
  EXPECT_EQ(types,
            (std::vector<EventType>{EVENT_RECEIVED, EVENT_ROUTED, EVENT_ROUTED,
                                    EVENT_ATTEMPT_FAILED, EVENT_DELIVERED, EVENT_DELIVERED}));

  // The status index moved with the state: one entry, under delivered.
  EXPECT_EQ(store_->Search({.status = DELIVERED})->messages.size(), 1u);
  EXPECT_TRUE(store_->Search({.status = QUEUED})->messages.empty());
}

TEST_F(StoreTest, UnroutedMessageIsKeptAndListed) {
  const uint64_t id = Ingest("c1");
  ASSERT_TRUE(CommitRouting(*store_, id, {}, {}, "v1").ok());
  auto listed = store_->Search({.status = UNROUTED});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->messages.size(), 1u);
  EXPECT_EQ(listed->messages[0].id, id);
  EXPECT_TRUE(store_->GetMessage(id).ok());
}

TEST_F(StoreTest, UnreadableMessageLeavesTheRouterQueueAsDead) {
  const uint64_t id = Ingest("c1");
  RoutingDecision decision;
  decision.id = id;
  decision.unreadable = "message unreadable: corrupt journal entry";
  ASSERT_TRUE(store_->CommitRouting({&decision, 1}, "v").ok());
  EXPECT_TRUE(store_->PeekRouterQueue("", 10)->empty());
  EXPECT_EQ(store_->GetState(id)->status(), DEAD);
  auto history = store_->GetHistory(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().type(), EVENT_DEAD);
  EXPECT_EQ(history->back().detail(), decision.unreadable);
}

TEST_F(StoreTest, TwoRoutesToOneDestinationMakeTwoTasks) {
  const uint64_t id = Ingest("c1");
  ASSERT_TRUE(CommitRouting(*store_, id, {"a", "b"},
                            {Delivery("a", "outbox"), Delivery("b", "outbox")}, "v")
                  .ok());
  auto tasks = store_->PeekQueue("outbox", "", 10);
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].task.route(), "a");
  EXPECT_EQ((*tasks)[1].task.route(), "b");
}

TEST_F(StoreTest, QueueSequenceContinuesAfterReopen) {
  const uint64_t first = Ingest("c1");
  ASSERT_TRUE(CommitRouting(*store_, first, {"r"}, {Delivery("r", "outbox")}, "v").ok());
  Reopen();
  const uint64_t second = Ingest("c2");
  ASSERT_TRUE(CommitRouting(*store_, second, {"r"}, {Delivery("r", "outbox")}, "v").ok());
  auto tasks = store_->PeekQueue("outbox", "", 10);
  ASSERT_EQ(tasks->size(), 2u);
  EXPECT_EQ((*tasks)[0].task.message_id(), first);
  EXPECT_EQ((*tasks)[1].task.message_id(), second);
}

TEST_F(StoreTest, ListFiltersBySourceRouteAndPages) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Ingest("c" + std::to_string(i)));
    ASSERT_TRUE(CommitRouting(*store_, ids.back(), {i % 2 ? "odd" : "even"}, {}, "v").ok());
  }
  auto odd = store_->Search({.route = "odd"});
  ASSERT_EQ(odd->messages.size(), 2u);
  EXPECT_EQ(odd->messages[0].id, ids[3]);  // newest first
  SearchFilter page{.limit = 2};
  auto first_page = store_->Search(page);
  ASSERT_EQ(first_page->messages.size(), 2u);
  page.before_id = first_page->messages.back().id;
  auto second_page = store_->Search(page);
  ASSERT_EQ(second_page->messages.size(), 2u);
  EXPECT_EQ(second_page->messages[0].id, ids[2]);
  EXPECT_TRUE(store_->Search({.source = "dpi"})->messages.empty());
}

// The reason queue positions are tracked: after many deliveries, reading the
// next task from the tracked position skips no tombstone, while a read from
// the first key walks over all of them.
TEST_F(StoreTest, ReadingFromTrackedPositionSkipsNoTombstones) {
  constexpr int kMessages = 5000;
  std::vector<uint64_t> ids;
  std::vector<navette::Envelope> envelopes;
  std::vector<IngressRecord> records;
  std::vector<RoutingDecision> decisions;
  for (int i = 0; i < kMessages; ++i) envelopes.push_back(MakeEnvelope("c" + std::to_string(i)));
  for (int i = 0; i < kMessages; ++i) {
    ids.push_back(ids_.Next());
    records.push_back({ids.back(), &envelopes[i], "hash"});
    RoutingDecision decision;
    decision.id = ids.back();
    decision.routes = {"r"};
    decision.deliveries = {Delivery("r", "outbox")};
    decisions.push_back(std::move(decision));
  }
  ASSERT_TRUE(store_->CommitIngress(records).ok());
  ASSERT_TRUE(store_->CommitRouting(decisions, "v").ok());
  std::string position;
  for (int i = 0; i < kMessages - 1; ++i) {
    auto tasks = store_->PeekQueue("outbox", position, 1);
    ASSERT_EQ(tasks->size(), 1u);
    ASSERT_TRUE(CommitDelivered(*store_, "outbox", (*tasks)[0], 1, "ok").ok());
    position = (*tasks)[0].key;
    position.push_back('\0');  // just past the delivered task
  }
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  auto tracked = store_->PeekQueue("outbox", position, 1);
  const uint64_t skipped_tracked = rocksdb::get_perf_context()->internal_delete_skipped_count;
  rocksdb::get_perf_context()->Reset();
  auto from_start = store_->PeekQueue("outbox", "", 1);
  const uint64_t skipped_from_start = rocksdb::get_perf_context()->internal_delete_skipped_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);

  ASSERT_EQ(tracked->size(), 1u);
  ASSERT_EQ(from_start->size(), 1u);
  EXPECT_EQ((*tracked)[0].task.message_id(), ids.back());
  EXPECT_EQ((*from_start)[0].task.message_id(), ids.back());
  EXPECT_EQ(skipped_tracked, 0u);
  EXPECT_GE(skipped_from_start, static_cast<uint64_t>(kMessages - 1));
}

TEST_F(StoreTest, AggregateStatus) {
  MessageState state;
  state.set_status(ROUTED);
  auto* a = state.add_destinations();
  auto* b = state.add_destinations();
  a->set_status(DELIVERY_DELIVERED);
  b->set_status(DELIVERY_QUEUED);
  EXPECT_EQ(AggregateStatus(state), QUEUED);
  b->set_status(DELIVERY_RETRYING);
  EXPECT_EQ(AggregateStatus(state), RETRYING);
  b->set_status(DELIVERY_DEAD);
  EXPECT_EQ(AggregateStatus(state), DEAD);
  b->set_status(DELIVERY_DELIVERED);
  EXPECT_EQ(AggregateStatus(state), DELIVERED);
  EXPECT_EQ(ParseStatusName("unrouted"), UNROUTED);
  EXPECT_EQ(StatusName(DEAD), "dead");
  EXPECT_FALSE(ParseStatusName("nope").has_value());
}

// Routes `id` to outbox and dmp and makes both deliveries dead.
void RouteAndKill(Store& store, uint64_t id) {
  ASSERT_TRUE(
      CommitRouting(store, id, {"r1"}, {Delivery("r1", "outbox"), Delivery("r1", "dmp")}, "v1")
          .ok());
  for (const char* destination : {"outbox", "dmp"}) {
    auto tasks = store.PeekQueue(destination, "", 10);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 1u) << destination;
    DeliveryOutcome dead{&(*tasks)[0], AttemptResult::kDead, 10, "HTTP 400", 0};
    ASSERT_TRUE(store.CommitDeliveryOutcomes(destination, {&dead, 1}).ok());
  }
  ASSERT_EQ(store.GetState(id)->status(), DEAD);
}

TEST_F(StoreTest, ReplayQueuesADeadDeliveryAgainAndNamesTheActor) {
  const uint64_t id = Ingest("c1");
  RouteAndKill(*store_, id);
  EXPECT_EQ((*store_->CountDeadLetters())["outbox"], 1u);

  auto effects = store_->Replay(id, "outbox", "alice");
  ASSERT_TRUE(effects.ok()) << effects.status();
  ASSERT_EQ(effects->size(), 1u);
  EXPECT_EQ((*effects)[0].destination, "outbox");
  EXPECT_TRUE((*effects)[0].was_dead);
  EXPECT_EQ(store_->PeekQueue("outbox", "", 10)->size(), 1u);
  EXPECT_EQ((*store_->CountDeadLetters())["outbox"], 0u);
  EXPECT_EQ((*store_->CountDeadLetters())["dmp"], 1u);
  const Event last = store_->GetHistory(id)->back();
  EXPECT_EQ(last.type(), EVENT_REPLAYED);
  EXPECT_EQ(last.actor(), "alice");
  EXPECT_EQ(last.destination(), "outbox");

  // Pending now: a second replay has nothing to do.
  auto again = store_->Replay(id, "outbox", "alice");
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_TRUE(absl::IsNotFound(store_->Replay(id, "elsewhere", "alice").status()));
}

TEST_F(StoreTest, ReplaySkipsDestinationsNoLongerConfigured) {
  const uint64_t id = Ingest("c1");
  RouteAndKill(*store_, id);
  // The configuration changes: dmp is gone, its queue stays in the store.
  store_.reset();
  auto reopened = Store::Open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  ASSERT_TRUE(StoreInspector(*store_).HasQueue("dmp"));

  auto effects = store_->Replay(id, "", "alice");
  ASSERT_TRUE(effects.ok()) << effects.status();
  ASSERT_EQ(effects->size(), 1u);
  EXPECT_EQ((*effects)[0].destination, "outbox");
  EXPECT_TRUE(store_->PeekQueue("dmp", "", 10)->empty());
  auto only_dmp = store_->Replay(id, "dmp", "alice");
  ASSERT_TRUE(absl::IsFailedPrecondition(only_dmp.status()));
  EXPECT_NE(only_dmp.status().message().find("'dmp' no longer configured"), std::string::npos)
      << only_dmp.status();
}

TEST_F(StoreTest, RerouteHappensOnceWhateverTheDeadDestinations) {
  const uint64_t id = Ingest("c1");
  RouteAndKill(*store_, id);
  auto effects = store_->Reroute(id, ids_.Next(), "bob");
  ASSERT_TRUE(effects.ok()) << effects.status();
  EXPECT_EQ(effects->size(), 2u);  // both dead letters left
  EXPECT_EQ(store_->GetState(id)->status(), RECEIVED);
  EXPECT_EQ(store_->PeekRouterQueue("", 10)->size(), 1u);

  // A bulk replay reaching the message's second dead letter asks again.
  auto twice = store_->Reroute(id, ids_.Next(), "bob");
  EXPECT_TRUE(absl::IsFailedPrecondition(twice.status())) << twice.status();
  auto replay = store_->Replay(id, "", "bob");
  EXPECT_TRUE(absl::IsFailedPrecondition(replay.status())) << replay.status();
  EXPECT_EQ(store_->PeekRouterQueue("", 10)->size(), 1u);
}

TEST_F(StoreTest, DiscardDropsPendingAndDeadDeliveries) {
  const uint64_t id = Ingest("c1");
  RouteAndKill(*store_, id);
  ASSERT_TRUE(store_->Replay(id, "outbox", "alice").ok());  // outbox pending, dmp dead
  auto effects = store_->Discard(id, "carol");
  ASSERT_TRUE(effects.ok()) << effects.status();
  ASSERT_EQ(effects->size(), 2u);
  EXPECT_TRUE(store_->PeekQueue("outbox", "", 10)->empty());
  EXPECT_EQ((*store_->CountDeadLetters())["dmp"], 0u);
  auto state = store_->GetState(id);
  EXPECT_EQ(state->status(), DISCARDED);
  for (const DestinationState& entry : state->destinations()) {
    EXPECT_EQ(entry.status(), DELIVERY_DISCARDED) << entry.destination();
  }
  EXPECT_EQ(store_->GetHistory(id)->back().actor(), "carol");
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Discard(id, "carol").status()));
}

}  // namespace
}  // namespace navette::store
