// One YAML scalar onto one protobuf field, for the converter
// (yaml_to_proto.h): strings as written; bools "true"/"false" only; whole
// numbers in decimal, range-checked; finite doubles; enums by value name,
// case-insensitively (with the nearest name suggested); durations such as
// "30s" (duration.h).
#pragma once

#include <optional>
#include <string>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

namespace navette::engine::config {

// google.protobuf.Duration, written as one scalar.
bool IsDuration(const google::protobuf::FieldDescriptor& field);

// How a node is named in "expected X, got Y" messages.
std::string DescribeNode(const YAML::Node& node);

// What a field accepts, for "expected X, got Y".
std::string ExpectedValue(const google::protobuf::FieldDescriptor& field);

// Sets (or, for a repeated field, adds) the scalar `node` onto `field` of
// `message`. The error, without a position, when `node` is not a valid
// value of the field's type; nothing is set then.
std::optional<std::string> SetScalarValue(const YAML::Node& node,
                                          google::protobuf::Message& message,
                                          const google::protobuf::FieldDescriptor& field);

}  // namespace navette::engine::config
