// The message state machine: which status a message has, what an attempt's
// outcome does to a delivery, and what an operator action (replay, reroute,
// discard, release) may do from a state and what it turns the state into.
// Pure functions over MessageState (proto/store.proto), with no RocksDB: the
// store (store_*.cc) reads the state, asks these, and writes their result
// with its index, queue and history updates in one atomic batch.
//
// A message's status, from its deliveries and holds (AggregateStatus; first
// matching row wins):
//
//   the message                                        status
//   waits in the router queue (router_queue_key != 0)  RECEIVED, whatever else
//   a delivery retrying                                RETRYING
//   a delivery queued                                  QUEUED
//   a route parked (waiting for an identity)           PARKED
//   a delivery dead, or a route failed at a step       DEAD
//   deliveries, all delivered or discarded, one        DISCARDED
//     discarded
//   deliveries, all delivered                          DELIVERED
//   routes matched, nothing to deliver (a step took    CONSUMED
//     it: the identity feed)
//   no route matched                                   unchanged (UNROUTED or RECEIVED)
//
// After routing (RoutedStatus): UNROUTED when no route is left, else the
// aggregate. A message that cannot be read is DEAD (the store's row).
//
// An attempt's outcome on a pending delivery (AttemptTransitionOf):
//
//   result      delivery becomes  event                 queue task            dead letter
//   delivered   DELIVERED         EVENT_DELIVERED       deleted               -
//   retry       RETRYING          EVENT_ATTEMPT_FAILED  kept, attempt + 1,    -
//                                                         not_before = next
//   dead        DEAD              EVENT_DEAD            deleted               added
//
// Every outcome counts an attempt; a delivered one clears the last error, the
// others keep the outcome's detail as it. An outcome for a task that is no
// longer the pending one (discarded, superseded) changes nothing.
//
// Operator actions (the first refusal that applies is returned):
//
//   action    refused when                            then
//   replay    the message waits to be routed;         each chosen delivery that is
//             it never went to the destination        delivered or dead (not at a step)
//               (NotFound); nothing replayable: a      and whose destination is still
//               step refused it (dead_at_step),        configured is QUEUED again (a dead
//               all pending, or no longer configured   one leaves the dead letters)
//   reroute   the message waits to be routed;         dead deliveries become DISCARDED
//             a delivery is pending                   (leave the dead letters); parked
//                                                     and failed routes are dropped; the
//                                                     message waits for the router
//                                                     (RECEIVED) under its ticket
//   discard   already DISCARDED                       pending and dead deliveries become
//                                                     DISCARDED (their task and dead
//                                                     letter removed); parked and failed
//                                                     routes dropped; out of the router
//                                                     queue; status DISCARDED
//   release   no route parked                         every parked route goes back to the
//                                                     router under the ticket (RECEIVED)
//   resend    the message waits to be routed;         a new delivery to the destination,
//             it already has a delivery to that       QUEUED under route "resend" with the
//               destination (replay it instead)        message as received (no step output)
//   edit      it is received, queued, retrying or     superseded_by names the new message;
//             parked (it may still go out on its own:  nothing else changes (its deliveries,
//               wait, or discard it first)             dead letters and status stay)
//
// A superseded message (edited into another) refuses replay, reroute,
// release, resend and a second edit, naming the message that replaced it:
// acting on it would send the uncorrected text again. Discard stays open
// (it only drops what is pending or dead).
//
// An identity update releases only the routes parked under one key
// (TakeParkedRoutes), then sends the message back the same way
// (SendBackToRouter).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/store.pb.h"

namespace navette::store {

enum class AttemptResult {
  kDelivered,  // leaves the queue
  kRetry,      // stays in the queue until next_attempt_us
  kDead,       // leaves the queue for the dead letters
};

// What an operator action did to one destination of a message.
struct ActionEffect {
  std::string destination;
  bool was_dead = false;     // it left the dead letters
  bool was_pending = false;  // it left its queue (discard)
};

inline bool IsPendingStatus(DeliveryStatus status) {
  return status == DELIVERY_QUEUED || status == DELIVERY_RETRYING;
}

// ---- status
// The status a message has given the status of each of its deliveries.
MessageStatus AggregateStatus(const MessageState& state);
// The status once the router has written the message's routes.
MessageStatus RoutedStatus(const MessageState& state);

// ---- attempts
struct AttemptTransition {
  DeliveryStatus status;
  EventType event;
  bool leaves_queue;  // else the task is rewritten for its next attempt
  bool dead_letter;   // a dead letter is added
};
AttemptTransition AttemptTransitionOf(AttemptResult result);
// Records an attempt's outcome on a pending delivery entry.
void ApplyAttempt(DestinationState& entry, AttemptResult result, std::string_view detail,
                  int64_t now_us);

// ---- replay
// The indexes (in state.destinations()) of the deliveries a replay of `id`
// to `destination` (empty: every one) queues again, or why none can be.
// `configured` says whether a destination is in the running configuration.
absl::StatusOr<std::vector<int>> PlanReplay(
    uint64_t id, const MessageState& state, std::string_view destination,
    const std::function<bool(std::string_view)>& configured);
// A delivery queued again under `queue_key`.
void MarkReplayed(DestinationState& entry, std::string_view queue_key, int64_t now_us);

// ---- resend
// The route name of a delivery an operator added (no route chose it).
inline constexpr char kResendRoute[] = "resend";
absl::Status CheckResend(uint64_t id, const MessageState& state, std::string_view destination);
// Adds the delivery to `destination`, queued under `queue_key`.
void AddResend(MessageState& state, std::string_view destination, std::string_view queue_key,
               int64_t now_us);

// ---- edit
absl::Status CheckEdit(uint64_t id, const MessageState& state);

// ---- reroute
absl::Status CheckReroute(uint64_t id, const MessageState& state);
struct RerouteResult {
  std::vector<ActionEffect> effects;                       // the dead ones discarded
  google::protobuf::RepeatedPtrField<RouteHold> unparked;  // their parked entries go
};
// The message waits for the router under `ticket`, to be routed afresh.
RerouteResult ApplyReroute(MessageState& state, uint64_t ticket, int64_t now_us);

// ---- discard
absl::Status CheckDiscard(uint64_t id, const MessageState& state);
struct DiscardResult {
  std::vector<ActionEffect> effects;
  // (destination, queue key) of each pending task to delete.
  std::vector<std::pair<std::string, std::string>> dequeued;
  google::protobuf::RepeatedPtrField<RouteHold> unparked;
  uint64_t router_queue_key = 0;  // to delete from the router queue; 0: none
};
DiscardResult ApplyDiscard(MessageState& state, int64_t now_us);

// ---- release
absl::Status CheckRelease(uint64_t id, const MessageState& state);
struct ReleaseResult {
  std::vector<std::string> routes;  // the parked routes, sent to the router
  google::protobuf::RepeatedPtrField<RouteHold> unparked;
};
ReleaseResult ApplyRelease(MessageState& state, uint64_t ticket, int64_t now_us);
// Takes the routes parked under `patient` out of `state`; returns them.
std::vector<std::string> TakeParkedRoutes(MessageState& state, std::string_view patient);
// The message waits for the router under `ticket` (RECEIVED until routed).
void SendBackToRouter(MessageState& state, uint64_t ticket);

}  // namespace navette::store
