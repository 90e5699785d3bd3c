// ConfigError: one problem found in a configuration file, with the place it
// was found, so that every stage (YAML parsing, conversion onto the proto,
// semantic checks) reports in the same "file:line:col: message" form that
// editors and CI logs can jump to.
#pragma once

#include <string>

namespace navette::engine::config {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is not at a place (unreadable file)
  int column = 0;  // 1-based; 0 when unknown
  std::string message;

  // "file:line:col: message", or "file: message" when there is no line.
  std::string ToString() const;
};

// Orders errors by position so that they read top to bottom, whichever
// stage found them. Use with std::stable_sort so that errors at one place
// keep the order they were found in.
bool ConfigErrorBefore(const ConfigError& a, const ConfigError& b);

}  // namespace navette::engine::config
