// A source's own metrics scope (kinds::MetricsScope): its refusals counted
// in the engine's metrics under its name.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "engine/metrics.h"
#include "kinds/registry.h"

namespace navette::engine {

class SourceMetrics final : public kinds::MetricsScope {
 public:
  SourceMetrics(Metrics& metrics, std::string source)
      : metrics_(metrics), source_(std::move(source)) {}

  void Rejected(std::string_view reason) override { metrics_.Rejected(source_, reason); }

 private:
  Metrics& metrics_;
  const std::string source_;
};

}  // namespace navette::engine
