// The MLLP source (adapters/source.h): the MllpServer of one configured
// `mllp` source, its options read from the source's settings
// (navette.config.MllpSource, defaults applied) and from what the engine
// gives every source (kinds::SourceContext: its name, the charset of
// messages without MSH-18, the bus publisher, the metrics scope its
// refusals are counted in).
#pragma once

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/mllp/server.h"
#include "adapters/source.h"
#include "kinds/registry.h"
#include "proto/config.pb.h"

namespace navette::adapters::mllp {

// The server's options. An unreadable listen address is a
// kinds::SettingError on "listen" (the checks refuse it before).
absl::StatusOr<MllpServerOptions> MllpSourceOptions(const navette::config::MllpSource& config,
                                                    const kinds::SourceContext& context);

class MllpSource final : public Source {
 public:
  MllpSource(MllpServerOptions options, MllpServer::PublisherFactory publishers);
  ~MllpSource() override;  // Stop()s

  absl::Status Start() override;
  void Stop() override;
  bool Ready() const override;

  // The bound port; 0 before Start.
  uint16_t port() const { return server_.port(); }

 private:
  MllpServer server_;
  // Between a successful Start and Stop.
  std::atomic<bool> ready_{false};
};

}  // namespace navette::adapters::mllp
