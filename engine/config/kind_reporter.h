// The CheckReporter (kinds/registry.h) a kind's check reports through during
// CheckConfig: it turns the field path the kind gives, relative to its own
// settings ("tls.ca_file"), into the path of that key in the file
// ("destinations[2].http.tls.ca_file", which the caller locates through the
// SourceMap), and names the component first ("destination 'lab': ").
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "kinds/registry.h"

namespace navette::engine::config {

class KindCheckReporter : public kinds::CheckReporter {
 public:
  // Receives the path of the offending key in the file and the message.
  using Sink = std::function<void(const std::string& path, std::string message)>;

  // `settings_path` is where the kind's settings are written
  // ("destinations[2].http"), `label` how messages name the component
  // ("destination 'lab'").
  KindCheckReporter(std::string settings_path, std::string label, Sink error, Sink warning)
      : settings_path_(std::move(settings_path)),
        label_(std::move(label)),
        error_(std::move(error)),
        warning_(std::move(warning)) {}

  void Error(std::string_view field, std::string message) override;
  void Warning(std::string_view field, std::string message) override;

 private:
  std::string PathOf(std::string_view field) const;
  std::string Labelled(std::string message) const;

  std::string settings_path_;
  std::string label_;
  Sink error_;
  Sink warning_;
};

}  // namespace navette::engine::config
