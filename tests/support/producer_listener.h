// The producer's MLLP listener in the business-acknowledgement suites:
// navette's own MLLP server, whose publisher keeps every message and
// confirms it, so that the server answers AA.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "adapters/bus/publisher.h"
#include "adapters/mllp/server.h"

namespace navette::testing {

class ProducerListener : public adapters::bus::Publisher {
 public:
  void Publish(navette::Envelope envelope, adapters::bus::PublishCallback done) override {
    uint64_t id = 0;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(envelope.raw());
      id = received_.size();
    }
    done(adapters::bus::PublishResult{id, false});
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> received_;
};

// A ProducerListener served over MLLP on loopback: where a suite's
// business acknowledgements come back.
class ProducerEndpoint {
 public:
  ~ProducerEndpoint() { Stop(); }

  absl::Status Start(uint16_t port) {
    adapters::mllp::MllpServerOptions options;
    options.source_name = "producer";
    options.listen_port = port;
    server_ = std::make_unique<adapters::mllp::MllpServer>(options, listener_);
    return server_->Start();
  }
  void Stop() {
    if (server_) server_->Stop();
    server_.reset();
  }
  std::vector<std::string> received() { return listener_.received(); }

 private:
  ProducerListener listener_;
  std::unique_ptr<adapters::mllp::MllpServer> server_;
};

}  // namespace navette::testing
