#include "engine/config/config_error.h"

#include <tuple>

#include <fmt/format.h>

namespace navette::engine::config {

std::string ConfigError::ToString() const {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

bool ConfigErrorBefore(const ConfigError& a, const ConfigError& b) {
  return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
}

}  // namespace navette::engine::config
