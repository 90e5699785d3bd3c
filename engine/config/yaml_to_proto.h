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
//
// A message may also be written with keys that are not its fields but name
// a kind registered from outside the schema (ExtensionKinds below).
#pragma once

#include <string>
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

// Kinds a message may hold that its schema does not name (kinds/registry.h:
// a test's or an out-of-tree adapter's). A message that has a oneof member
// of type google.protobuf.Any (the `extension` slot of a `kind` oneof) may
// be written with a key naming such a kind: its value is converted onto the
// kind's own message, with the same errors and positions, recorded in the
// SourceMap under the key ("destinations[0].<key>.<field>"), and packed into
// that member. The key takes part in the oneof like any member: a second
// kind beside it is a conflict.
class ExtensionKinds {
 public:
  virtual ~ExtensionKinds() = default;
  // The config type of the kind `name` that a `component` may hold, or
  // null when `name` is no such kind.
  virtual const google::protobuf::Descriptor* Find(const google::protobuf::Descriptor& component,
                                                   std::string_view name) const = 0;
  // Every such name for `component`, for "expected one of" lists.
  virtual std::vector<std::string> Names(const google::protobuf::Descriptor& component) const = 0;
};

// Converts `node` onto `message`, which should be empty: fields are set, not
// cleared, and repeated fields appended to. `file` names the file in errors.
// `extensions` may be null: then only the schema's fields are accepted.
ConversionResult YamlToProto(const YAML::Node& node, google::protobuf::Message& message,
                             std::string_view file, const ExtensionKinds* extensions = nullptr);

// 1-based position of a yaml-cpp mark (which is 0-based); unknown (line 0)
// for the null mark of an empty document.
SourcePosition PositionOf(const YAML::Mark& mark);

}  // namespace navette::engine::config
