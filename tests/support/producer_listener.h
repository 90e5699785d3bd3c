// The producer's MLLP listener in the business-acknowledgement suites:
// navette's own MLLP server, whose publisher keeps every message and
// confirms it, so that the server answers AA.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "adapters/bus/publisher.h"
#include "adapters/hl7v2/message_view.h"
#include "adapters/mllp/server.h"
#include "tests/support/engine_process.h"

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

// Field `field` of the `index`th `segment` of an HL7 message; empty when
// absent or unreadable.
inline std::string Hl7Field(const std::string& raw, const std::string& segment, int index,
                            int field) {
  auto view = adapters::hl7v2::MessageView::Parse(raw);
  if (!view.ok()) return "";
  adapters::hl7v2::FieldPath path{.segment = segment, .segment_index = index, .field = field};
  return std::string(view->Get(path).value_or(""));
}

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

  // The first ZAM^`event` (Z01, Z02, Z03) received about `control_id`
  // (OBX-4) whose text holds `mentioning` (a recipient's address), once it
  // has come; empty after 30 s.
  std::string WaitForZam(const std::string& event, const std::string& control_id,
                         const std::string& mentioning = "") {
    std::string found;
    WaitFor(
        [&] {
          for (const std::string& raw : received()) {
            auto view = adapters::hl7v2::MessageView::Parse(raw);
            if (!view.ok() || view->Field(0, 9).value_or("") != "ZAM^" + event + "^ZAM_Z01") {
              continue;
            }
            if (Hl7Field(raw, "OBX", 1, 4) == control_id &&
                raw.find(mentioning) != std::string::npos) {
              found = raw;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(30));
    return found;
  }

 private:
  ProducerListener listener_;
  std::unique_ptr<adapters::mllp::MllpServer> server_;
};

}  // namespace navette::testing
