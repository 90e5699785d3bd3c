#include "engine/config/cross_checks.h"

#include <google/protobuf/descriptor.h>

#include <optional>
#include <string>

#include <fmt/format.h>

#include "absl/strings/ascii.h"
#include "common/listen_address.h"

namespace navette::engine::config {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// One address something listens on, and where the configuration says so.
struct Listener {
  ListenAddress address;
  std::string text;   // as written
  std::string owner;  // "source 'in'", "engine.admin.listen"
  std::string path;   // source map path of the key
};

bool IsWildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

// Whether binding both would fail: the same port, and the same host or a
// wildcard on either side (on Linux "[::]" takes IPv4 too by default).
bool Overlap(const ListenAddress& a, const ListenAddress& b) {
  if (a.port != b.port) return false;
  return IsWildcard(a.host) || IsWildcard(b.host) ||
         absl::AsciiStrToLower(a.host) == absl::AsciiStrToLower(b.host);
}

// The path of the kind's string setting that holds `address` ("mllp.listen"),
// so that the error points at that key; the kind's settings otherwise.
std::string SettingPathOf(const Message& settings, std::string_view kind,
                          const std::string& address) {
  const google::protobuf::Descriptor* type = settings.GetDescriptor();
  const google::protobuf::Reflection* reflection = settings.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->type() != FieldDescriptor::TYPE_STRING || field->is_repeated()) continue;
    if (reflection->GetString(settings, field) == address) {
      return FieldPathJoin(kind, field->name());
    }
  }
  return std::string(kind);
}

class CrossChecker {
 public:
  CrossChecker(const navette::config::Config& config, const SourceMap& source_map,
               std::string_view file, const kinds::KindRegistry& kinds,
               std::vector<ConfigError>& errors)
      : config_(config), source_map_(source_map), file_(file), kinds_(kinds), errors_(errors) {}

  void Run() {
    CheckListenAddresses();
    CheckIdentityFeed();
  }

 private:
  void Report(const std::string& path, std::string message, ConfigError::Severity severity) {
    SourcePosition position = source_map_.Locate(path);
    errors_.push_back(
        {std::string(file_), position.line, position.column, std::move(message), severity});
  }

  void CheckListenAddresses() {
    std::vector<Listener> taken;
    // Malformed addresses were reported by the checks already.
    if (auto admin = ParseListenAddress(config_.engine().admin().listen()); admin.ok()) {
      taken.push_back({*admin, config_.engine().admin().listen(), "engine.admin.listen",
                       "engine.admin.listen"});
    }
    for (int i = 0; i < config_.sources_size(); ++i) {
      const navette::config::Source& source = config_.sources(i);
      const kinds::SourceKind* kind = kinds_.KindOf(source);
      if (kind == nullptr || !kind->listen_addresses) continue;
      absl::StatusOr<kinds::KindSettings> settings =
          kinds::KindSettings::Of(source, kind->config_type);
      if (!settings.ok() || settings->get() == nullptr) continue;
      const std::string source_path = IndexPathJoin("sources", i);
      const std::string owner = fmt::format("source '{}'", source.name());
      for (const std::string& text : kind->listen_addresses(**settings)) {
        auto address = ParseListenAddress(text);
        if (!address.ok()) continue;
        Listener listener{*address, text, owner,
                          FieldPathJoin(source_path, SettingPathOf(**settings, kind->name, text))};
        for (const Listener& first : taken) {
          if (!Overlap(first.address, listener.address)) continue;
          Report(listener.path,
                 fmt::format("{}: listen address {} overlaps {} of {} (line {}): the second "
                             "could never listen",
                             owner, text, first.text, first.owner,
                             source_map_.Locate(first.path).line),
                 ConfigError::Severity::kError);
          break;
        }
        taken.push_back(std::move(listener));
      }
    }
  }

  void CheckIdentityFeed() {
    for (const navette::config::Route& route : config_.routes()) {
      for (const navette::config::Step& step : route.steps()) {
        if (step.has_identity_feed()) return;
      }
    }
    for (int i = 0; i < config_.routes_size(); ++i) {
      const navette::config::Route& route = config_.routes(i);
      for (int j = 0; j < route.steps_size(); ++j) {
        if (!route.steps(j).has_attach_ins()) continue;
        const std::string fate = WhatHappensWithoutIdentities(route.steps(j).attach_ins());
        Report(IndexPathJoin(FieldPathJoin(IndexPathJoin("routes", i), "steps"), j),
               fmt::format("route '{}': attach_ins reads the identity store, but no route has an "
                           "identity_feed step to fill it: {}",
                           route.name(), fate),
               ConfigError::Severity::kWarning);
      }
    }
  }

  static std::string WhatHappensWithoutIdentities(const navette::config::AttachInsStep& step) {
    using navette::config::AttachInsStep;
    if (step.on_missing() == AttachInsStep::DEAD) {
      return "every document would go dead (on_missing: dead)";
    }
    if (step.on_missing() == AttachInsStep::CONTINUE_WITHOUT_INS) {
      return "every document would go on without its INS (on_missing: continue_without_ins)";
    }
    return "every document would park forever (on_missing: park)";
  }

  const navette::config::Config& config_;
  const SourceMap& source_map_;
  std::string_view file_;
  const kinds::KindRegistry& kinds_;
  std::vector<ConfigError>& errors_;
};

}  // namespace

void CrossCheckConfig(const navette::config::Config& config, const SourceMap& source_map,
                      std::string_view file, const kinds::KindRegistry& kinds,
                      std::vector<ConfigError>& errors) {
  CrossChecker(config, source_map, file, kinds, errors).Run();
}

}  // namespace navette::engine::config
