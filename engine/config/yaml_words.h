// The words a configuration file may write, and the "did you mean" for the
// ones it got wrong: shared by the YAML converter's unknown-key and
// enum-value errors so that both suggest by the same rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace navette::engine::config {

// The candidate closest to `written`, compared without case, when it is
// close enough to be the one meant: at most two edits (a doubled or missing letter, a swap), and
// fewer than the word's length, so that short unrelated words are not suggested.
std::optional<std::string> NearestWord(std::string_view written,
                                       const std::vector<std::string>& candidates);

// The enum values a file may write, as it writes them: the proto names in
// lowercase (PER_PATIENT -> per_patient), without the proto3 zero value
// "X_UNSPECIFIED", which stands for "not set" and is never a word for the
// file (on_ae: failure_unspecified would silently mean the default).
std::vector<std::string> EnumWords(const google::protobuf::EnumDescriptor& type);

// The value `text` names, in any case; null if none (or the placeholder).
const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor& type, std::string_view text);

}  // namespace navette::engine::config
