#include "engine/config/source_map.h"

#include <fmt/format.h>

namespace navette::engine::config {

void SourceMap::RecordValue(std::string path, SourcePosition position) {
  values_.insert_or_assign(std::move(path), position);
}

void SourceMap::RecordKey(std::string path, SourcePosition position) {
  keys_.insert_or_assign(std::move(path), position);
}

void SourceMap::MarkInvalid(std::string path) { invalid_.insert(std::move(path)); }

std::optional<SourcePosition> SourceMap::FindValue(std::string_view path) const {
  auto it = values_.find(path);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<SourcePosition> SourceMap::FindKey(std::string_view path) const {
  auto it = keys_.find(path);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

bool SourceMap::IsInvalid(std::string_view path) const { return invalid_.contains(path); }

bool SourceMap::HasInvalidWithin(std::string_view path) const {
  if (path.empty()) return !invalid_.empty();
  // Paths under `path` sort right after it, all sharing it as a prefix.
  for (auto it = invalid_.lower_bound(path); it != invalid_.end() && it->starts_with(path); ++it) {
    if (it->size() == path.size()) return true;
    char next = (*it)[path.size()];
    if (next == '.' || next == '[') return true;
  }
  return false;
}

bool SourceMap::IsInvalidOrUnderInvalid(std::string_view path) const {
  std::optional<std::string_view> current = path;
  while (current) {
    if (IsInvalid(*current)) return true;
    current = ParentPath(*current);
  }
  return false;
}

SourcePosition SourceMap::Locate(std::string_view path) const {
  std::optional<std::string_view> current = path;
  while (current) {
    if (auto found = FindValue(*current)) return *found;
    current = ParentPath(*current);
  }
  return {};
}

SourcePosition SourceMap::LocateKey(std::string_view path) const {
  if (auto found = FindKey(path)) return *found;
  return Locate(path);
}

std::string FieldPathJoin(std::string_view parent, std::string_view field) {
  if (parent.empty()) return std::string(field);
  return fmt::format("{}.{}", parent, field);
}

std::string IndexPathJoin(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string MapKeyPathJoin(std::string_view parent, std::string_view key) {
  std::string escaped;
  escaped.reserve(key.size());
  for (char c : key) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return fmt::format("{}[\"{}\"]", parent, escaped);
}

std::optional<std::string_view> ParentPath(std::string_view path) {
  if (path.empty()) return std::nullopt;
  // Scan forward, remembering where the last segment starts; scanning back
  // would be fooled by '.' or '[' inside a quoted map key.
  size_t last_start = 0;
  bool in_quotes = false;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;  // the escaped character
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '.' || c == '[') {
      last_start = i;
    }
  }
  return path.substr(0, last_start);
}

}  // namespace navette::engine::config
