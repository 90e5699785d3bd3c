// Conversions from stored records to the admin API's resources
// (proto/admin.proto), shared by the admin server and its tests.
#pragma once

#include <string>
#include <vector>

#include "proto/admin.pb.h"
#include "proto/store.pb.h"

namespace navette::engine {

admin::MessageSummary ToSummary(uint64_t id, const store::MessageState& state);
admin::MessageDetail ToDetail(uint64_t id, const store::StoredMessage& message,
                              const store::MessageState& state,
                              const std::vector<store::Event>& history);
// The bytes as UTF-8 text for display: valid UTF-8 is kept, anything else is
// read as ISO-8859-1 (every byte is then a character).
std::string DisplayText(const std::string& bytes);
// Proto → JSON with the proto field names and every field present.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace navette::engine
