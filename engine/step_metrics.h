// A route's step metrics scope (kinds::StepMetrics): what its steps count,
// in the engine's metrics under the route's name.
#pragma once

#include <string>
#include <utility>

#include "engine/metrics.h"
#include "kinds/registry.h"

namespace navette::engine {

class StepMetrics final : public kinds::StepMetrics {
 public:
  StepMetrics(Metrics& metrics, std::string route) : metrics_(metrics), route_(std::move(route)) {}

  void UnmappedCodes(uint64_t count) override { metrics_.UnmappedCodes(route_, count); }

 private:
  Metrics& metrics_;
  const std::string route_;
};

}  // namespace navette::engine
