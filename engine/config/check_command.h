// `navette check FILE`: loads a configuration file and reports, without
// starting anything, whether the engine would accept it: the load checks,
// then every source and destination built in a dry run (validate.h), the
// same path `serve` takes before it starts. Meant for editors, CI and the
// moment before a reload.
#pragma once

#include <ostream>
#include <string>

#include <vector>

#include "engine/config/config_error.h"
#include "kinds/registry.h"

namespace navette::engine::config {

struct CheckOptions {
  // Where relative directories (file destinations') are resolved, as
  // `serve --data-dir`; only checked, never created.
  std::string data_dir = "navette-data";
  // Also probe each destination (TCP connect, TLS handshake, nothing sent)
  // and print one line per destination with what was found.
  bool connect = false;
};

// Errors and warnings top to bottom, one a line ("file:line:col: error:
// message"), as `check` and `serve` both print them.
void PrintDiagnostics(std::vector<ConfigError> errors, const std::vector<ConfigError>& warnings,
                      std::ostream& err);

// Prints every error and warning as "file:line:col: error: message" (or
// "warning:") to `err`. With an error, returns 1; else prints "<path>: ok
// (N sources, N routes, N destinations, version V)" to `out` and, with
// `connect`, one line per destination, returning 1 if a probe failed, else 0.
int RunCheck(const std::string& path, const kinds::KindRegistry& kinds, std::ostream& out,
             std::ostream& err, const CheckOptions& options = {});

}  // namespace navette::engine::config
