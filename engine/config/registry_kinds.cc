#include "engine/config/registry_kinds.h"

#include <algorithm>
#include <utility>

#include "proto/config.pb.h"

namespace navette::engine::config {
namespace {

using google::protobuf::Descriptor;

// Name and config type of every row for `component`, in registration order.
template <typename Row>
std::vector<std::pair<std::string, const Descriptor*>> Rows(const std::vector<Row>& rows) {
  std::vector<std::pair<std::string, const Descriptor*>> out;
  for (const Row& row : rows) out.emplace_back(row.name, row.config_type);
  return out;
}

std::vector<std::pair<std::string, const Descriptor*>> RowsFor(const Descriptor& component,
                                                               const kinds::KindRegistry& kinds) {
  if (&component == navette::config::Source::descriptor()) return Rows(kinds.sources());
  if (&component == navette::config::Step::descriptor()) return Rows(kinds.steps());
  if (&component == navette::config::Destination::descriptor()) return Rows(kinds.destinations());
  return {};
}

// A kind the schema names: a member of the component's `kind` oneof.
bool IsSchemaMember(const Descriptor& component, const std::string& name) {
  const google::protobuf::FieldDescriptor* field = component.FindFieldByName(name);
  return field != nullptr && field->containing_oneof() != nullptr &&
         field->containing_oneof()->name() == "kind";
}

}  // namespace

std::vector<std::string> KindNamesOf(const Descriptor& component,
                                     const kinds::KindRegistry& kinds) {
  std::vector<std::string> names;
  for (auto& [name, type] : RowsFor(component, kinds)) names.push_back(std::move(name));
  // TRANSITIONAL: built-in kinds whose row is not written yet.
  if (const google::protobuf::OneofDescriptor* oneof = component.FindOneofByName("kind")) {
    for (int i = 0; i < oneof->field_count(); ++i) {
      const std::string& member = oneof->field(i)->name();
      if (member == "extension") continue;  // the slot, not a kind (kinds/registry.h)
      if (std::find(names.begin(), names.end(), member) == names.end()) names.push_back(member);
    }
  }
  return names;
}

const Descriptor* RegistryExtensionKinds::Find(const Descriptor& component,
                                               std::string_view name) const {
  for (const auto& [row_name, type] : RowsFor(component, kinds_)) {
    if (row_name == name && !IsSchemaMember(component, row_name)) return type;
  }
  return nullptr;
}

std::vector<std::string> RegistryExtensionKinds::Names(const Descriptor& component) const {
  std::vector<std::string> names;
  for (auto& [name, type] : RowsFor(component, kinds_)) {
    if (!IsSchemaMember(component, name)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace navette::engine::config
