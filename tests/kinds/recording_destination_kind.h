// A destination kind defined only under tests/, to show that a kind needs
// nothing outside its own files plus one registration line: its config
// message (recording_destination.proto), this row, and `Add` into a copy of
// the built-in registry. Its destinations record what they deliver in
// RecordedDeliveries(), for the test to read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "kinds/registry.h"

namespace navette::testing {

// The YAML key of the kind.
inline constexpr char kRecordingKind[] = "recording";

struct RecordedDelivery {
  std::string destination;  // the configured name (context.name)
  std::string tag;          // the destination's `tag` setting
  uint32_t copies = 0;      // its `copies` setting, defaults applied
  std::string raw;          // the message as delivered
};

// What every recording destination of the process has delivered.
class RecordedDeliveries {
 public:
  void Add(RecordedDelivery delivery);
  // Waits until at least `count` deliveries are recorded; all of them.
  std::vector<RecordedDelivery> WaitFor(size_t count, std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<RecordedDelivery> deliveries_;
};

RecordedDeliveries& Recorded();

kinds::DestinationKind RecordingDestinationKind();

}  // namespace navette::testing
