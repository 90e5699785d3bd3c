// Converts a YAML node tree onto any protobuf message through reflection, so
// that the configuration schema lives in proto/config.proto alone and a new
// field needs no parsing code.
//
// YAML keys are proto field names. Nested messages are mappings, repeated
// fields sequences (a single scalar is taken as a one-element list for
// repeated scalars), map<K, V> fields mappings. Scalars: strings as written;
// bools "true"/"false" only; integers in decimal, range-checked, unsigned
// ones never negative; doubles; enums by value name, case-insensitively;
// google.protobuf.Duration as "500ms", "30s", "5m", "1h30m" (duration.h).
// A null value ("key:" with nothing after it) leaves a message empty but
// present, and a list or map empty.
//
// Conversion does not stop at the first problem: every unknown key, wrong
// type, duplicate key and oneof conflict is reported, each with its line and
// column, and the rest of the tree is still converted so that later checks
// can run. Every field set is recorded in a SourceMap (source_map.h).
#pragma once

#include <string_view>
#include <vector>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "engine/config/config_error.h"
#include "engine/config/source_map.h"

namespace navette::engine::config {

struct ConversionResult {
  std::vector<ConfigError> errors;  // in the order found, which is file order
  SourceMap source_map;

  bool ok() const { return errors.empty(); }
};

// Converts `node` onto `message`, which should be empty: fields are set, not
// cleared, and repeated fields appended to. `file` names the file in errors.
ConversionResult YamlToProto(const YAML::Node& node, google::protobuf::Message& message,
                             std::string_view file);

// 1-based position of a yaml-cpp mark (which is 0-based); unknown (line 0)
// for the null mark of an empty document.
SourcePosition PositionOf(const YAML::Mark& mark);

}  // namespace navette::engine::config
