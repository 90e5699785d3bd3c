#include "routes/codes/map_codes_kind.h"

#include <memory>
#include <utility>

#include "routes/codes/loinc_table.h"
#include "routes/codes/map_codes_step.h"

namespace navette::routes::codes {
namespace {

using MapCodesConfig = navette::config::MapCodesStep;

constexpr std::string_view kTableRequired =
    "required: the CSV file of local codes and their LOINC "
    "(local_code,loinc_code,loinc_display[,local_system])";

void CheckMapCodes(const MapCodesConfig& config, kinds::CheckReporter& reporter) {
  if (config.table().empty()) {
    reporter.Error("table", std::string(kTableRequired));
    return;
  }
  if (auto table = LoincTable::Load(config.table()); !table.ok()) {
    reporter.Error("table", std::string(table.status().message()));
  }
}

absl::StatusOr<std::unique_ptr<Step>> CreateMapCodes(const MapCodesConfig& config,
                                                     const kinds::StepContext& context) {
  if (context.clock == nullptr) return absl::InvalidArgumentError("map_codes needs a clock");
  if (config.table().empty()) return kinds::SettingError("table", kTableRequired);
  auto table = WatchedLoincTable::Open(config.table(), *context.clock);
  if (!table.ok()) return kinds::SettingError("table", std::string(table.status().message()));
  return std::make_unique<MapCodesStep>(std::move(*table), config.table(), config.on_unmapped(),
                                        *context.clock, context.metrics);
}

}  // namespace

void ApplyMapCodesDefaults(MapCodesConfig& config) {
  if (config.on_unmapped() == MapCodesConfig::ON_UNMAPPED_UNSPECIFIED) {
    config.set_on_unmapped(MapCodesConfig::CONTINUE);
  }
}

kinds::StepKind MapCodesKind() {
  return kinds::Erase(kinds::TypedStepKind<MapCodesConfig>{
      .name = "map_codes",
      .apply_defaults = ApplyMapCodesDefaults,
      .check = CheckMapCodes,
      .create = CreateMapCodes,
  });
}

}  // namespace navette::routes::codes
