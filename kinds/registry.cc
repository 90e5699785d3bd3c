#include "kinds/registry.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <fmt/format.h>

#include "absl/strings/cord.h"

namespace navette::kinds {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr absl::string_view kSettingFieldPayload = "navette.kinds.setting_field";
// The member of every `kind` oneof that holds a kind registered from
// outside proto/config.proto.
constexpr std::string_view kExtensionField = "extension";

// The oneof member set on `component`, or null.
const FieldDescriptor* SetKindField(const Message& component) {
  const google::protobuf::OneofDescriptor* oneof =
      component.GetDescriptor()->FindOneofByName("kind");
  if (oneof == nullptr) return nullptr;
  return component.GetReflection()->GetOneofFieldDescriptor(component, oneof);
}

// Checks a new row against the component message it configures and the
// rows already there.
template <typename Row>
absl::Status CheckRow(const Row& row, const std::vector<Row>& existing, const Descriptor* component,
                      std::string_view what) {
  if (row.name.empty())
    return absl::InvalidArgumentError(fmt::format("a {} kind needs a name", what));
  if (row.config_type == nullptr || !row.create) {
    return absl::InvalidArgumentError(
        fmt::format("{} kind '{}' needs a config type and a factory", what, row.name));
  }
  for (const Row& other : existing) {
    if (other.name == row.name) {
      return absl::AlreadyExistsError(
          fmt::format("{} kind '{}' is registered twice", what, row.name));
    }
  }
  if (row.name == kExtensionField) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a kind name", row.name));
  }
  // A name that is a field of the component must be its oneof member of
  // the kind's own type (a built-in kind); any other field would shadow it.
  if (const FieldDescriptor* field = component->FindFieldByName(row.name)) {
    const bool member = field->containing_oneof() != nullptr &&
                        field->containing_oneof()->name() == "kind" &&
                        field->message_type() == row.config_type;
    if (!member) {
      return absl::InvalidArgumentError(
          fmt::format("{} kind '{}' clashes with the field '{}' of {}", what, row.name, row.name,
                      component->full_name()));
    }
  }
  return absl::OkStatus();
}

template <typename Row>
const Row* FindByName(const std::vector<Row>& rows, std::string_view name) {
  for (const Row& row : rows) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

template <typename Row>
const Row* FindOf(const std::vector<Row>& rows, const Message& component) {
  const FieldDescriptor* field = SetKindField(component);
  if (field == nullptr) return nullptr;
  if (field->name() != kExtensionField) return FindByName(rows, field->name());
  const auto& any = static_cast<const google::protobuf::Any&>(
      component.GetReflection()->GetMessage(component, field));
  const std::string_view url = any.type_url();
  const std::string_view type = url.substr(url.rfind('/') + 1);
  for (const Row& row : rows) {
    if (row.config_type->full_name() == type) return &row;
  }
  return nullptr;
}

}  // namespace

absl::Status SettingError(std::string_view field, std::string_view message) {
  absl::Status status =
      absl::InvalidArgumentError(absl::string_view(message.data(), message.size()));
  status.SetPayload(kSettingFieldPayload,
                    absl::Cord(absl::string_view(field.data(), field.size())));
  return status;
}

std::string SettingErrorField(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kSettingFieldPayload);
  return field ? std::string(*field) : std::string();
}

absl::Status SettingErrorFromText(const absl::Status& status, std::string_view fallback) {
  if (status.ok()) return status;
  const std::string text(status.message());
  const size_t colon = text.find(": ");
  // A setting's path: letters, digits, '_' and '.' only.
  const bool named = colon != std::string::npos && colon > 0 &&
                     text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") >= colon;
  return named ? SettingError(text.substr(0, colon), text.substr(colon + 2))
               : SettingError(fallback, text);
}

absl::Status KindRegistry::Add(SourceKind kind) {
  absl::Status ok = CheckRow(kind, sources_, navette::config::Source::descriptor(), "source");
  if (ok.ok()) sources_.push_back(std::move(kind));
  return ok;
}

absl::Status KindRegistry::Add(StepKind kind) {
  absl::Status ok = CheckRow(kind, steps_, navette::config::Step::descriptor(), "step");
  if (ok.ok()) steps_.push_back(std::move(kind));
  return ok;
}

absl::Status KindRegistry::Add(DestinationKind kind) {
  absl::Status ok =
      CheckRow(kind, destinations_, navette::config::Destination::descriptor(), "destination");
  if (ok.ok()) destinations_.push_back(std::move(kind));
  return ok;
}

const SourceKind* KindRegistry::FindSource(std::string_view name) const {
  return FindByName(sources_, name);
}
const StepKind* KindRegistry::FindStep(std::string_view name) const {
  return FindByName(steps_, name);
}
const DestinationKind* KindRegistry::FindDestination(std::string_view name) const {
  return FindByName(destinations_, name);
}

const SourceKind* KindRegistry::KindOf(const navette::config::Source& source) const {
  return FindOf(sources_, source);
}
const StepKind* KindRegistry::KindOf(const navette::config::Step& step) const {
  return FindOf(steps_, step);
}
const DestinationKind* KindRegistry::KindOf(const navette::config::Destination& destination) const {
  return FindOf(destinations_, destination);
}

absl::StatusOr<KindSettings> KindSettings::Of(const Message& component, const Descriptor* type) {
  KindSettings settings;
  const FieldDescriptor* field = SetKindField(component);
  if (field == nullptr) return settings;
  const Message& member = component.GetReflection()->GetMessage(component, field);
  if (field->name() != kExtensionField) {
    settings.message_ = &member;
    return settings;
  }
  const auto& any = static_cast<const google::protobuf::Any&>(member);
  if (type == nullptr) return absl::InvalidArgumentError("an extension kind needs its config type");
  std::shared_ptr<Message> owned(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!any.UnpackTo(owned.get())) {
    return absl::InvalidArgumentError(fmt::format("the settings of kind {} do not read as {}",
                                                  any.type_url(), type->full_name()));
  }
  settings.owned_ = std::move(owned);
  settings.message_ = settings.owned_.get();
  return settings;
}

absl::Status EditKindSettings(Message& component, const Descriptor* type,
                              const std::function<void(Message&)>& edit) {
  const FieldDescriptor* field = SetKindField(component);
  if (field == nullptr) return absl::OkStatus();
  Message* member = component.GetReflection()->MutableMessage(&component, field);
  if (field->name() != kExtensionField) {
    edit(*member);
    return absl::OkStatus();
  }
  auto* any = static_cast<google::protobuf::Any*>(member);
  std::unique_ptr<Message> settings(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!any->UnpackTo(settings.get())) {
    return absl::InvalidArgumentError(fmt::format("the settings of kind {} do not read as {}",
                                                  any->type_url(), type->full_name()));
  }
  edit(*settings);
  any->PackFrom(*settings);
  return absl::OkStatus();
}

std::string KindName(const Message& component, const KindRegistry& registry) {
  const FieldDescriptor* field = SetKindField(component);
  if (field == nullptr) return "";
  if (field->name() != kExtensionField) return field->name();
  const Descriptor* type = component.GetDescriptor();
  if (type == navette::config::Source::descriptor()) {
    const SourceKind* kind =
        registry.KindOf(static_cast<const navette::config::Source&>(component));
    return kind ? kind->name : "";
  }
  if (type == navette::config::Step::descriptor()) {
    const StepKind* kind = registry.KindOf(static_cast<const navette::config::Step&>(component));
    return kind ? kind->name : "";
  }
  if (type == navette::config::Destination::descriptor()) {
    const DestinationKind* kind =
        registry.KindOf(static_cast<const navette::config::Destination&>(component));
    return kind ? kind->name : "";
  }
  return "";
}

}  // namespace navette::kinds
