// The message state machine (store/message_state.h), one test per row of its
// tables, on MessageState values alone: no RocksDB.
#include "store/message_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace navette::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kId = 0x1234;
constexpr int64_t kNow = 1767225600000000;

DestinationState* AddDelivery(MessageState& state, const std::string& destination,
                              DeliveryStatus status, const std::string& queue_key = "") {
  DestinationState* entry = state.add_destinations();
  entry->set_destination(destination);
  entry->set_route("r-" + destination);
  entry->set_status(status);
  entry->set_queue_key(queue_key);
  return entry;
}

RouteHold* AddParked(MessageState& state, const std::string& route, const std::string& patient) {
  RouteHold* hold = state.add_parked();
  hold->set_route(route);
  hold->set_patient(patient);
  return hold;
}

// A routed message: one route matched.
MessageState Routed() {
  MessageState state;
  state.set_status(QUEUED);
  state.add_routes("r");
  return state;
}

bool AllConfigured(std::string_view) { return true; }

// ---- AggregateStatus, row by row

TEST(AggregateStatus, WaitingForTheRouterIsReceivedWhateverItsDeliveries) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_RETRYING);
  AddDelivery(state, "b", DELIVERY_DEAD);
  state.set_router_queue_key(99);
  EXPECT_EQ(AggregateStatus(state), RECEIVED);
}

TEST(AggregateStatus, ARetryingDeliveryMakesItRetryingBeforeQueued) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_QUEUED);
  AddDelivery(state, "b", DELIVERY_RETRYING);
  AddDelivery(state, "c", DELIVERY_DEAD);
  EXPECT_EQ(AggregateStatus(state), RETRYING);
}

TEST(AggregateStatus, AQueuedDeliveryMakesItQueuedBeforeParkedOrDead) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_QUEUED);
  AddDelivery(state, "b", DELIVERY_DEAD);
  AddParked(state, "ins", "p1");
  EXPECT_EQ(AggregateStatus(state), QUEUED);
}

TEST(AggregateStatus, AParkedRouteWithNothingPendingIsParkedBeforeDead) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DEAD);
  AddParked(state, "ins", "p1");
  EXPECT_EQ(AggregateStatus(state), PARKED);
}

TEST(AggregateStatus, ADeadDeliveryOrAFailedRouteIsDead) {
  MessageState dead = Routed();
  AddDelivery(dead, "a", DELIVERY_DELIVERED);
  AddDelivery(dead, "b", DELIVERY_DEAD);
  EXPECT_EQ(AggregateStatus(dead), DEAD);

  MessageState failed = Routed();
  failed.add_failed_routes()->set_route("feed");
  EXPECT_EQ(AggregateStatus(failed), DEAD);
}

TEST(AggregateStatus, DeliveredAndDiscardedIsDiscarded) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DELIVERED);
  AddDelivery(state, "b", DELIVERY_DISCARDED);
  EXPECT_EQ(AggregateStatus(state), DISCARDED);
}

TEST(AggregateStatus, AllDeliveredIsDelivered) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DELIVERED);
  AddDelivery(state, "b", DELIVERY_DELIVERED);
  EXPECT_EQ(AggregateStatus(state), DELIVERED);
}

TEST(AggregateStatus, RoutesWithNothingToDeliverAreConsumed) {
  EXPECT_EQ(AggregateStatus(Routed()), CONSUMED);
}

TEST(AggregateStatus, NoRouteKeepsTheStatusItHas) {
  MessageState unrouted;
  unrouted.set_status(UNROUTED);
  EXPECT_EQ(AggregateStatus(unrouted), UNROUTED);
  MessageState received;
  received.set_status(RECEIVED);
  EXPECT_EQ(AggregateStatus(received), RECEIVED);
}

TEST(RoutedStatus, NoRouteLeftIsUnroutedElseTheAggregate) {
  MessageState none;
  none.set_status(RECEIVED);
  EXPECT_EQ(RoutedStatus(none), UNROUTED);
  MessageState routed = Routed();
  AddDelivery(routed, "a", DELIVERY_QUEUED);
  EXPECT_EQ(RoutedStatus(routed), QUEUED);
}

// ---- attempts

TEST(AttemptTransition, DeliveredLeavesTheQueueWithNoDeadLetter) {
  const AttemptTransition t = AttemptTransitionOf(AttemptResult::kDelivered);
  EXPECT_EQ(t.status, DELIVERY_DELIVERED);
  EXPECT_EQ(t.event, EVENT_DELIVERED);
  EXPECT_TRUE(t.leaves_queue);
  EXPECT_FALSE(t.dead_letter);
}

TEST(AttemptTransition, RetryStaysInTheQueue) {
  const AttemptTransition t = AttemptTransitionOf(AttemptResult::kRetry);
  EXPECT_EQ(t.status, DELIVERY_RETRYING);
  EXPECT_EQ(t.event, EVENT_ATTEMPT_FAILED);
  EXPECT_FALSE(t.leaves_queue);
  EXPECT_FALSE(t.dead_letter);
}

TEST(AttemptTransition, DeadLeavesTheQueueForTheDeadLetters) {
  const AttemptTransition t = AttemptTransitionOf(AttemptResult::kDead);
  EXPECT_EQ(t.status, DELIVERY_DEAD);
  EXPECT_EQ(t.event, EVENT_DEAD);
  EXPECT_TRUE(t.leaves_queue);
  EXPECT_TRUE(t.dead_letter);
}

TEST(ApplyAttempt, CountsTheAttemptAndKeepsTheErrorOfAFailure) {
  MessageState state;
  DestinationState* entry = AddDelivery(state, "a", DELIVERY_QUEUED, "k1");
  ApplyAttempt(*entry, AttemptResult::kRetry, "disk full", kNow);
  EXPECT_EQ(entry->status(), DELIVERY_RETRYING);
  EXPECT_EQ(entry->attempts(), 1u);
  EXPECT_EQ(entry->updated_at_us(), kNow);
  EXPECT_EQ(entry->last_error(), "disk full");
  EXPECT_EQ(entry->queue_key(), "k1");  // still its pending task

  ApplyAttempt(*entry, AttemptResult::kDelivered, "written", kNow + 1);
  EXPECT_EQ(entry->status(), DELIVERY_DELIVERED);
  EXPECT_EQ(entry->attempts(), 2u);
  EXPECT_EQ(entry->last_error(), "");
  EXPECT_EQ(entry->queue_key(), "");
}

TEST(ApplyAttempt, DeadKeepsTheReasonAndLeavesTheQueue) {
  MessageState state;
  DestinationState* entry = AddDelivery(state, "a", DELIVERY_RETRYING, "k1");
  ApplyAttempt(*entry, AttemptResult::kDead, "refused", kNow);
  EXPECT_EQ(entry->status(), DELIVERY_DEAD);
  EXPECT_EQ(entry->last_error(), "refused");
  EXPECT_EQ(entry->queue_key(), "");
}

// ---- replay

TEST(PlanReplay, RefusedWhileTheMessageWaitsToBeRouted) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DELIVERED);
  state.set_router_queue_key(7);
  auto plan = PlanReplay(kId, state, "", AllConfigured);
  EXPECT_TRUE(absl::IsFailedPrecondition(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("waits to be routed"));
}

TEST(PlanReplay, NotFoundForADestinationItNeverWentTo) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DELIVERED);
  auto plan = PlanReplay(kId, state, "b", AllConfigured);
  EXPECT_TRUE(absl::IsNotFound(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("never routed to 'b'"));
  auto unrouted = PlanReplay(kId, MessageState(), "", AllConfigured);
  EXPECT_TRUE(absl::IsNotFound(unrouted.status()));
  EXPECT_THAT(unrouted.status().message(), HasSubstr("it was not routed"));
}

TEST(PlanReplay, RefusesAStepsDeadLetterAndSaysToReroute) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DEAD)->set_dead_at_step(true);
  auto plan = PlanReplay(kId, state, "", AllConfigured);
  EXPECT_TRUE(absl::IsFailedPrecondition(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("--reroute"));
}

TEST(PlanReplay, RefusedWhenEveryDeliveryIsPending) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_QUEUED);
  AddDelivery(state, "b", DELIVERY_RETRYING);
  auto plan = PlanReplay(kId, state, "", AllConfigured);
  EXPECT_TRUE(absl::IsFailedPrecondition(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("still pending"));
}

TEST(PlanReplay, RefusedWhenItsDestinationsAreNoLongerConfigured) {
  MessageState state = Routed();
  AddDelivery(state, "gone", DELIVERY_DELIVERED);
  auto plan = PlanReplay(kId, state, "", [](std::string_view) { return false; });
  EXPECT_TRUE(absl::IsFailedPrecondition(plan.status()));
  EXPECT_THAT(plan.status().message(), HasSubstr("'gone' no longer configured"));
}

TEST(PlanReplay, QueuesAgainTheDeliveredAndDeadOnesStillConfigured) {
  MessageState state = Routed();
  AddDelivery(state, "delivered", DELIVERY_DELIVERED);  // 0
  AddDelivery(state, "pending", DELIVERY_QUEUED);       // 1
  AddDelivery(state, "dead", DELIVERY_DEAD);            // 2
  AddDelivery(state, "gone", DELIVERY_DEAD);            // 3
  AddDelivery(state, "step", DELIVERY_DEAD)->set_dead_at_step(true);
  auto plan = PlanReplay(kId, state, "", [](std::string_view name) { return name != "gone"; });
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(*plan, ElementsAre(0, 2));
  auto one = PlanReplay(kId, state, "dead", AllConfigured);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_THAT(*one, ElementsAre(2));
}

TEST(MarkReplayed, QueuedAgainUnderItsNewTask) {
  MessageState state;
  DestinationState* entry = AddDelivery(state, "a", DELIVERY_DEAD);
  MarkReplayed(*entry, "k2", kNow);
  EXPECT_EQ(entry->status(), DELIVERY_QUEUED);
  EXPECT_EQ(entry->queue_key(), "k2");
  EXPECT_EQ(entry->updated_at_us(), kNow);
}

// ---- reroute

TEST(Reroute, RefusedWhileWaitingToBeRoutedOrWhileADeliveryIsPending) {
  MessageState waiting = Routed();
  waiting.set_router_queue_key(5);
  EXPECT_THAT(CheckReroute(kId, waiting).message(), HasSubstr("already waits to be routed"));
  MessageState pending = Routed();
  AddDelivery(pending, "a", DELIVERY_DELIVERED);
  AddDelivery(pending, "b", DELIVERY_RETRYING);
  EXPECT_THAT(CheckReroute(kId, pending).message(), HasSubstr("to 'b' is still pending"));
  MessageState done = Routed();
  AddDelivery(done, "a", DELIVERY_DEAD);
  EXPECT_TRUE(CheckReroute(kId, done).ok());
}

TEST(Reroute, DiscardsTheDeadDropsTheHoldsAndWaitsForTheRouter) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_DELIVERED);
  AddDelivery(state, "b", DELIVERY_DEAD);
  AddParked(state, "ins", "p1");
  state.add_failed_routes()->set_route("feed");
  RerouteResult result = ApplyReroute(state, 77, kNow);
  ASSERT_EQ(result.effects.size(), 1u);
  EXPECT_EQ(result.effects[0].destination, "b");
  EXPECT_TRUE(result.effects[0].was_dead);
  EXPECT_FALSE(result.effects[0].was_pending);
  ASSERT_EQ(result.unparked.size(), 1);
  EXPECT_EQ(result.unparked[0].patient(), "p1");
  EXPECT_EQ(state.destinations(0).status(), DELIVERY_DELIVERED);
  EXPECT_EQ(state.destinations(1).status(), DELIVERY_DISCARDED);
  EXPECT_TRUE(state.parked().empty());
  EXPECT_TRUE(state.failed_routes().empty());
  EXPECT_EQ(state.status(), RECEIVED);
  EXPECT_EQ(state.router_queue_key(), 77u);
  EXPECT_EQ(state.updated_at_us(), kNow);
}

// ---- discard

TEST(Discard, RefusedWhenAlreadyDiscarded) {
  MessageState state = Routed();
  state.set_status(DISCARDED);
  EXPECT_THAT(CheckDiscard(kId, state).message(), HasSubstr("already discarded"));
  state.set_status(DEAD);
  EXPECT_TRUE(CheckDiscard(kId, state).ok());
}

TEST(Discard, DiscardsThePendingAndDeadDeliveriesAndEveryHold) {
  MessageState state = Routed();
  AddDelivery(state, "delivered", DELIVERY_DELIVERED);
  AddDelivery(state, "queued", DELIVERY_QUEUED, "qk");
  AddDelivery(state, "dead", DELIVERY_DEAD);
  AddParked(state, "ins", "p1");
  state.add_failed_routes()->set_route("feed");
  state.set_router_queue_key(42);
  DiscardResult result = ApplyDiscard(state, kNow);
  ASSERT_EQ(result.effects.size(), 2u);
  EXPECT_EQ(result.effects[0].destination, "queued");
  EXPECT_TRUE(result.effects[0].was_pending);
  EXPECT_FALSE(result.effects[0].was_dead);
  EXPECT_EQ(result.effects[1].destination, "dead");
  EXPECT_TRUE(result.effects[1].was_dead);
  ASSERT_EQ(result.dequeued.size(), 1u);
  EXPECT_EQ(result.dequeued[0], std::make_pair(std::string("queued"), std::string("qk")));
  EXPECT_EQ(result.unparked.size(), 1);
  EXPECT_EQ(result.router_queue_key, 42u);
  EXPECT_EQ(state.destinations(0).status(), DELIVERY_DELIVERED);
  EXPECT_EQ(state.destinations(1).status(), DELIVERY_DISCARDED);
  EXPECT_EQ(state.destinations(1).queue_key(), "");
  EXPECT_EQ(state.destinations(2).status(), DELIVERY_DISCARDED);
  EXPECT_TRUE(state.parked().empty());
  EXPECT_TRUE(state.failed_routes().empty());
  EXPECT_EQ(state.router_queue_key(), 0u);
  EXPECT_EQ(state.status(), DISCARDED);
  EXPECT_EQ(state.updated_at_us(), kNow);
}

// ---- release

TEST(Release, RefusedWhenNothingIsParked) {
  MessageState state = Routed();
  EXPECT_THAT(CheckRelease(kId, state).message(), HasSubstr("is not parked"));
  AddParked(state, "ins", "p1");
  EXPECT_TRUE(CheckRelease(kId, state).ok());
}

TEST(Release, SendsEveryParkedRouteBackToTheRouter) {
  MessageState state = Routed();
  AddDelivery(state, "a", DELIVERY_QUEUED);
  AddParked(state, "ins", "p1");
  AddParked(state, "ins2", "p2");
  ReleaseResult result = ApplyRelease(state, 88, kNow);
  EXPECT_THAT(result.routes, ElementsAre("ins", "ins2"));
  EXPECT_EQ(result.unparked.size(), 2);
  EXPECT_TRUE(state.parked().empty());
  EXPECT_EQ(state.status(), RECEIVED);
  EXPECT_EQ(state.router_queue_key(), 88u);
  EXPECT_EQ(state.updated_at_us(), kNow);
}

TEST(Release, AnIdentityTakesOnlyTheRoutesParkedUnderItsKey) {
  MessageState state = Routed();
  AddParked(state, "ins", "p1");
  AddParked(state, "other", "p2");
  EXPECT_THAT(TakeParkedRoutes(state, "p1"), ElementsAre("ins"));
  ASSERT_EQ(state.parked_size(), 1);
  EXPECT_EQ(state.parked(0).patient(), "p2");
  EXPECT_TRUE(TakeParkedRoutes(state, "p3").empty());
  SendBackToRouter(state, 9);
  EXPECT_EQ(state.status(), RECEIVED);
  EXPECT_EQ(state.router_queue_key(), 9u);
}

}  // namespace
}  // namespace navette::store
