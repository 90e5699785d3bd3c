// Parked messages against a real RocksDB: an operator's release, discard and
// reroute of them, steps that fail a route, and the statuses these give.
#include "store/identity_test_fixture.h"

namespace navette::store::identity_test {
namespace {

TEST_F(StoreIdentityTest, OperatorReleaseOfAParkedMessage) {
  const uint64_t doc = IngestParked("doc", kPrior);
  auto routes = store_->Release(doc, 12345, "alice");
  ASSERT_TRUE(routes.ok()) << routes.status();
  EXPECT_THAT(*routes, ElementsAre("lab"));
  EXPECT_TRUE(Parked(kPrior).empty());
  MessageState state = State(doc);
  EXPECT_EQ(state.status(), RECEIVED);
  EXPECT_EQ(state.parked_size(), 0);
  EXPECT_THAT(Listed(RECEIVED), ElementsAre(doc));
  std::vector<RouterQueueEntry> queue = RouterQueue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key_id, 12345u);
  EXPECT_EQ(queue[0].message_id, doc);
  EXPECT_THAT(queue[0].routes, ElementsAre("lab"));
  std::vector<Event> history = History(doc);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().type(), EVENT_RELEASED);
  EXPECT_EQ(history.back().actor(), "alice");

  // Nothing is parked any more.
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Release(doc, 12346, "alice").status()));
}

TEST_F(StoreIdentityTest, ReleaseOfAMessageNotParkedIsRefused) {
  const uint64_t id = Ingest("doc", "ORU^R01");
  RoutedDelivery delivery;
  delivery.route = "lab";
  delivery.destination = "outbox";
  ASSERT_TRUE(CommitRouting(*store_, id, {"lab"}, {delivery}, "v1").ok());
  auto released = store_->Release(id, 12345, "alice");
  EXPECT_TRUE(absl::IsFailedPrecondition(released.status())) << released.status();
  EXPECT_EQ(State(id).status(), QUEUED);
  EXPECT_TRUE(RouterQueue().empty());
  EXPECT_TRUE(absl::IsNotFound(store_->Release(id + 1, 12345, "alice").status()));
}

TEST_F(StoreIdentityTest, DiscardOfAParkedMessageUnparksIt) {
  const uint64_t doc = IngestParked("doc", kPrior);
  auto effects = store_->Discard(doc, "alice");
  ASSERT_TRUE(effects.ok()) << effects.status();
  EXPECT_TRUE(effects->empty());  // no delivery was pending or dead
  EXPECT_TRUE(Parked(kPrior).empty());
  MessageState state = State(doc);
  EXPECT_EQ(state.status(), DISCARDED);
  EXPECT_EQ(state.parked_size(), 0);
  EXPECT_THAT(Listed(DISCARDED), ElementsAre(doc));
  EXPECT_TRUE(Listed(PARKED).empty());

  // A later qualification of the patient releases nothing.
  const uint64_t adt = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kPrior;
  update.identity = Record("P1", identity::QUALIFIED);
  update.change = Change(adt, "A31", "created (qualified, with INS)");
  update.release = true;
  ASSERT_TRUE(CommitAdt(adt, update).ok());
  EXPECT_TRUE(tickets_.empty());
  EXPECT_TRUE(RouterQueue().empty());
  EXPECT_EQ(State(doc).status(), DISCARDED);
}

TEST_F(StoreIdentityTest, RerouteUnparksAndRoutingAgainParksAnew) {
  const uint64_t doc = IngestParked("doc", kPrior);
  const uint64_t ticket = ids_.Next();
  ASSERT_TRUE(store_->Reroute(doc, ticket, "alice").ok());
  EXPECT_TRUE(Parked(kPrior).empty());
  EXPECT_EQ(State(doc).status(), RECEIVED);
  EXPECT_EQ(State(doc).parked_size(), 0);

  // Routed again in full, it parks under the patient its route now names.
  RoutingDecision decision;
  decision.id = doc;
  decision.queue_key_id = ticket;
  decision.routes = {"lab"};
  decision.parked = {Hold("lab", kSurvivor)};
  ASSERT_TRUE(Commit(decision).ok());
  EXPECT_TRUE(Parked(kPrior).empty());
  EXPECT_THAT(Parked(kSurvivor), ElementsAre(doc));
  EXPECT_EQ(State(doc).status(), PARKED);
  EXPECT_TRUE(RouterQueue().empty());
}

TEST_F(StoreIdentityTest, DeadAtAStepIsNotReplayedButRerouted) {
  const uint64_t id = Ingest("doc", "ORU^R01");
  RoutingDecision decision;
  decision.id = id;
  decision.routes = {"lab"};
  RoutedDelivery delivery;
  delivery.route = "lab";
  delivery.destination = "outbox";
  delivery.dead_reason = "birth name (PID-5.1) differs from the identity store";
  decision.deliveries = {delivery};
  ASSERT_TRUE(Commit(decision).ok());

  MessageState state = State(id);
  EXPECT_EQ(state.status(), DEAD);
  ASSERT_EQ(state.destinations_size(), 1);
  EXPECT_TRUE(state.destinations(0).dead_at_step());
  EXPECT_EQ(state.destinations(0).status(), DELIVERY_DEAD);
  EXPECT_TRUE(state.destinations(0).queue_key().empty());
  auto queued = store_->PeekQueue("outbox", "", 10);
  ASSERT_TRUE(queued.ok());
  EXPECT_TRUE(queued->empty());  // never queued
  auto letters = store_->ListDeadLetters("outbox", nullptr, 10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].id, id);
  EXPECT_TRUE(HasEvent(History(id), EVENT_DEAD, "birth name"));

  for (std::string_view destination : {"", "outbox"}) {
    auto replayed = store_->Replay(id, destination, "alice");
    EXPECT_TRUE(absl::IsFailedPrecondition(replayed.status())) << replayed.status();
    EXPECT_THAT(replayed.status().message(), HasSubstr("--reroute"));
  }
  EXPECT_EQ(State(id).status(), DEAD);

  const uint64_t ticket = ids_.Next();
  auto rerouted = store_->Reroute(id, ticket, "alice");
  ASSERT_TRUE(rerouted.ok()) << rerouted.status();
  ASSERT_EQ(rerouted->size(), 1u);
  EXPECT_TRUE((*rerouted)[0].was_dead);
  EXPECT_TRUE(store_->ListDeadLetters("outbox", nullptr, 10)->empty());
  std::vector<RouterQueueEntry> queue = RouterQueue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key_id, ticket);
  EXPECT_EQ(queue[0].message_id, id);
}

TEST_F(StoreIdentityTest, FailedRouteMakesTheMessageDead) {
  const uint64_t adt = Ingest("a28", "ADT^A28");
  RoutingDecision decision;
  decision.id = adt;
  decision.routes = {"feed"};
  decision.failed_routes = {Hold("feed", "")};
  decision.failed_routes[0].set_reason("PID-3: no patient identifier (IPP)");
  ASSERT_TRUE(Commit(decision).ok());
  EXPECT_EQ(State(adt).status(), DEAD);
  EXPECT_TRUE(HasEvent(History(adt), EVENT_DEAD, "PID-3"));
  EXPECT_THAT(Listed(DEAD), ElementsAre(adt));
}

TEST_F(StoreIdentityTest, ReleasedRoutesThatNoLongerMatch) {
  const uint64_t doc = IngestParked("doc", kPrior);
  auto released = store_->Release(doc, 12345, "alice");
  ASSERT_TRUE(released.ok()) << released.status();
  RoutingDecision decision;
  decision.id = doc;
  decision.queue_key_id = 12345;
  decision.only_routes = {"lab"};
  ASSERT_TRUE(Commit(decision).ok());
  EXPECT_TRUE(RouterQueue().empty());
  EXPECT_TRUE(Parked(kPrior).empty());
  EXPECT_EQ(State(doc).parked_size(), 0);
  EXPECT_TRUE(HasEvent(History(doc), EVENT_UNROUTED, "no longer match"));
  EXPECT_EQ(State(doc).status(), UNROUTED) << StatusName(State(doc).status());
}

// A release while another route's delivery is pending: that delivery's
// outcome must not make the message look routed while the release ticket
// waits, else a reroute adds a second ticket and the released route is
// routed, and delivered, twice.
TEST_F(StoreIdentityTest, ReleaseWhileAnotherRouteDelivers) {
  const uint64_t doc = Ingest("doc", "ORU^R01");
  RoutingDecision decision;
  decision.id = doc;
  decision.routes = {"archive", "lab"};
  RoutedDelivery archive;
  archive.route = "archive";
  archive.destination = "outbox";
  decision.deliveries = {archive};
  decision.parked = {Hold("lab", kSurvivor)};
  ASSERT_TRUE(Commit(decision).ok());
  EXPECT_EQ(State(doc).status(), QUEUED);
  EXPECT_THAT(Parked(kSurvivor), ElementsAre(doc));

  const uint64_t adt = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(adt, "A31", "created (qualified, with INS)");
  update.release = true;
  ASSERT_TRUE(CommitAdt(adt, update).ok());
  ASSERT_EQ(tickets_.size(), 1u);
  EXPECT_EQ(RouterQueue().size(), 1u);

  auto tasks = store_->PeekQueue("outbox", "", 10);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  ASSERT_TRUE(CommitDelivered(*store_, "outbox", (*tasks)[0], 10, "ok").ok());
  // The ticket still waits in the router queue.
  EXPECT_EQ(RouterQueue().size(), 1u);
  // It still waits to be routed: a reroute would route it twice.
  auto rerouted = store_->Reroute(doc, ids_.Next(), "alice");
  EXPECT_TRUE(absl::IsFailedPrecondition(rerouted.status())) << rerouted.status();
  EXPECT_EQ(RouterQueue().size(), 1u);
}

// A discarded message leaves the router queue (here the ticket of a
// release): else the router would route it again and queue its deliveries.
TEST_F(StoreIdentityTest, DiscardOfAReleasedMessageLeavesTheRouterQueue) {
  const uint64_t doc = IngestParked("doc", kPrior);
  ASSERT_TRUE(store_->Release(doc, 12345, "alice").ok());
  ASSERT_TRUE(store_->Discard(doc, "alice").ok());
  EXPECT_EQ(State(doc).status(), DISCARDED);
  EXPECT_TRUE(RouterQueue().empty());
}

TEST_F(StoreIdentityTest, AllParkedListsEachPatientsDocumentsInKeyOrderUpToTheLimit) {
  const uint64_t first = IngestParked("doc1", kSurvivor);
  const uint64_t second = IngestParked("doc2", kPrior);
  const uint64_t third = IngestParked("doc3", kSurvivor);
  bool truncated = true;
  auto all = store_->ListAllParked(10, &truncated);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_FALSE(truncated);
  ASSERT_EQ(all->size(), 3u);
  // "P1\x1fA" sorts before "S\x1fA"; each patient's oldest first.
  EXPECT_EQ((*all)[0].patient, kPrior);
  EXPECT_EQ((*all)[0].id, second);
  EXPECT_EQ((*all)[1].patient, kSurvivor);
  EXPECT_EQ((*all)[1].id, first);
  EXPECT_EQ((*all)[2].id, third);

  auto page = store_->ListAllParked(2, &truncated);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->size(), 2u);
  EXPECT_TRUE(truncated);

  ASSERT_TRUE(store_->Release(second, 12345, "alice").ok());
  all = store_->ListAllParked(10, &truncated);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].patient, kSurvivor);
}

TEST(AggregateStatusTest, ParkedWithNothingPendingIsParked) {
  MessageState state;
  state.set_status(RECEIVED);
  state.add_routes("lab");
  *state.add_parked() = Hold("lab", kPrior);
  EXPECT_EQ(AggregateStatus(state), PARKED);

  // A delivered destination of another route does not hide the parked one.
  DestinationState* delivered = state.add_destinations();
  delivered->set_destination("outbox");
  delivered->set_route("archive");
  delivered->set_status(DELIVERY_DELIVERED);
  EXPECT_EQ(AggregateStatus(state), PARKED);

  // A pending delivery comes first.
  delivered->set_status(DELIVERY_QUEUED);
  EXPECT_EQ(AggregateStatus(state), QUEUED);
  delivered->set_status(DELIVERY_RETRYING);
  EXPECT_EQ(AggregateStatus(state), RETRYING);
}

TEST(AggregateStatusTest, FailedRoutesAreDead) {
  MessageState state;
  state.set_status(RECEIVED);
  state.add_routes("feed");
  *state.add_failed_routes() = Hold("feed", "");
  EXPECT_EQ(AggregateStatus(state), DEAD);

  DestinationState* delivered = state.add_destinations();
  delivered->set_destination("outbox");
  delivered->set_route("archive");
  delivered->set_status(DELIVERY_DELIVERED);
  EXPECT_EQ(AggregateStatus(state), DEAD);
}

TEST(AggregateStatusTest, RoutesWithoutDestinationsAreConsumed) {
  MessageState state;
  state.set_status(RECEIVED);
  state.add_routes("feed");
  EXPECT_EQ(AggregateStatus(state), CONSUMED);

  MessageState unrouted;
  unrouted.set_status(UNROUTED);
  EXPECT_EQ(AggregateStatus(unrouted), UNROUTED);
}

TEST(AggregateStatusTest, StatusNamesOfTheNewStatuses) {
  for (MessageStatus status : {PARKED, DISCARDED, CONSUMED}) {
    EXPECT_EQ(ParseStatusName(StatusName(status)), status);
  }
  EXPECT_EQ(StatusName(PARKED), "parked");
  EXPECT_EQ(StatusName(CONSUMED), "consumed");
  EXPECT_EQ(EventTypeName(EVENT_PARKED), "parked");
  EXPECT_EQ(EventTypeName(EVENT_RELEASED), "released");
  EXPECT_EQ(EventTypeName(EVENT_IDENTITY), "identity");
}

}  // namespace
}  // namespace navette::store::identity_test
