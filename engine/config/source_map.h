// SourceMap: where in the YAML file each configuration field came from.
//
// The converter records, for every field it sets, a path such as
// "sources[0].mllp.listen", "routes[1].to[0]" or
// 'routes[0].match.fields["PID-3.1"]' and the 1-based line and column of the
// value (and, for keys of a mapping, of the key). Semantic checks run on the
// proto afterwards, which has no positions of its own; they look paths up
// here so that every error points at the offending line.
//
// Path syntax: field names joined by '.', a repeated element as "[i]"
// (0-based, like the proto), a map entry as ["key"] with '"' and '\' escaped
// by a backslash. The root message is the empty path "".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace navette::engine::config {

struct SourcePosition {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown

  bool known() const { return line > 0; }
  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

class SourceMap {
 public:
  // Where the value of `path` is written.
  void RecordValue(std::string path, SourcePosition position);
  // Where the key naming `path` is written (fields of a message, map entries).
  void RecordKey(std::string path, SourcePosition position);
  // The converter could not convert `path`; checks skip problems there so
  // that one mistake is not reported twice (e.g. "expected a string" and
  // then "name is empty").
  void MarkInvalid(std::string path);

  std::optional<SourcePosition> FindValue(std::string_view path) const;
  std::optional<SourcePosition> FindKey(std::string_view path) const;
  bool IsInvalid(std::string_view path) const;
  // Whether `path` or anything under it could not be converted.
  bool HasInvalidWithin(std::string_view path) const;
  // Whether `path` or anything above it could not be converted.
  bool IsInvalidOrUnderInvalid(std::string_view path) const;

  // The value position of `path`, or else of its nearest recorded ancestor:
  // a field left out of the file is reported where its message is. Unknown
  // (line 0) only when nothing was recorded, e.g. a proto built in code.
  SourcePosition Locate(std::string_view path) const;
  // Like Locate, but prefers the key: problems with a map key (an invalid
  // field path in match.fields) are reported on the key.
  SourcePosition LocateKey(std::string_view path) const;

  size_t size() const { return values_.size(); }

 private:
  std::map<std::string, SourcePosition, std::less<>> values_;
  std::map<std::string, SourcePosition, std::less<>> keys_;
  std::set<std::string, std::less<>> invalid_;
};

// Path building, so that the converter and the checks spell paths alike.
std::string FieldPathJoin(std::string_view parent, std::string_view field);
std::string IndexPathJoin(std::string_view parent, size_t index);
std::string MapKeyPathJoin(std::string_view parent, std::string_view key);

// The path of the enclosing message, list or map: "a.b[2]" -> "a.b",
// "a.b" -> "a", "a" -> "". Quotes in map keys are honoured. nullopt for "".
std::optional<std::string_view> ParentPath(std::string_view path);

}  // namespace navette::engine::config
