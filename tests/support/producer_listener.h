// The producer's MLLP listener in the business-acknowledgement suites:
// navette's own MLLP server, whose publisher keeps every message and
// confirms it, so that the server answers AA.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "adapters/bus/publisher.h"

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

}  // namespace navette::testing
