// Routes compiled from the configuration, and their evaluation against a
// received message.
//
// Evaluation is a pure function of the message and the configuration, so that
// routing a message again after a crash gives the same result.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/hl7v2/field_path.h"
#include "proto/config.pb.h"
#include "proto/envelope.pb.h"

namespace re2 {
class RE2;
}

namespace navette::adapters::hl7v2 {
class MessageView;
}

namespace navette::routes {

// Compares an HL7 composite value such as "ORU^R01^ORU_R01" with a pattern
// such as "ORU^*": components are compared one by one, "*" matches any, and a
// pattern with fewer components matches on its prefix. `separator` is the
// message's component separator (patterns are always written with '^').
bool MatchesComponentPattern(std::string_view pattern, std::string_view value, char separator);

// A route's match.document, compiled: each list present must hold the
// record's value (Envelope.document); every flag named must be Y. A message
// without a record (a source with no profile) never matches it.
struct DocumentRule {
  bool present = false;
  std::vector<std::string> types;
  std::vector<int> actions;  // navette::document::Action
  std::vector<std::string> flags;
  std::vector<std::string> profiles;
};

// The route's steps are run by name (engine/step_runner.h builds them).
struct RouteMatch {
  std::string route;
  std::vector<std::string> destinations;
};

class RouteTable {
 public:
  // The configuration is assumed checked (engine/config); errors here are
  // reported anyway, naming the route.
  static absl::StatusOr<std::unique_ptr<RouteTable>> Build(const navette::config::Config& config);
  ~RouteTable();

  // Routes that take this message, in configuration order. `view` is null
  // when the message could not be parsed; field rules then never match.
  std::vector<RouteMatch> Evaluate(const navette::Envelope& envelope,
                                   const navette::adapters::hl7v2::MessageView* view) const;
  // True when some route matches on field paths, i.e. when Evaluate needs a
  // parsed view of the message (the header fields come with the envelope).
  bool needs_message_view() const { return needs_message_view_; }

 private:
  struct FieldRule {
    navette::adapters::hl7v2::FieldPath path;
    std::unique_ptr<re2::RE2> pattern;
  };
  struct CompiledRoute {
    std::string name;
    std::vector<std::string> from;
    std::vector<std::string> message_types;
    std::vector<std::string> sending_applications;
    std::vector<std::string> sending_facilities;
    std::vector<FieldRule> fields;
    DocumentRule document;
    std::vector<std::string> to;
  };
  RouteTable() = default;
  bool Matches(const CompiledRoute& route, const navette::Envelope& envelope,
               const navette::adapters::hl7v2::MessageView* view) const;

  std::vector<CompiledRoute> routes_;
  bool needs_message_view_ = false;
};

}  // namespace navette::routes
