// Conversions from stored records to the admin API's resources
// (proto/admin.proto), shared by the admin server and its tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/admin.pb.h"
#include "proto/store.pb.h"

namespace navette::store {
class Store;
}

namespace navette::engine {

admin::MessageSummary ToSummary(uint64_t id, const store::MessageState& state);
admin::MessageDetail ToDetail(uint64_t id, const store::StoredMessage& message,
                              const store::MessageState& state,
                              const std::vector<store::Event>& history);
// Sets next_attempt_at on `summary`'s retrying destinations, from their
// pending tasks in `store` (a destination whose task cannot be read is left
// without).
void AddNextAttempts(const store::Store& store, const store::MessageState& state,
                     admin::MessageSummary& summary);
// The message `id` as `destination` gets it: the route's output when its
// steps rewrote it, else the message as received. `route` picks one when two
// routes send it to the destination (empty: the only one). NotFound when the
// message does not exist or never went to the destination (a step failed
// before it could); InvalidArgument when the destination has it by several
// routes and `route` is empty.
absl::StatusOr<admin::DeliveredMessage> ToDelivered(const store::Store& store, uint64_t id,
                                                    std::string_view destination,
                                                    std::string_view route);
// Every message state's name, comma-separated, for errors and help texts.
std::string StateNames();
// The bytes as UTF-8 text for display: valid UTF-8 is kept, anything else is
// read as ISO-8859-1 (every byte is then a character).
std::string DisplayText(const std::string& bytes);
// Proto → JSON with the proto field names and every field present.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace navette::engine
