// Store: receipts a peer sends after the delivery it reports on (an MSSanté
// DSN or MDN, read over IMAP by the mssante_receipts source), recorded in
// the message's history with the business acknowledgements they call for.
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/keys.h"
#include "store/message_id.h"
#include "store/store.h"
#include "store/write_helpers.h"

namespace navette::store {

absl::StatusOr<std::vector<ActionEffect>> Store::RecordLateReceipt(
    uint64_t id, std::string_view destination, std::string_view detail,
    std::span<const FollowUpDelivery> follow_ups) {
  auto locks = LockStates({id});
  auto state = GetState(id);
  if (!state.ok()) return state.status();
  std::string route;
  for (const DestinationState& entry : state->destinations()) {
    if (entry.destination() == destination) {
      route = entry.route();
      break;
    }
  }
  if (route.empty()) {
    return absl::NotFoundError(fmt::format("store: message {} was never routed to '{}'",
                                           FormatMessageId(id), destination));
  }
  const MessageStatus previous = state->status();
  const int64_t now = clock_->NowMicros();
  rocksdb::WriteBatch batch;
  Event event;
  event.set_at_us(now);
  event.set_type(EVENT_RECEIPT);
  event.set_route(route);
  event.set_destination(std::string(destination));
  event.set_detail(std::string(detail));
  batch.Put(history_, HistoryKey(id, NextEventSeq()), Serialize(event));
  std::vector<ActionEffect> effects;
  for (const FollowUpDelivery& follow_up : follow_ups) {
    absl::StatusOr<ActionEffect> effect = QueueFollowUp(batch, *state, id, follow_up, now);
    if (!effect.ok()) return effect.status();
    effects.push_back(std::move(*effect));
  }
  state->set_updated_at_us(now);
  state->set_status(AggregateStatus(*state));
  PutState(batch, state_, status_index_, id, previous, *state);
  absl::Status written = FromRocks(db_->Write(SyncedWrite(), &batch), "recording a late receipt");
  if (!written.ok()) return written;
  return effects;
}

}  // namespace navette::store
