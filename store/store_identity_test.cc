// The Store's identity part against a real RocksDB: identity updates, the
// move of parked messages on a merge and their release by an identity that
// qualifies them.
#include "store/identity_test_fixture.h"

namespace navette::store::identity_test {
namespace {

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

TEST_F(StoreIdentityTest, FindsEveryRecordOfAnIppWithItsHistory) {
  // One IPP under two authorities, and IPPs that share its first characters.
  const std::string other_authority = std::string("S\x1f") + "B";
  const std::string longer_ipp = std::string("S2\x1f") + "A";
  uint64_t seq = 0;
  for (const std::string& patient : {kSurvivor, other_authority, longer_ipp}) {
    const uint64_t adt = Ingest("a28-" + std::to_string(++seq), "ADT^A28");
    IdentityUpdate update;
    update.patient = patient;
    update.identity = Record(patient.substr(0, patient.find('\x1f')), identity::PROVISIONAL);
    update.change = Change(adt, "A28", "created (provisional)");
    ASSERT_TRUE(CommitAdt(adt, update).ok());
  }
  const uint64_t a31 = Ingest("a31", "ADT^A31");
  IdentityUpdate qualified;
  qualified.patient = kSurvivor;
  qualified.identity = Record("S", identity::QUALIFIED);
  qualified.change = Change(a31, "A31", "status provisional -> qualified, INS set");
  ASSERT_TRUE(CommitAdt(a31, qualified).ok());

  auto found = store_->FindIdentitiesByIpp("S");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].patient, kSurvivor);
  EXPECT_EQ((*found)[0].identity.status(), identity::QUALIFIED);
  EXPECT_EQ((*found)[1].patient, other_authority);
  auto again = store_->FindIdentitiesByIpp("S2");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].patient, longer_ipp);
  for (const char* unknown : {"", "T", "S\x1f"}) {
    auto none = store_->FindIdentitiesByIpp(unknown);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty()) << unknown;
  }

  auto history = store_->GetIdentityHistory(kSurvivor);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].trigger(), "A28");
  EXPECT_EQ((*history)[1].message_id(), a31);
  EXPECT_EQ((*history)[1].summary(), "status provisional -> qualified, INS set");
}

}  // namespace
}  // namespace navette::store::identity_test
