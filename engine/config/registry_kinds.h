// What the configuration code reads from the kind registry
// (kinds/registry.h) besides the rows themselves: the kind names a
// component may be written with, and the registry as the converter's
// ExtensionKinds (yaml_to_proto.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "engine/config/yaml_to_proto.h"
#include "kinds/registry.h"

namespace navette::engine::config {

// The names of the kinds a component (Source, Step or Destination) may be
// written with, for "expected one of" messages: the registry's, in
// registration order, then any member of its `kind` oneof that has no row
// yet. (The second part is transitional: once every built-in kind is
// registered it adds nothing.)
std::vector<std::string> KindNamesOf(const google::protobuf::Descriptor& component,
                                     const kinds::KindRegistry& kinds);

// The registry's kinds that are not members of a `kind` oneof, for the
// converter.
class RegistryExtensionKinds : public ExtensionKinds {
 public:
  explicit RegistryExtensionKinds(const kinds::KindRegistry& kinds) : kinds_(kinds) {}

  const google::protobuf::Descriptor* Find(const google::protobuf::Descriptor& component,
                                           std::string_view name) const override;
  std::vector<std::string> Names(const google::protobuf::Descriptor& component) const override;

 private:
  const kinds::KindRegistry& kinds_;
};

}  // namespace navette::engine::config
