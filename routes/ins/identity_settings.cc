#include "routes/ins/identity_settings.h"

namespace navette::routes::ins {
namespace {

Reliability ReliabilityOf(navette::config::Reliability word) {
  Reliability reliability;
  switch (word) {
    case navette::config::RECOVERED:
      reliability.status = identity::RECOVERED;
      break;
    case navette::config::VALIDATED:
      reliability.status = identity::VALIDATED;
      break;
    case navette::config::QUALIFIED:
      reliability.status = identity::QUALIFIED;
      break;
    case navette::config::DOUBTFUL:
      reliability.doubtful = true;
      break;
    case navette::config::FICTITIOUS:
      reliability.fictitious = true;
      break;
    default:
      break;  // provisional
  }
  return reliability;
}

}  // namespace

IdentityStepSettings IdentityStepSettingsFrom(const navette::config::IdentitySettings& config) {
  IdentityStepSettings settings;
  if (config.environment() == navette::config::IdentitySettings::TEST) {
    settings.environment = Environment::kTest;
  }
  for (const auto& [code, word] : config.reliability_codes()) {
    settings.reliability.Set(code, ReliabilityOf(word));
  }
  return settings;
}

}  // namespace navette::routes::ins
