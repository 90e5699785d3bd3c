#include "engine/config/kind_reporter.h"

#include <fmt/format.h>

#include "engine/config/source_map.h"

namespace navette::engine::config {

void KindCheckReporter::Error(std::string_view field, std::string message) {
  error_(PathOf(field), Labelled(std::move(message)));
}

void KindCheckReporter::Warning(std::string_view field, std::string message) {
  warning_(PathOf(field), Labelled(std::move(message)));
}

std::string KindCheckReporter::PathOf(std::string_view field) const {
  return field.empty() ? settings_path_ : FieldPathJoin(settings_path_, field);
}

std::string KindCheckReporter::Labelled(std::string message) const {
  return fmt::format("{}: {}", label_, message);
}

}  // namespace navette::engine::config
