// Reading what the `navette` CLI prints, for end-to-end tests.
#pragma once

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace navette::testing {

// The non-empty lines of `text`.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The lines of `messages show`'s history: those after "History:".
inline std::vector<std::string> HistoryLines(const std::string& shown) {
  const size_t start = shown.find("\nHistory:\n");
  if (start == std::string::npos) return {};
  return Lines(shown.substr(start + 10));
}

// The lines of `text` that contain `needle`.
inline std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  for (const std::string& line : Lines(text)) {
    if (line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

// The value of "key":"value" in a one-line JSON object (`--json` output);
// empty if absent.
inline std::string JsonField(const std::string& json, const std::string& key) {
  std::smatch match;
  if (std::regex_search(json, match, std::regex("\"" + key + "\":\"([^\"]*)\""))) return match[1];
  return "";
}

}  // namespace navette::testing
