// The kinds of sources, steps and destinations navette knows: one row per
// kind, each giving everything the engine needs to configure, check, build
// and run it. The engine, the defaults, the checks, the delivery scheduler
// and the metrics loop over these rows; nothing outside a kind's own folder
// names the kind except its row in the registration table
// (engine/builtin_kinds.cc) and its config message (Fluent Bit's
// `struct flb_output_plugin` with one registration line; Envoy's typed
// factory with its config message beside it).
//
// A kind's settings are its own proto message. The built-in kinds' messages
// are members of the `kind` oneof of Source, Step and Destination in
// proto/config.proto, under the kind's name. A kind registered from outside
// (a test's, an out-of-tree adapter's) is written in YAML the same way,
// under its name; the loader converts its settings onto the kind's message
// and keeps them packed in the oneof's `extension` member.
//
// Every row is written against its typed config message through
// Source/Step/DestinationKindOf<Config>() below; the rows hold the erased
// form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/bus/publisher.h"
#include "adapters/destination.h"
#include "adapters/source.h"
#include "kinds/delivery_policy.h"
#include "proto/config.pb.h"
#include "routes/step.h"

namespace asio {
class io_context;
}  // namespace asio

namespace navette {
class Clock;
}  // namespace navette

namespace navette::routes::ins {
class IdentityReader;
}  // namespace navette::routes::ins

namespace navette::routes {
class DocumentVersions;
}  // namespace navette::routes

namespace navette::adapters {
class DocumentHistory;
class LateReceiptSink;
}  // namespace navette::adapters

namespace navette::kinds {

// Where a kind's check reports what is wrong with its settings. `field` is
// the path below the kind's own settings ("url", "tls.ca_file"; "" for the
// settings as a whole); the reporter turns it into the file:line:col of that
// key and prefixes the message with the component ("destination 'lab': ").
class CheckReporter {
 public:
  virtual ~CheckReporter() = default;
  virtual void Error(std::string_view field, std::string message) = 0;
  virtual void Warning(std::string_view field, std::string message) = 0;
};

// A factory's error about one of the kind's settings (a CA file with no
// certificate, a directory that cannot be created): InvalidArgument with the
// field path as payload, so that `check` and `serve` both report it at the
// file:line:col of that key. `field` as in CheckReporter.
absl::Status SettingError(std::string_view field, std::string_view message);
// The field a SettingError names; "" for any other status.
std::string SettingErrorField(const absl::Status& status);
// A status whose message names the setting in front ("tls.ca_file: cannot
// read …", as the TLS file checks of adapters/tls write them) as a
// SettingError of that field and the rest of the message; `fallback` is the
// field when the message names none. OK stays OK.
absl::Status SettingErrorFromText(const absl::Status& status, std::string_view fallback);

// Counters of a source or destination's own, labelled with its name.
class MetricsScope {
 public:
  virtual ~MetricsScope() = default;
  // navette_messages_rejected_total{source=<name>, reason}; `reason` is one
  // of the kind's declared reject_reasons.
  virtual void Rejected(std::string_view reason) = 0;
};

// What a factory gets besides its settings.
struct BuildContext {
  std::string name;  // the source's or destination's name
  std::filesystem::path data_dir;
  const Clock* clock = nullptr;
  // Null in a dry run.
  MetricsScope* metrics = nullptr;
  // Check only: open every file the kind reads (certificates, keys, CA
  // bundles) and check every directory it writes, without creating
  // anything, binding or connecting. The object returned may be null.
  bool dry_run = false;
};

struct SourceContext : BuildContext {
  // Character set assumed when MSH-18 is empty (Source.default_charset).
  std::string default_charset;
  // How its messages are read (Source.profile): under a profile each must
  // follow the CI-SIS document contract (adapters/documents/contract.h).
  navette::config::Source::Profile profile = navette::config::Source::PROFILE_UNSPECIFIED;
  // Connects a publisher to the engine's ingress on the source's own
  // io_context, so that publishes run on its io thread.
  using PublisherFactory =
      std::function<absl::StatusOr<std::unique_ptr<adapters::bus::Publisher>>(asio::io_context&)>;
  PublisherFactory connect_publisher;
  // Where a receipts source records the receipts it reads (an MSSanté DSN
  // or MDN); null in a dry run.
  adapters::LateReceiptSink* late_receipts = nullptr;
};

// Counters of a step's own, labelled with its route.
class StepMetrics {
 public:
  virtual ~StepMetrics() = default;
  // navette_unmapped_codes_total{route}: local codes map_codes found no
  // LOINC for.
  virtual void UnmappedCodes(uint64_t count) = 0;
};

struct StepContext {
  const Clock* clock = nullptr;
  const navette::config::IdentitySettings* identity = nullptr;
  // Reads the identity store as committed; null in a dry run.
  const routes::ins::IdentityReader* identities = nullptr;
  bool dry_run = false;
  std::string route;  // the route the step belongs to
  std::filesystem::path data_dir;
  // The top-level `hospital` section (build_cda); never null.
  const navette::config::Hospital* hospital = nullptr;
  // The document versions navette emitted (build_cda, for replacements);
  // null in a dry run.
  const routes::DocumentVersions* documents = nullptr;
  // Null in a dry run.
  StepMetrics* metrics = nullptr;
};

struct DestinationContext : BuildContext {
  DeliveryPolicy policy;  // the destination's delivery settings, defaults applied
  // The top-level `hospital` section; never null.
  const navette::config::Hospital* hospital = nullptr;
  // The top-level `identity` section (its environment says whether the INS
  // test OIDs are accepted); never null.
  const navette::config::IdentitySettings* identity = nullptr;
  // The documents navette handled and what this destination got for them
  // (a replacement, a deletion); null in a dry run.
  const adapters::DocumentHistory* documents = nullptr;
};

// What `navette check --connect` found for one destination.
struct ProbeResult {
  bool ok = false;
  std::string detail;  // "TLS 1.3 handshake with 10.0.0.5:443 ok", "connection refused"
};

struct SourceKind {
  std::string name;  // the YAML key, e.g. "mllp"
  const google::protobuf::Descriptor* config_type = nullptr;
  std::function<void(google::protobuf::Message&)> apply_defaults;
  std::function<void(const google::protobuf::Message&, CheckReporter&)> check;
  std::function<absl::StatusOr<std::unique_ptr<adapters::Source>>(const google::protobuf::Message&,
                                                                  const SourceContext&)>
      create;
  // The host:port addresses it listens on, so that two sources (of any
  // kinds) on one address are refused before either starts.
  std::function<std::vector<std::string>(const google::protobuf::Message&)> listen_addresses;
  // The reasons it may report to MetricsScope::Rejected: their series exist
  // from the start, at zero.
  std::vector<std::string_view> reject_reasons;
};

struct StepKind {
  std::string name;
  const google::protobuf::Descriptor* config_type = nullptr;
  std::function<void(google::protobuf::Message&)> apply_defaults;
  std::function<void(const google::protobuf::Message&, CheckReporter&)> check;
  std::function<absl::StatusOr<std::unique_ptr<routes::Step>>(const google::protobuf::Message&,
                                                              const StepContext&)>
      create;
};

struct DestinationKind {
  std::string name;
  const google::protobuf::Descriptor* config_type = nullptr;
  std::function<void(google::protobuf::Message&)> apply_defaults;
  std::function<void(const google::protobuf::Message&, CheckReporter&)> check;
  std::function<absl::StatusOr<std::unique_ptr<adapters::Destination>>(
      const google::protobuf::Message&, const DestinationContext&)>
      create;
  // Optional: a TCP connect and TLS handshake with the peer, nothing sent.
  std::function<ProbeResult(const google::protobuf::Message&, const DestinationContext&)> probe;
  DestinationTraits traits;
};

// The typed forms a kind's folder writes; Erase() turns them into rows.
template <typename Config>
struct TypedSourceKind {
  std::string name = {};
  void (*apply_defaults)(Config&) = nullptr;
  void (*check)(const Config&, CheckReporter&) = nullptr;
  absl::StatusOr<std::unique_ptr<adapters::Source>> (*create)(const Config&,
                                                              const SourceContext&) = nullptr;
  std::vector<std::string> (*listen_addresses)(const Config&) = nullptr;
  std::vector<std::string_view> reject_reasons = {};
};

template <typename Config>
struct TypedStepKind {
  std::string name = {};
  void (*apply_defaults)(Config&) = nullptr;
  void (*check)(const Config&, CheckReporter&) = nullptr;
  absl::StatusOr<std::unique_ptr<routes::Step>> (*create)(const Config&,
                                                          const StepContext&) = nullptr;
};

template <typename Config>
struct TypedDestinationKind {
  std::string name = {};
  void (*apply_defaults)(Config&) = nullptr;
  void (*check)(const Config&, CheckReporter&) = nullptr;
  absl::StatusOr<std::unique_ptr<adapters::Destination>> (*create)(
      const Config&, const DestinationContext&) = nullptr;
  ProbeResult (*probe)(const Config&, const DestinationContext&) = nullptr;
  DestinationTraits traits = {};
};

template <typename Config>
SourceKind Erase(TypedSourceKind<Config> typed);
template <typename Config>
StepKind Erase(TypedStepKind<Config> typed);
template <typename Config>
DestinationKind Erase(TypedDestinationKind<Config> typed);

// A value: copy it to register more kinds beside the built-in ones (a
// test's: `KindRegistry kinds = engine::BuiltinKinds(); kinds.Add(...)`).
class KindRegistry {
 public:
  // Refused: an empty or taken name, a missing config type or factory, or
  // a name that is a field of the configuration's message other than a
  // member of its `kind` oneof whose type is the kind's config type.
  absl::Status Add(SourceKind kind);
  absl::Status Add(StepKind kind);
  absl::Status Add(DestinationKind kind);

  const SourceKind* FindSource(std::string_view name) const;
  const StepKind* FindStep(std::string_view name) const;
  const DestinationKind* FindDestination(std::string_view name) const;

  // The kind a configured component is of; null when its kind is not set
  // or not registered.
  const SourceKind* KindOf(const navette::config::Source& source) const;
  const StepKind* KindOf(const navette::config::Step& step) const;
  const DestinationKind* KindOf(const navette::config::Destination& destination) const;

  const std::vector<SourceKind>& sources() const { return sources_; }
  const std::vector<StepKind>& steps() const { return steps_; }
  const std::vector<DestinationKind>& destinations() const { return destinations_; }

 private:
  std::vector<SourceKind> sources_;
  std::vector<StepKind> steps_;
  std::vector<DestinationKind> destinations_;
};

// A component's kind settings, read from its `kind` oneof: the member
// message itself for a built-in kind, or the kind's message unpacked from
// `extension` (owned here). Null `get()` when no kind is set.
class KindSettings {
 public:
  const google::protobuf::Message* get() const { return message_; }
  const google::protobuf::Message& operator*() const { return *message_; }

  // `component` is a Source, Step or Destination; `type` the kind's config
  // type (for an extension). An extension that does not unpack onto `type`
  // is an error.
  static absl::StatusOr<KindSettings> Of(const google::protobuf::Message& component,
                                         const google::protobuf::Descriptor* type);

 private:
  const google::protobuf::Message* message_ = nullptr;
  std::shared_ptr<google::protobuf::Message> owned_;
};

// Applies `edit` to a component's kind settings in place (repacking an
// extension). No-op when no kind is set.
absl::Status EditKindSettings(google::protobuf::Message& component,
                              const google::protobuf::Descriptor* type,
                              const std::function<void(google::protobuf::Message&)>& edit);

// The YAML key of the component's kind as set in its oneof ("file"; for an
// extension, the name registered for its type); "" when none is set.
std::string KindName(const google::protobuf::Message& component, const KindRegistry& registry);

}  // namespace navette::kinds

#include "kinds/registry_inl.h"
