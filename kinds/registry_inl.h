// Erase(): the typed rows of kinds/registry.h into the rows the registry
// holds. Included from registry.h only.
#pragma once

#include <utility>

namespace navette::kinds {

template <typename Config>
SourceKind Erase(TypedSourceKind<Config> typed) {
  SourceKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  if (auto apply_defaults = typed.apply_defaults) {
    kind.apply_defaults = [apply_defaults](google::protobuf::Message& config) {
      apply_defaults(static_cast<Config&>(config));
    };
  }
  if (auto check = typed.check) {
    kind.check = [check](const google::protobuf::Message& config, CheckReporter& reporter) {
      check(static_cast<const Config&>(config), reporter);
    };
  }
  if (auto create = typed.create) {
    kind.create = [create](const google::protobuf::Message& config, const SourceContext& context) {
      return create(static_cast<const Config&>(config), context);
    };
  }
  if (auto listen_addresses = typed.listen_addresses) {
    kind.listen_addresses = [listen_addresses](const google::protobuf::Message& config) {
      return listen_addresses(static_cast<const Config&>(config));
    };
  }
  kind.reject_reasons = std::move(typed.reject_reasons);
  return kind;
}

template <typename Config>
StepKind Erase(TypedStepKind<Config> typed) {
  StepKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  if (auto apply_defaults = typed.apply_defaults) {
    kind.apply_defaults = [apply_defaults](google::protobuf::Message& config) {
      apply_defaults(static_cast<Config&>(config));
    };
  }
  if (auto check = typed.check) {
    kind.check = [check](const google::protobuf::Message& config, CheckReporter& reporter) {
      check(static_cast<const Config&>(config), reporter);
    };
  }
  if (auto create = typed.create) {
    kind.create = [create](const google::protobuf::Message& config, const StepContext& context) {
      return create(static_cast<const Config&>(config), context);
    };
  }
  return kind;
}

template <typename Config>
DestinationKind Erase(TypedDestinationKind<Config> typed) {
  DestinationKind kind;
  kind.name = std::move(typed.name);
  kind.config_type = Config::descriptor();
  if (auto apply_defaults = typed.apply_defaults) {
    kind.apply_defaults = [apply_defaults](google::protobuf::Message& config) {
      apply_defaults(static_cast<Config&>(config));
    };
  }
  if (auto check = typed.check) {
    kind.check = [check](const google::protobuf::Message& config, CheckReporter& reporter) {
      check(static_cast<const Config&>(config), reporter);
    };
  }
  if (auto create = typed.create) {
    kind.create = [create](const google::protobuf::Message& config,
                           const DestinationContext& context) {
      return create(static_cast<const Config&>(config), context);
    };
  }
  if (auto probe = typed.probe) {
    kind.probe = [probe](const google::protobuf::Message& config,
                         const DestinationContext& context) {
      return probe(static_cast<const Config&>(config), context);
    };
  }
  kind.traits = typed.traits;
  return kind;
}

}  // namespace navette::kinds
