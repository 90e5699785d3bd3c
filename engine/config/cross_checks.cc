#include "engine/config/cross_checks.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
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
    CheckHospital();
    CheckBusinessAcks();
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

  // build_cda writes the hospital's values into every document: without
  // them it could emit none. Reported once, on the hospital key when it is
  // written, else on the first build_cda step.
  void CheckHospital() {
    std::string step_path;
    std::string route_name;
    for (int i = 0; i < config_.routes_size() && step_path.empty(); ++i) {
      const navette::config::Route& route = config_.routes(i);
      for (int j = 0; j < route.steps_size(); ++j) {
        if (!route.steps(j).has_build_cda()) continue;
        step_path = IndexPathJoin(FieldPathJoin(IndexPathJoin("routes", i), "steps"), j);
        route_name = route.name();
        break;
      }
    }
    if (step_path.empty()) return;
    const navette::config::Hospital& hospital = config_.hospital();
    auto report = [&](std::string_view field, std::string problem) {
      const std::string path = FieldPathJoin("hospital", field);
      Report(source_map_.FindValue(path) ? path : step_path,
             fmt::format("route '{}': build_cda needs hospital.{}: {}", route_name, field, problem),
             ConfigError::Severity::kError);
    };
    if (hospital.finess().empty()) {
      report("finess", "the establishment's FINESS (9 characters) is not set");
    } else if (!IsFiness(hospital.finess())) {
      report("finess",
             fmt::format("'{}' is not a FINESS (9 letters or digits)", hospital.finess()));
    }
    if (hospital.oid_root().empty()) {
      report("oid_root", "the OID under which document ids are made is not set");
    } else if (!IsOid(hospital.oid_root()) || hospital.oid_root().size() > kMaxOidRootLength) {
      report("oid_root", fmt::format("'{}' is not an OID of at most {} characters",
                                     hospital.oid_root(), kMaxOidRootLength));
    }
    if (hospital.facility_type_code().empty()) {
      report("facility_type_code", "the healthCareFacility code (JDV_J02, e.g. SA01) is not set");
    }
  }

  // Room is left under the root for the generated part of a document id
  // (the DMP accepts ids of 64 characters).
  static constexpr size_t kMaxOidRootLength = 40;

  static bool IsFiness(std::string_view finess) {
    return finess.size() == 9 && std::all_of(finess.begin(), finess.end(), [](char c) {
             return absl::ascii_isalnum(static_cast<unsigned char>(c));
           });
  }

  // Digits in dot-separated arcs, no leading zero in an arc, at least two.
  static bool IsOid(std::string_view oid) {
    size_t arcs = 0;
    size_t start = 0;
    while (start <= oid.size()) {
      size_t end = oid.find('.', start);
      if (end == std::string_view::npos) end = oid.size();
      std::string_view arc = oid.substr(start, end - start);
      if (arc.empty() || (arc.size() > 1 && arc[0] == '0') ||
          !std::all_of(arc.begin(), arc.end(),
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
        return false;
      }
      ++arcs;
      start = end + 1;
    }
    return arcs >= 2 && oid[0] <= '2';
  }

  void CheckBusinessAcks() {
    for (int i = 0; i < config_.sources_size(); ++i) {
      const navette::config::Source& source = config_.sources(i);
      if (source.business_acks().empty()) continue;
      const std::string path = FieldPathJoin(IndexPathJoin("sources", i), "business_acks");
      const navette::config::Destination* target = nullptr;
      for (const navette::config::Destination& destination : config_.destinations()) {
        if (destination.name() == source.business_acks()) target = &destination;
      }
      if (target == nullptr || !target->has_mllp()) {
        Report(
            path,
            fmt::format("source '{}': business_acks '{}' {}: business acknowledgements go "
                        "back to the producer over MLLP",
                        source.name(), source.business_acks(),
                        target == nullptr ? "names no destination" : "is not an mllp destination"),
            ConfigError::Severity::kError);
        continue;
      }
      if (source.profile() == navette::config::Source::PROFILE_UNSPECIFIED) {
        Report(path,
               fmt::format("source '{}': business_acks is set but the source has no profile: "
                           "its messages carry no document record, so no acknowledgement is "
                           "ever asked for (set profile: dpi, ris or sgl)",
                           source.name()),
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
