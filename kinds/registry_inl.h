// Erase(): the typed rows of kinds/registry.h into the rows the registry
// holds. Included from registry.h only.
#pragma once

#include <utility>

namespace navette::kinds {
namespace erase_internal {

// Each wraps a typed function of the kind's own config message into one on
// google::protobuf::Message; null stays null (an optional part of the row).
template <typename Config>
std::function<void(google::protobuf::Message&)> Defaults(void (*apply)(Config&)) {
  if (apply == nullptr) return nullptr;
  return [apply](google::protobuf::Message& config) { apply(static_cast<Config&>(config)); };
}

template <typename Config>
std::function<void(const google::protobuf::Message&, CheckReporter&)> Check(
    void (*check)(const Config&, CheckReporter&)) {
  if (check == nullptr) return nullptr;
  return [check](const google::protobuf::Message& config, CheckReporter& reporter) {
    check(static_cast<const Config&>(config), reporter);
  };
}

// A factory, a probe or a list of addresses: `Result f(const Config&,
// const Context&...)`.
template <typename Config, typename Result, typename... Context>
std::function<Result(const google::protobuf::Message&, const Context&...)> Typed(
    Result (*function)(const Config&, const Context&...)) {
  if (function == nullptr) return nullptr;
  return [function](const google::protobuf::Message& config, const Context&... context) {
    return function(static_cast<const Config&>(config), context...);
  };
}

}  // namespace erase_internal

template <typename Config>
SourceKind Erase(TypedSourceKind<Config> typed) {
  SourceKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  kind.apply_defaults = erase_internal::Defaults(typed.apply_defaults);
  kind.check = erase_internal::Check(typed.check);
  kind.create = erase_internal::Typed(typed.create);
  kind.listen_addresses = erase_internal::Typed(typed.listen_addresses);
  kind.reject_reasons = std::move(typed.reject_reasons);
  return kind;
}

template <typename Config>
StepKind Erase(TypedStepKind<Config> typed) {
  StepKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  kind.apply_defaults = erase_internal::Defaults(typed.apply_defaults);
  kind.check = erase_internal::Check(typed.check);
  kind.create = erase_internal::Typed(typed.create);
  return kind;
}

template <typename Config>
DestinationKind Erase(TypedDestinationKind<Config> typed) {
  DestinationKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  kind.apply_defaults = erase_internal::Defaults(typed.apply_defaults);
  kind.check = erase_internal::Check(typed.check);
  kind.create = erase_internal::Typed(typed.create);
  kind.probe = erase_internal::Typed(typed.probe);
  kind.traits = typed.traits;
  return kind;
}

}  // namespace navette::kinds
