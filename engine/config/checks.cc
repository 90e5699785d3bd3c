#include "engine/config/checks.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <re2/re2.h>

#include "adapters/documents/document_names.h"
#include "adapters/hl7v2/charset.h"
#include "adapters/hl7v2/field_path.h"
#include "common/fmt_absl.h"
#include "common/listen_address.h"
#include "engine/config/defaults.h"
#include "engine/config/disk_checks.h"
#include "engine/config/ingress_security.h"
#include "engine/config/kind_reporter.h"
#include "engine/config/registry_kinds.h"
#include "engine/config/retention_checks.h"

namespace navette::engine::config {
namespace {

using navette::config::Config;
using navette::config::Destination;
using navette::config::Route;
using navette::config::Source;

// Names end up in file names, metric labels and URLs: keep them plain.
bool IsValidName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::string JoinOrNone(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Whether the component's `kind` oneof holds a kind registered from outside
// the schema (kinds/registry.h).
bool HoldsExtension(const google::protobuf::Message& component) {
  const google::protobuf::OneofDescriptor* oneof =
      component.GetDescriptor()->FindOneofByName("kind");
  if (oneof == nullptr) return false;
  const google::protobuf::FieldDescriptor* set =
      component.GetReflection()->GetOneofFieldDescriptor(component, oneof);
  return set != nullptr && set->name() == "extension";
}

class Checker {
 public:
  Checker(const Config& config, const SourceMap& source_map, std::string_view file,
          const kinds::KindRegistry& kinds)
      : config_(config), source_map_(source_map), file_(file), kinds_(kinds) {}

  std::vector<ConfigError> Run() {
    CheckEngine();
    source_names_ = CheckNames(config_.sources(), "sources", "source");
    destination_names_ = CheckNames(config_.destinations(), "destinations", "destination");
    CheckNames(config_.routes(), "routes", "route");
    if (config_.sources().empty()) {
      Report("sources", "at least one source is required (a place messages come from)");
    }
    if (config_.destinations().empty()) {
      Report("destinations", "at least one destination is required (a place messages go to)");
    }
    for (int i = 0; i < config_.sources_size(); ++i) CheckSource(config_.sources(i), i);
    CheckIdentity();
    for (int i = 0; i < config_.routes_size(); ++i) CheckRoute(config_.routes(i), i);
    for (int i = 0; i < config_.destinations_size(); ++i) {
      CheckDestination(config_.destinations(i), i);
    }
    return std::move(errors_);
  }

 private:
  // The names of one list, in order, and whether they can be trusted for
  // "unknown X" errors: not when one failed to convert, which would make
  // every reference to it look wrong too.
  struct Names {
    std::vector<std::string> names;
    bool complete = true;

    bool Contains(const std::string& name) const {
      return std::find(names.begin(), names.end(), name) != names.end();
    }
  };

  void Report(const std::string& path, std::string message) {
    ReportAt(path, false, std::move(message));
  }
  void ReportOnKey(const std::string& path, std::string message) {
    ReportAt(path, true, std::move(message));
  }
  // A warning does not fail the load (config_error.h).
  void ReportWarning(const std::string& path, std::string message) {
    ReportAt(path, false, std::move(message), ConfigError::Severity::kWarning);
  }
  void ReportAt(const std::string& path, bool on_key, std::string message,
                ConfigError::Severity severity = ConfigError::Severity::kError) {
    if (source_map_.IsInvalidOrUnderInvalid(path)) return;
    SourcePosition position = on_key ? source_map_.LocateKey(path) : source_map_.Locate(path);
    errors_.push_back(
        {std::string(file_), position.line, position.column, std::move(message), severity});
  }

  // How errors name an element: by its name, or by its path when unnamed.
  static std::string Label(std::string_view what, const std::string& name,
                           const std::string& path) {
    if (name.empty()) return path;
    return fmt::format("{} '{}'", what, name);
  }

  template <typename T>
  Names CheckNames(const google::protobuf::RepeatedPtrField<T>& elements, std::string_view list,
                   std::string_view what) {
    Names result;
    if (source_map_.IsInvalid(list)) result.complete = false;
    std::map<std::string, std::string> first_path;  // name -> path of its first element
    for (int i = 0; i < elements.size(); ++i) {
      const std::string& name = elements[i].name();
      std::string element_path = IndexPathJoin(list, i);
      std::string name_path = FieldPathJoin(element_path, "name");
      if (source_map_.IsInvalid(element_path) || source_map_.IsInvalid(name_path)) {
        // Reported by the converter already (not a mapping, not a string).
        result.complete = false;
        continue;
      }
      if (name.empty()) {
        Report(name_path, fmt::format("{}: a name is required", element_path));
        continue;
      }
      result.names.push_back(name);
      if (!IsValidName(name)) {
        Report(name_path,
               fmt::format("{} name '{}' may only contain letters, digits, '_', '.' and '-'", what,
                           name));
      }
      auto [first, inserted] = first_path.emplace(name, name_path);
      if (!inserted) {
        Report(name_path, fmt::format("duplicate {} name '{}' (first defined on line {})", what,
                                      name, source_map_.Locate(first->second).line));
      }
    }
    return result;
  }

  // `setting` is how the user wrote the field, e.g. "mllp.listen".
  void CheckListen(const std::string& path, std::string_view label, std::string_view setting,
                   const std::string& listen) {
    if (listen.empty()) {
      Report(path, fmt::format("{}: {} is required", label, setting));
      return;
    }
    auto address = ParseListenAddress(listen);
    if (!address.ok()) {
      Report(path, fmt::format("{}: {}", label, std::string(address.status().message())));
    }
  }

  void CheckEngine() {
    CheckListen("engine.admin.listen", "engine.admin", "listen", config_.engine().admin().listen());
    CheckTokens();
    CheckAdminLimits();
    CheckIngress(config_.engine().ingress(), [this](const std::string& path, std::string message,
                                                    ConfigError::Severity severity) {
      ReportAt(path, false, std::move(message), severity);
    });
    CheckDisk(config_.engine().disk(),
              [this](const std::string& path, std::string message, ConfigError::Severity severity) {
                ReportAt(path, false, std::move(message), severity);
              });
    CheckRetention(config_.engine(), [this](const std::string& path, std::string message,
                                            ConfigError::Severity severity) {
      ReportAt(path, false, std::move(message), severity);
    });
  }

  void CheckSource(const Source& source, int index) {
    std::string path = IndexPathJoin("sources", index);
    std::string label = Label("source", source.name(), path);
    if (source.kind_case() == Source::KIND_NOT_SET) ReportNoKind(source, path, label);
    CheckKindSettings(source, kinds_.KindOf(source), path, label);
    // Every message without MSH-18 is read in this set: an unusable one would
    // answer each of them AE at run time.
    if (auto charset = adapters::hl7v2::CharsetFromName(source.default_charset()); !charset.ok()) {
      Report(FieldPathJoin(path, "default_charset"),
             fmt::format("{}: default_charset: {}", label, charset.status().message()));
    }
  }

  void CheckDestination(const Destination& destination, int index) {
    std::string path = IndexPathJoin("destinations", index);
    std::string label = Label("destination", destination.name(), path);
    if (destination.kind_case() == Destination::KIND_NOT_SET)
      ReportNoKind(destination, path, label);
    CheckKindSettings(destination, kinds_.KindOf(destination), path, label);
    CheckDelivery(destination.delivery(), FieldPathJoin(path, "delivery"), label);
  }

  // "no kind set", at the component; not when a misspelt kind was reported
  // as an unknown key already.
  void ReportNoKind(const google::protobuf::Message& component, const std::string& path,
                    const std::string& label) {
    if (source_map_.HasInvalidWithin(path)) return;
    Report(path, fmt::format("{}: no kind set (expected one of: {})", label,
                             JoinOrNone(KindNamesOf(*component.GetDescriptor(), kinds_))));
  }

  // Runs the check of the component's kind (kinds/registry.h), reporting at
  // the keys under the kind's settings (path "<component>.<kind>.<field>").
  // `kind` is null when the component's kind is not set or has no row.
  template <typename Kind>
  void CheckKindSettings(const google::protobuf::Message& component, const Kind* kind,
                         const std::string& path, const std::string& label) {
    if (kind == nullptr) {
      // Only a configuration built in code holds an extension with no row:
      // the loader packs registered kinds only.
      if (HoldsExtension(component)) {
        Report(path, fmt::format("{}: its kind is not registered in this build", label));
      }
      return;
    }
    if (!kind->check) return;
    auto settings = kinds::KindSettings::Of(component, kind->config_type);
    if (!settings.ok()) {
      Report(path, fmt::format("{}: {}", label, settings.status().message()));
      return;
    }
    if (settings->get() == nullptr) return;
    KindCheckReporter reporter(
        FieldPathJoin(path, kind->name), label,
        [this](const std::string& at, std::string message) { Report(at, std::move(message)); },
        [this](const std::string& at, std::string message) {
          ReportWarning(at, std::move(message));
        });
    kind->check(**settings, reporter);
  }

  void CheckDelivery(const navette::config::Delivery& delivery, const std::string& path,
                     const std::string& label) {
    if (delivery.rate_limit() < 0) {
      Report(FieldPathJoin(path, "rate_limit"),
             fmt::format("{}: delivery.rate_limit must be 0 (no limit) or more", label));
    }
    const navette::config::Retry& retry = delivery.retry();
    const std::string retry_path = FieldPathJoin(path, "retry");
    // Zero and absent values take their defaults (checks may run before them).
    if (retry.factor() != 0 && retry.factor() < 1) {
      Report(FieldPathJoin(retry_path, "factor"),
             fmt::format("{}: delivery.retry.factor must be 1 or more", label));
    }
    if (retry.jitter() < 0 || retry.jitter() > 1) {
      Report(FieldPathJoin(retry_path, "jitter"),
             fmt::format("{}: delivery.retry.jitter must be between 0 and 1", label));
    }
    auto millis = [](const google::protobuf::Duration& d) {
      return d.seconds() * 1000 + d.nanos() / 1000000;
    };
    if (retry.has_initial_delay() && millis(retry.initial_delay()) <= 0) {
      Report(FieldPathJoin(retry_path, "initial_delay"),
             fmt::format("{}: delivery.retry.initial_delay must be at least 1ms", label));
    } else if (retry.has_initial_delay() && retry.has_max_delay() &&
               millis(retry.max_delay()) < millis(retry.initial_delay())) {
      Report(FieldPathJoin(retry_path, "max_delay"),
             fmt::format("{}: delivery.retry.max_delay must not be shorter than initial_delay",
                         label));
    }
  }

  // A contradiction, or a timeout no request could meet. Zeros stand for
  // their defaults (checks may run before them).
  void CheckAdminLimits() {
    const navette::config::Admin& admin = config_.engine().admin();
    const uint32_t total =
        admin.max_connections() != 0 ? admin.max_connections() : kDefaultAdminMaxConnections;
    const uint32_t per_peer = admin.max_connections_per_peer() != 0
                                  ? admin.max_connections_per_peer()
                                  : kDefaultAdminMaxConnectionsPerPeer;
    if (per_peer > total) {
      Report("engine.admin.max_connections_per_peer",
             fmt::format("engine.admin: max_connections_per_peer ({}) must not exceed "
                         "max_connections ({})",
                         per_peer, total));
    }
    const google::protobuf::Duration& timeout = admin.request_timeout();
    if (admin.has_request_timeout() && timeout.seconds() * 1000 + timeout.nanos() / 1000000 < 100) {
      Report("engine.admin.request_timeout",
             "engine.admin: request_timeout must be at least 100ms (the time a client has to send "
             "a whole request)");
    }
  }

  void CheckTokens() {
    const auto& tokens = config_.engine().admin().tokens();
    std::map<std::string, int> first_index;
    for (int i = 0; i < tokens.size(); ++i) {
      const navette::config::AdminToken& token = tokens[i];
      const std::string path = IndexPathJoin("engine.admin.tokens", i);
      if (token.user().empty()) {
        Report(path, fmt::format("{}: user is required", path));
      } else if (!first_index.emplace(token.user(), i).second) {
        Report(FieldPathJoin(path, "user"),
               fmt::format("engine.admin.tokens: duplicate user '{}'", token.user()));
      }
      const std::string& hash = token.sha256();
      bool hex = hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                 });
      if (!hex) {
        Report(token.sha256().empty() ? path : FieldPathJoin(path, "sha256"),
               fmt::format("{}: sha256 must be the token's SHA-256 in 64 lowercase hex digits "
                           "(see `navette token new`)",
                           path));
      }
      if (token.role() == navette::config::AdminToken::ROLE_UNSPECIFIED) {
        Report(path, fmt::format("{}: role is required (viewer, operator or admin)", path));
      }
    }
  }

  void CheckRoute(const Route& route, int index) {
    std::string path = IndexPathJoin("routes", index);
    std::string label = Label("route", route.name(), path);

    std::string from_path = FieldPathJoin(path, "from");
    for (int i = 0; i < route.from_size(); ++i) {
      const std::string& name = route.from(i);
      if (source_names_.complete && !source_names_.Contains(name)) {
        Report(IndexPathJoin(from_path, i),
               fmt::format("{}: unknown source '{}' (known: {})", label, name,
                           JoinOrNone(source_names_.names)));
      }
    }

    std::string to_path = FieldPathJoin(path, "to");
    bool feeds_identities = false;
    std::string steps_path = FieldPathJoin(path, "steps");
    for (int i = 0; i < route.steps_size(); ++i) {
      const navette::config::Step& step = route.steps(i);
      feeds_identities = feeds_identities || step.has_identity_feed();
      if (step.kind_case() == navette::config::Step::KIND_NOT_SET) {
        Report(IndexPathJoin(steps_path, i),
               fmt::format("{}: a step needs its kind (one of: {})", label,
                           JoinOrNone(KindNamesOf(*navette::config::Step::descriptor(), kinds_))));
      }
      CheckKindSettings(step, kinds_.KindOf(step), IndexPathJoin(steps_path, i), label);
    }
    // An identity feed route may end at the identity store.
    if (route.to().empty() && !feeds_identities) {
      Report(to_path, fmt::format("{}: 'to' must name at least one destination (only a route "
                                  "with an identity_feed step may have none)",
                                  label));
    }
    for (int i = 0; i < route.to_size(); ++i) {
      const std::string& name = route.to(i);
      if (destination_names_.complete && !destination_names_.Contains(name)) {
        Report(IndexPathJoin(to_path, i),
               fmt::format("{}: unknown destination '{}' (known: {})", label, name,
                           JoinOrNone(destination_names_.names)));
      }
    }

    std::string match_path = FieldPathJoin(path, "match");
    CheckPatterns(route.match().message_type(), FieldPathJoin(match_path, "message_type"), label);
    CheckPatterns(route.match().sending_application(),
                  FieldPathJoin(match_path, "sending_application"), label);
    CheckPatterns(route.match().sending_facility(), FieldPathJoin(match_path, "sending_facility"),
                  label);
    CheckFieldRules(route.match(), FieldPathJoin(match_path, "fields"), label);
    CheckDocumentMatch(route.match().document(), FieldPathJoin(match_path, "document"), label);
  }

  void CheckIdentity() {
    const std::string path = "identity.reliability_codes";
    std::map<std::string, int> codes(config_.identity().reliability_codes().begin(),
                                     config_.identity().reliability_codes().end());
    for (const auto& [code, word] : codes) {
      const bool valid = !code.empty() && std::all_of(code.begin(), code.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
      });
      if (!valid) {
        ReportOnKey(MapKeyPathJoin(path, code),
                    fmt::format("identity.reliability_codes: '{}' is not a PID-32 code (letters "
                                "and digits, e.g. VALI)",
                                code));
      }
    }
  }

  void CheckPatterns(const google::protobuf::RepeatedPtrField<std::string>& patterns,
                     const std::string& path, const std::string& label) {
    std::string_view field = std::string_view(path).substr(path.rfind(".match.") + 1);
    for (int i = 0; i < patterns.size(); ++i) {
      if (patterns[i].empty()) {
        Report(IndexPathJoin(path, i), fmt::format("{}: empty pattern in {}", label, field));
      }
    }
  }

  // match.document's words: a typo would make the route silently match
  // nothing, so it is an error with its place in the file.
  void CheckDocumentMatch(const navette::config::DocumentMatch& match, const std::string& path,
                          const std::string& label) {
    namespace documents = navette::adapters::documents;
    auto check = [&](const google::protobuf::RepeatedPtrField<std::string>& words,
                     std::string_view field, std::string_view known, auto&& valid) {
      std::string field_path = FieldPathJoin(path, std::string(field));
      for (int i = 0; i < words.size(); ++i) {
        if (valid(words[i])) continue;
        Report(IndexPathJoin(field_path, i),
               fmt::format("{}: unknown {} '{}' in match.document (known: {})", label,
                           field == "flags" ? "flag" : field, words[i], known));
      }
    };
    check(match.action(), "action", documents::kActionNames,
          [](const std::string& word) { return documents::ActionFromName(word).has_value(); });
    check(match.flags(), "flags", documents::kFlagNames,
          [](const std::string& word) { return documents::IsFlagName(word); });
    check(match.profile(), "profile", documents::kProfileNames,
          [](const std::string& word) { return documents::ProfileFromName(word).has_value(); });
    for (int i = 0; i < match.type_size(); ++i) {
      if (match.type(i).empty()) {
        Report(IndexPathJoin(FieldPathJoin(path, "type"), i),
               fmt::format("{}: empty document type in match.document", label));
      }
    }
  }

  void CheckFieldRules(const navette::config::Match& match, const std::string& path,
                       const std::string& label) {
    // Sorted, so that errors come out in the same order on every run
    // (proto maps have none).
    std::map<std::string, std::string> rules(match.fields().begin(), match.fields().end());
    for (const auto& [field_path, pattern] : rules) {
      std::string entry_path = MapKeyPathJoin(path, field_path);
      auto parsed = navette::adapters::hl7v2::FieldPath::Parse(field_path);
      if (!parsed.ok()) {
        ReportOnKey(entry_path, fmt::format("{}: match.fields: {}", label,
                                            std::string(parsed.status().message())));
      }
      if (pattern.empty()) {
        Report(entry_path, fmt::format("{}: empty pattern for {} (it would match anything; "
                                       "remove the rule instead)",
                                       label, field_path));
        continue;
      }
      RE2 re(pattern, RE2::Quiet);
      if (!re.ok()) {
        Report(entry_path,
               fmt::format("{}: invalid RE2 pattern for {}: {}", label, field_path, re.error()));
      }
    }
  }

  const Config& config_;
  const SourceMap& source_map_;
  std::string_view file_;
  const kinds::KindRegistry& kinds_;
  Names source_names_;
  Names destination_names_;
  std::vector<ConfigError> errors_;
};

}  // namespace

std::vector<ConfigError> CheckConfig(const navette::config::Config& config,
                                     const SourceMap& source_map, std::string_view file,
                                     const kinds::KindRegistry& kinds) {
  return Checker(config, source_map, file, kinds).Run();
}

}  // namespace navette::engine::config
