// The Store's identity part against a real RocksDB: parking, the move of
// parked messages on a merge, their release by an identity update or an
// operator, route outputs, and the statuses these give.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/test_store.h"

namespace navette::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kPrior = std::string("P1\x1f") + "A";
const std::string kSurvivor = std::string("S\x1f") + "A";

RouteHold Hold(const std::string& route, const std::string& patient) {
  RouteHold hold;
  hold.set_route(route);
  hold.set_reason("identity not qualified (provisional)");
  hold.set_patient(patient);
  hold.set_at_us(1700000000000000);
  return hold;
}

identity::Identity Record(const std::string& ipp, identity::IdentityStatus status) {
  identity::Identity record;
  record.set_ipp(ipp);
  record.set_authority("A");
  record.set_status(status);
  if (status == identity::QUALIFIED) {
    record.mutable_ins()->set_matricule("279035121518989");
    record.mutable_ins()->set_oid("1.2.250.1.213.1.4.10");
  }
  return record;
}

identity::IdentityChange Change(uint64_t message_id, const std::string& trigger,
                                const std::string& summary) {
  identity::IdentityChange change;
  change.set_at_us(1700000000000000);
  change.set_message_id(message_id);
  change.set_trigger(trigger);
  change.set_summary(summary);
  return change;
}

bool HasEvent(const std::vector<Event>& events, EventType type, std::string_view detail_part) {
  return std::any_of(events.begin(), events.end(), [&](const Event& event) {
    return event.type() == type && event.detail().find(detail_part) != std::string::npos;
  });
}

class StoreIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshStoreDir("navette-store-identity-test");
    auto opened = Store::Open(dir_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->EnsureQueues({"outbox"}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  uint64_t Ingest(const std::string& control_id, const std::string& type) {
    const uint64_t id = ids_.Next();
    navette::Envelope envelope;
    envelope.set_source("sil");
    envelope.set_received_at_us(1700000000000000);
    envelope.set_raw("MSH|^~\\&|A|B|C|D|20240101||" + type + "|" + control_id + "|P|2.5\r");
    envelope.mutable_hl7()->set_control_id(control_id);
    envelope.mutable_hl7()->set_message_type(type);
    IngressRecord record;
    record.id = id;
    record.envelope = &envelope;
    record.content_hash = "hash-" + control_id;
    EXPECT_TRUE(store_->CommitIngress({&record, 1}).ok());
    return id;
  }

  absl::Status Commit(const RoutingDecision& decision) {
    return store_->CommitRouting({&decision, 1}, "v1", [this] {
      tickets_.push_back(ids_.Next());
      return tickets_.back();
    });
  }

  // A document routed to "lab" and parked there under `patient`.
  uint64_t IngestParked(const std::string& control_id, const std::string& patient) {
    const uint64_t id = Ingest(control_id, "ORU^R01");
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"lab"};
    decision.parked = {Hold("lab", patient)};
    EXPECT_TRUE(Commit(decision).ok());
    return id;
  }

  // An ADT consumed by the "feed" route, carrying `update`.
  absl::Status CommitAdt(uint64_t id, IdentityUpdate update) {
    RoutingDecision decision;
    decision.id = id;
    decision.routes = {"feed"};
    decision.identity_update = std::move(update);
    return Commit(decision);
  }

  MessageState State(uint64_t id) {
    auto state = store_->GetState(id);
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *state : MessageState();
  }
  std::vector<uint64_t> Parked(const std::string& patient) {
    auto parked = store_->ListParked(patient);
    EXPECT_TRUE(parked.ok()) << parked.status();
    return parked.ok() ? *parked : std::vector<uint64_t>();
  }
  std::vector<Event> History(uint64_t id) {
    auto history = store_->GetHistory(id);
    EXPECT_TRUE(history.ok()) << history.status();
    return history.ok() ? *history : std::vector<Event>();
  }
  std::vector<uint64_t> Listed(MessageStatus status) {
    ListFilter filter;
    filter.status = status;
    auto listed = store_->ListMessages(filter);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<uint64_t> ids;
    if (listed.ok()) {
      for (const ListedMessage& message : *listed) ids.push_back(message.id);
    }
    return ids;
  }
  std::vector<RouterQueueEntry> RouterQueue() {
    auto entries = store_->PeekRouterQueue("", 100);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<RouterQueueEntry>();
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  MessageIdGenerator ids_;
  std::vector<uint64_t> tickets_;  // handed out by Commit's next_ticket_id
};

TEST_F(StoreIdentityTest, ParkMergeReleaseThenRouteTheTicket) {
  // A document for P1, whose identity is not known to carry an INS: parked.
  const uint64_t doc = IngestParked("doc", kPrior);
  EXPECT_EQ(State(doc).status(), PARKED);
  EXPECT_THAT(Parked(kPrior), ElementsAre(doc));
  EXPECT_THAT(Listed(PARKED), ElementsAre(doc));
  EXPECT_TRUE(RouterQueue().empty());

  // An A40 merges P1 into S, whose identity is still provisional.
  const uint64_t merge = Ingest("a40", "ADT^A40");
  IdentityUpdate merged;
  merged.patient = kSurvivor;
  merged.identity = Record("S", identity::PROVISIONAL);
  merged.change = Change(merge, "A40", "created (provisional); absorbed another IPP");
  merged.prior = kPrior;
  merged.prior_identity = Record("P1", identity::PROVISIONAL);
  merged.prior_identity.set_merged_into(kSurvivor);
  merged.prior_change = Change(merge, "A40", "merged into another IPP");
  merged.release = false;
  ASSERT_TRUE(CommitAdt(merge, merged).ok());
  EXPECT_TRUE(tickets_.empty());  // nothing released

  auto survivor = store_->GetIdentity(kSurvivor);
  ASSERT_TRUE(survivor.ok()) << survivor.status();
  ASSERT_TRUE(survivor->has_value());
  EXPECT_EQ((*survivor)->ipp(), "S");
  EXPECT_TRUE((*survivor)->merged_into().empty());
  auto prior = store_->GetIdentity(kPrior);
  ASSERT_TRUE(prior.ok()) << prior.status();
  ASSERT_TRUE(prior->has_value());
  EXPECT_EQ((*prior)->merged_into(), kSurvivor);
  auto prior_history = store_->GetIdentityHistory(kPrior);
  ASSERT_TRUE(prior_history.ok());
  ASSERT_EQ(prior_history->size(), 1u);
  EXPECT_EQ((*prior_history)[0].summary(), "merged into another IPP");

  // The document now waits for S.
  EXPECT_TRUE(Parked(kPrior).empty());
  EXPECT_THAT(Parked(kSurvivor), ElementsAre(doc));
  MessageState state = State(doc);
  EXPECT_EQ(state.status(), PARKED);
  ASSERT_EQ(state.parked_size(), 1);
  EXPECT_EQ(state.parked(0).patient(), kSurvivor);
  EXPECT_EQ(state.parked(0).route(), "lab");
  EXPECT_TRUE(HasEvent(History(doc), EVENT_PARKED, "merged"));
  // The ADT itself: consumed, with the identity change in its history.
  EXPECT_EQ(State(merge).status(), CONSUMED);
  EXPECT_TRUE(HasEvent(History(merge), EVENT_IDENTITY, "absorbed another IPP"));

  // An A31 qualifies S: the document goes back to the router for "lab".
  const uint64_t qualify = Ingest("a31", "ADT^A31");
  IdentityUpdate qualified;
  qualified.patient = kSurvivor;
  qualified.identity = Record("S", identity::QUALIFIED);
  qualified.change = Change(qualify, "A31", "status provisional -> qualified, INS set");
  qualified.release = true;
  ASSERT_TRUE(CommitAdt(qualify, qualified).ok());
  ASSERT_EQ(tickets_.size(), 1u);
  const uint64_t ticket = tickets_[0];

  EXPECT_TRUE(Parked(kSurvivor).empty());
  state = State(doc);
  EXPECT_EQ(state.status(), RECEIVED);
  EXPECT_EQ(state.parked_size(), 0);
  EXPECT_THAT(Listed(RECEIVED), ElementsAre(doc));
  EXPECT_TRUE(Listed(PARKED).empty());
  std::vector<RouterQueueEntry> queue = RouterQueue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key_id, ticket);
  EXPECT_EQ(queue[0].message_id, doc);
  EXPECT_THAT(queue[0].routes, ElementsAre("lab"));
  EXPECT_TRUE(HasEvent(History(doc), EVENT_RELEASED, "A31"));

  auto changes = store_->GetIdentityHistory(kSurvivor);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].trigger(), "A40");
  EXPECT_EQ((*changes)[0].message_id(), merge);
  EXPECT_EQ((*changes)[1].trigger(), "A31");
  EXPECT_EQ((*changes)[1].message_id(), qualify);
  survivor = store_->GetIdentity(kSurvivor);
  ASSERT_TRUE(survivor.ok() && survivor->has_value());
  EXPECT_EQ((*survivor)->status(), identity::QUALIFIED);

  // The router runs "lab" again under the ticket: the document is delivered
  // with the INS attached.
  RoutingDecision routed;
  routed.id = doc;
  routed.queue_key_id = ticket;
  routed.only_routes = {"lab"};
  routed.routes = {"lab"};
  RoutedDelivery delivery;
  delivery.route = "lab";
  delivery.destination = "outbox";
  delivery.patient = kSurvivor;
  delivery.has_output = true;
  routed.deliveries = {delivery};
  RouteOutput output;
  output.set_payload("X");
  *output.mutable_identity() = Record("S", identity::QUALIFIED);
  routed.outputs = {{"lab", output}};
  ASSERT_TRUE(Commit(routed).ok());

  state = State(doc);
  EXPECT_EQ(state.status(), QUEUED);
  EXPECT_THAT(state.routes(), ElementsAre("lab"));
  ASSERT_EQ(state.destinations_size(), 1);
  EXPECT_TRUE(state.destinations(0).has_output());
  EXPECT_EQ(state.destinations(0).patient(), kSurvivor);
  auto tasks = store_->PeekQueue("outbox", "", 10);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].task.message_id(), doc);
  EXPECT_TRUE((*tasks)[0].task.has_output());
  EXPECT_EQ((*tasks)[0].task.patient(), kSurvivor);
  auto stored_output = store_->GetOutput(doc, "lab");
  ASSERT_TRUE(stored_output.ok()) << stored_output.status();
  EXPECT_EQ(stored_output->payload(), "X");
  EXPECT_EQ(stored_output->identity().ipp(), "S");
  EXPECT_TRUE(RouterQueue().empty());
  EXPECT_THAT(Listed(QUEUED), ElementsAre(doc));
  EXPECT_TRUE(Listed(RECEIVED).empty());
}

TEST_F(StoreIdentityTest, MergeThatQualifiesReleasesTheMovedMessages) {
  const uint64_t doc = IngestParked("doc", kPrior);
  const uint64_t other = IngestParked("other", kSurvivor);
  const uint64_t adt = Ingest("a40", "ADT^A40");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(adt, "A40", "created (qualified, with INS); absorbed another IPP");
  update.prior = kPrior;
  update.prior_identity = Record("P1", identity::PROVISIONAL);
  update.prior_identity.set_merged_into(kSurvivor);
  update.prior_change = Change(adt, "A40", "merged into another IPP");
  update.release = true;
  ASSERT_TRUE(CommitAdt(adt, update).ok());

  EXPECT_TRUE(Parked(kPrior).empty());
  EXPECT_TRUE(Parked(kSurvivor).empty());
  EXPECT_EQ(tickets_.size(), 2u);
  std::vector<uint64_t> released;
  for (const RouterQueueEntry& entry : RouterQueue()) {
    EXPECT_NE(std::find(tickets_.begin(), tickets_.end(), entry.key_id), tickets_.end());
    EXPECT_THAT(entry.routes, ElementsAre("lab"));
    released.push_back(entry.message_id);
  }
  std::sort(released.begin(), released.end());
  EXPECT_THAT(released, ElementsAre(doc, other));
  for (uint64_t id : {doc, other}) {
    EXPECT_EQ(State(id).status(), RECEIVED);
    EXPECT_EQ(State(id).parked_size(), 0);
    EXPECT_TRUE(HasEvent(History(id), EVENT_RELEASED, "A40"));
  }
}

TEST_F(StoreIdentityTest, IdentityUpdateNeedsTicketIds) {
  const uint64_t adt = Ingest("a28", "ADT^A28");
  RoutingDecision decision;
  decision.id = adt;
  decision.routes = {"feed"};
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(adt, "A28", "created (qualified, with INS)");
  update.release = true;
  decision.identity_update = update;
  absl::Status committed = store_->CommitRouting({&decision, 1}, "v1");
  EXPECT_TRUE(absl::IsInvalidArgument(committed)) << committed;
  // Nothing was written.
  EXPECT_EQ(State(adt).status(), RECEIVED);
  auto record = store_->GetIdentity(kSurvivor);
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(record->has_value());
}

TEST_F(StoreIdentityTest, UnknownIdentityIsNullopt) {
  auto record = store_->GetIdentity(kSurvivor);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_FALSE(record->has_value());
  auto history = store_->GetIdentityHistory(kSurvivor);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  EXPECT_TRUE(Parked(kSurvivor).empty());
  EXPECT_TRUE(absl::IsNotFound(store_->GetOutput(1, "lab").status()));
}

TEST_F(StoreIdentityTest, ParkedListsArePerPatient) {
  // "S\x1fA" is a prefix of "S\x1fAB": the lists must not mix.
  const std::string longer = kSurvivor + "B";
  const uint64_t first = IngestParked("d1", kSurvivor);
  const uint64_t second = IngestParked("d2", longer);
  const uint64_t third = IngestParked("d3", kSurvivor);
  EXPECT_THAT(Parked(kSurvivor), ElementsAre(first, third));
  EXPECT_THAT(Parked(longer), ElementsAre(second));
}

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
  ASSERT_TRUE(store_->CommitRouting(id, {"lab"}, {delivery}, "v1").ok());
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
  ASSERT_TRUE(store_->CommitDelivered("outbox", (*tasks)[0], 10, "ok").ok());
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

// ---- the INS index and documents named by their INS alone

constexpr char kTestOid[] = "1.2.250.1.213.1.4.10";
constexpr char kMatricule[] = "279035121518989";  // Record()'s INS

TEST_F(StoreIdentityTest, InsIndexFollowsEveryIdentityWrite) {
  auto found = [&](const std::string& matricule) {
    auto patients = store_->FindPatientsByIns(kTestOid, matricule);
    EXPECT_TRUE(patients.ok()) << patients.status();
    return patients.ok() ? *patients : std::vector<std::string>();
  };
  EXPECT_TRUE(found(kMatricule).empty());

  // A31: S is qualified with the INS.
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(a31, "A31", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kSurvivor));
  EXPECT_TRUE(found("27903512151898").empty());  // a prefix of it is another INS
  EXPECT_TRUE(store_->FindPatientsByIns("1.2.250.1.213.1.4.8", kMatricule)->empty());

  // A08: the DPI corrects S's INS; the old one no longer names S.
  const uint64_t a08 = Ingest("a08", "ADT^A08");
  update.identity.mutable_ins()->set_matricule("180032B02040123");
  update.change = Change(a08, "A08", "INS changed");
  ASSERT_TRUE(CommitAdt(a08, update).ok());
  EXPECT_TRUE(found(kMatricule).empty());
  EXPECT_THAT(found("180032B02040123"), ElementsAre(kSurvivor));

  // A40: P1, with the first INS, is absorbed by S: it keeps its INS and its
  // entry, which a lookup follows to S.
  const uint64_t a28 = Ingest("a28", "ADT^A28");
  IdentityUpdate prior;
  prior.patient = kPrior;
  prior.identity = Record("P1", identity::QUALIFIED);
  prior.change = Change(a28, "A28", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a28, prior).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kPrior));
  const uint64_t a40 = Ingest("a40", "ADT^A40");
  IdentityUpdate merge = update;
  merge.change = Change(a40, "A40", "no change; absorbed another IPP");
  merge.prior = kPrior;
  merge.prior_identity = prior.identity;
  merge.prior_identity.set_merged_into(kSurvivor);
  merge.prior_change = Change(a40, "A40", "merged into another IPP");
  ASSERT_TRUE(CommitAdt(a40, merge).ok());
  EXPECT_THAT(found(kMatricule), ElementsAre(kPrior));
  EXPECT_THAT(found("180032B02040123"), ElementsAre(kSurvivor));

  // A record without an INS any more leaves the index.
  const uint64_t removed = Ingest("a08-2", "ADT^A08");
  update.identity.clear_ins();
  update.change = Change(removed, "A08", "INS removed");
  ASSERT_TRUE(CommitAdt(removed, update).ok());
  EXPECT_TRUE(found("180032B02040123").empty());
}

TEST_F(StoreIdentityTest, DocumentParkedUnderItsInsIsReleasedByTheUpdateThatQualifiesIt) {
  const std::string ins_key = InsParkKey(kTestOid, kMatricule);
  const std::string other_key = InsParkKey(kTestOid, "180032B02040123");
  const uint64_t doc = IngestParked("doc", ins_key);
  const uint64_t other = IngestParked("other", other_key);
  EXPECT_THAT(Parked(ins_key), ElementsAre(doc));

  // S is created provisional with that INS: nothing may be released.
  const uint64_t a28 = Ingest("a28", "ADT^A28");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.identity.set_status(identity::PROVISIONAL);
  update.change = Change(a28, "A28", "created (provisional, with INS)");
  update.release = false;
  ASSERT_TRUE(CommitAdt(a28, update).ok());
  EXPECT_TRUE(tickets_.empty());
  EXPECT_EQ(State(doc).status(), PARKED);

  // An A31 qualifies S: the document that named it by its INS goes back to
  // the router, the one naming another INS waits on.
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  update.identity.set_status(identity::QUALIFIED);
  update.change = Change(a31, "A31", "status provisional -> qualified");
  update.release = true;
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  ASSERT_EQ(tickets_.size(), 1u);
  EXPECT_TRUE(Parked(ins_key).empty());
  EXPECT_EQ(State(doc).status(), RECEIVED);
  EXPECT_EQ(State(doc).parked_size(), 0);
  std::vector<RouterQueueEntry> queue = RouterQueue();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key_id, tickets_[0]);
  EXPECT_EQ(queue[0].message_id, doc);
  EXPECT_THAT(queue[0].routes, ElementsAre("lab"));
  EXPECT_TRUE(HasEvent(History(doc), EVENT_RELEASED, "identity qualified by A31"));
  EXPECT_THAT(Parked(other_key), ElementsAre(other));
  EXPECT_EQ(State(other).status(), PARKED);
}

TEST_F(StoreIdentityTest, StoreFromBeforeTheInsIndexIsIndexedWhenOpened) {
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  IdentityUpdate update;
  update.patient = kSurvivor;
  update.identity = Record("S", identity::QUALIFIED);
  update.change = Change(a31, "A31", "created (qualified, with INS)");
  ASSERT_TRUE(CommitAdt(a31, update).ok());
  store_.reset();

  // Take index.ins away, as a store written by an older navette has none.
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      if (handle->GetName() == kInsIndexCf) {
        ASSERT_TRUE(db->DropColumnFamily(handle).ok());
      }
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
  }
  auto reopened = Store::Open(dir_.string());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = std::move(*reopened);
  auto patients = store_->FindPatientsByIns(kTestOid, kMatricule);
  ASSERT_TRUE(patients.ok()) << patients.status();
  EXPECT_THAT(*patients, ElementsAre(kSurvivor));
}

}  // namespace
}  // namespace navette::store
