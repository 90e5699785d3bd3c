#include "routes/route_table.h"

#include <algorithm>

#include <fmt/format.h>

#include <re2/re2.h>
#include "common/fmt_absl.h"

#include "adapters/documents/document_names.h"
#include "adapters/documents/meta_flags.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::routes {
namespace {

// Splits on `separator` without allocating: calls fn for each piece until it
// returns false.
template <typename Fn>
void ForEachPiece(std::string_view text, char separator, Fn fn) {
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    std::string_view piece = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!fn(piece) || end == std::string_view::npos) return;
    start = end + 1;
  }
}

bool AnyPatternMatches(const std::vector<std::string>& patterns, std::string_view value,
                       char separator) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return MatchesComponentPattern(pattern, value, separator);
  });
}

// The route's match.document, its words checked (engine/config reports them
// with their place in the file first).
absl::Status CompileDocumentRule(const navette::config::DocumentMatch& match,
                                 const std::string& route, DocumentRule& rule) {
  rule.present = true;
  rule.types.assign(match.type().begin(), match.type().end());
  for (const std::string& word : match.action()) {
    auto action = adapters::documents::ActionFromName(word);
    if (!action) {
      return absl::InvalidArgumentError(
          fmt::format("route '{}': unknown action '{}' in match.document.action (known: {})", route,
                      word, adapters::documents::kActionNames));
    }
    rule.actions.push_back(*action);
  }
  for (const std::string& word : match.flags()) {
    if (!adapters::documents::IsFlagName(word)) {
      return absl::InvalidArgumentError(
          fmt::format("route '{}': unknown flag '{}' in match.document.flags (known: {})", route,
                      word, adapters::documents::kFlagNames));
    }
    rule.flags.push_back(word);
  }
  for (const std::string& word : match.profile()) {
    if (!adapters::documents::ProfileFromName(word)) {
      return absl::InvalidArgumentError(
          fmt::format("route '{}': unknown profile '{}' in match.document.profile (known: {})",
                      route, word, adapters::documents::kProfileNames));
    }
    rule.profiles.push_back(word);
  }
  return absl::OkStatus();
}

template <typename T>
bool ListHolds(const std::vector<T>& list, const T& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool MatchesDocument(const DocumentRule& rule, const navette::Envelope& envelope) {
  if (!rule.present) return true;
  if (!envelope.has_document()) return false;
  const navette::document::Document& record = envelope.document();
  if (!ListHolds(rule.types, record.type().code())) return false;
  if (!ListHolds(rule.actions, static_cast<int>(record.action()))) return false;
  if (!ListHolds(rule.profiles, record.profile())) return false;
  for (const std::string& flag : rule.flags) {
    bool value = false;
    if (!adapters::documents::FlagByName(record.flags(), flag, &value) || !value) return false;
  }
  return true;
}

}  // namespace

bool MatchesComponentPattern(std::string_view pattern, std::string_view value, char separator) {
  std::vector<std::string_view> values;
  ForEachPiece(value, separator, [&](std::string_view piece) {
    values.push_back(piece);
    return true;
  });
  size_t index = 0;
  bool matched = true;
  ForEachPiece(pattern, '^', [&](std::string_view piece) {
    std::string_view actual = index < values.size() ? values[index] : std::string_view();
    ++index;
    if (piece != "*" && piece != actual) matched = false;
    return matched;
  });
  return matched;
}

RouteTable::~RouteTable() = default;

absl::StatusOr<std::unique_ptr<RouteTable>> RouteTable::Build(
    const navette::config::Config& config) {
  std::unique_ptr<RouteTable> table(new RouteTable());
  for (const navette::config::Route& route : config.routes()) {
    CompiledRoute compiled;
    compiled.name = route.name();
    compiled.from.assign(route.from().begin(), route.from().end());
    compiled.to.assign(route.to().begin(), route.to().end());
    const navette::config::Match& match = route.match();
    compiled.message_types.assign(match.message_type().begin(), match.message_type().end());
    compiled.sending_applications.assign(match.sending_application().begin(),
                                         match.sending_application().end());
    compiled.sending_facilities.assign(match.sending_facility().begin(),
                                       match.sending_facility().end());
    // Map iteration order is unspecified; sort so evaluation cost and logs
    // are stable.
    std::vector<std::pair<std::string, std::string>> fields(match.fields().begin(),
                                                            match.fields().end());
    std::sort(fields.begin(), fields.end());
    for (const auto& [path_text, pattern_text] : fields) {
      auto path = navette::adapters::hl7v2::FieldPath::Parse(path_text);
      if (!path.ok()) {
        return absl::InvalidArgumentError(
            fmt::format("route '{}': {}", route.name(), path.status().message()));
      }
      auto pattern = std::make_unique<re2::RE2>(pattern_text, re2::RE2::Quiet);
      if (!pattern->ok()) {
        return absl::InvalidArgumentError(fmt::format("route '{}': invalid RE2 pattern for {}: {}",
                                                      route.name(), path_text, pattern->error()));
      }
      compiled.fields.push_back({*path, std::move(pattern)});
    }
    if (match.has_document()) {
      if (absl::Status status =
              CompileDocumentRule(match.document(), route.name(), compiled.document);
          !status.ok()) {
        return status;
      }
    }
    table->needs_message_view_ = table->needs_message_view_ || !compiled.fields.empty();
    table->routes_.push_back(std::move(compiled));
  }
  return table;
}

bool RouteTable::Matches(const CompiledRoute& route, const navette::Envelope& envelope,
                         const navette::adapters::hl7v2::MessageView* view) const {
  if (!route.from.empty() &&
      std::find(route.from.begin(), route.from.end(), envelope.source()) == route.from.end()) {
    return false;
  }
  const navette::Hl7Header& header = envelope.hl7();
  const char separator =
      header.encoding_characters().size() > 1 ? header.encoding_characters()[1] : '^';
  if (!AnyPatternMatches(route.message_types, header.message_type(), separator)) return false;
  if (!AnyPatternMatches(route.sending_applications, header.sending_application(), separator)) {
    return false;
  }
  if (!AnyPatternMatches(route.sending_facilities, header.sending_facility(), separator)) {
    return false;
  }
  if (!MatchesDocument(route.document, envelope)) return false;
  for (const FieldRule& rule : route.fields) {
    if (view == nullptr) return false;
    bool found = false;
    view->ForEach(rule.path, [&](std::string_view value) {
      found = re2::RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), *rule.pattern);
      return !found;
    });
    if (!found) return false;
  }
  return true;
}

std::vector<RouteMatch> RouteTable::Evaluate(
    const navette::Envelope& envelope, const navette::adapters::hl7v2::MessageView* view) const {
  std::vector<RouteMatch> matches;
  for (const CompiledRoute& route : routes_) {
    if (Matches(route, envelope, view)) matches.push_back({route.name, route.to});
  }
  return matches;
}

}  // namespace navette::routes
