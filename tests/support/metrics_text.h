// Reading the engine's /metrics text (Prometheus exposition format), for
// end-to-end tests.
#pragma once

#include <optional>
#include <sstream>
#include <string>

namespace navette::testing {

// The value of the sample whose series is exactly `series` (labels in the
// alphabetical order the engine writes them); nullopt if absent.
inline std::optional<double> Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace navette::testing
