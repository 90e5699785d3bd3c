// ConfigError: one problem found in a configuration file, with the place it
// was found, so that every stage (YAML parsing, conversion onto the proto,
// semantic checks, the dry build of every component) reports in the same
// "file:line:col: message" form that editors and CI logs can jump to.
//
// A warning names something that is allowed but almost surely a mistake
// (an attach_ins step with no identity_feed anywhere): `check` prints it and
// still succeeds, `serve` logs it and starts.
#pragma once

#include <string>

namespace navette::engine::config {

struct ConfigError {
  enum class Severity { kError, kWarning };

  std::string file;
  int line = 0;    // 1-based; 0 when the problem is not at a place (unreadable file)
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
  Severity severity = Severity::kError;

  bool warning() const { return severity == Severity::kWarning; }

  // "file:line:col: message" ("file: message" when there is no line); a
  // warning says so: "file:line:col: warning: message".
  std::string ToString() const;
  // GCC's form, which editors and CI annotators pick up:
  // "file:line:col: error: message" or "file:line:col: warning: message".
  // What `check` and `serve` print.
  std::string Diagnostic() const;
};

// Orders errors by position so that they read top to bottom, whichever
// stage found them. Use with std::stable_sort so that errors at one place
// keep the order they were found in.
bool ConfigErrorBefore(const ConfigError& a, const ConfigError& b);

}  // namespace navette::engine::config
