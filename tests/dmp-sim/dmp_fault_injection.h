// Canned answers a test queues to make the simulated DMP misbehave, one
// consumed per request (any endpoint), before any check:
//
//   spelling        answer
//   busy            RegistryResponse Failure XDSRegistryBusy
//   503             HTTP 503, text body, no SOAP
//   slow:<ms>       waits <ms> milliseconds, then answers normally
//   error:<code>    RegistryResponse Failure with errorCode <code>
//   drop            the connection is closed, nothing answered
//   hold:<ms>       the request is checked and applied (a document is
//                   registered), then the answer waits <ms> milliseconds:
//                   a DMP whose answer is lost to a client that gives up
//                   or dies meanwhile
//
// Thread-safe: the test thread (or the simulator's admin endpoint) pushes
// and clears, the server's threads pop.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette::testing::dmp_sim {

struct CannedAnswer {
  enum class Kind { kBusy, kHttp503, kSlow, kError, kDrop, kHold };
  Kind kind = Kind::kBusy;
  std::chrono::milliseconds delay{0};  // kSlow, kHold
  std::string error_code;              // kError
};

// InvalidArgument naming the spelling it does not know.
absl::StatusOr<CannedAnswer> ParseCannedAnswer(std::string_view spelling);

class FaultQueue {
 public:
  void Push(CannedAnswer answer);
  std::optional<CannedAnswer> Pop();
  // Drops every queued answer; returns how many there were.
  size_t Clear();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::deque<CannedAnswer> answers_;  // guarded by mutex_
};

}  // namespace navette::testing::dmp_sim
