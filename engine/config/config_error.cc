#include "engine/config/config_error.h"

#include <tuple>

#include <fmt/format.h>

namespace navette::engine::config {
namespace {

std::string Located(const ConfigError& error, std::string_view tag) {
  if (error.line <= 0) return fmt::format("{}: {}{}", error.file, tag, error.message);
  return fmt::format("{}:{}:{}: {}{}", error.file, error.line, error.column, tag, error.message);
}

}  // namespace

std::string ConfigError::ToString() const { return Located(*this, warning() ? "warning: " : ""); }

std::string ConfigError::Diagnostic() const {
  return Located(*this, warning() ? "warning: " : "error: ");
}

bool ConfigErrorBefore(const ConfigError& a, const ConfigError& b) {
  return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
}

}  // namespace navette::engine::config
