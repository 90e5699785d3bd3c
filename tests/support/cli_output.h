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

// The value of "key":"value" in a one-line JSON object (`--json` output);
// empty if absent.
inline std::string JsonField(const std::string& json, const std::string& key) {
  std::smatch match;
  if (std::regex_search(json, match, std::regex("\"" + key + "\":\"([^\"]*)\""))) return match[1];
  return "";
}

}  // namespace navette::testing
