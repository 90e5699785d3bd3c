// The floor's deliveries (`navette_bench floor --files DIR`): every message
// the floor has committed and acknowledged is then written to a file of its
// own by the engine's own file destination (adapters/file), in batches of up
// to 256 with two batches out at a time, as the default configuration's
// `outbox` is. No router, no outcome commit, no queue on disk: what any
// server that acknowledges durably and delivers each message to a durable
// file must pay at the least, on the same disk and the same two cores. The
// engine's end-to-end rate is read against it (issue 19): where this floor
// cannot reach a rate, no engine that writes one durable file a message can.
//
// The count of files written is kept in a small text file beside the
// directory (`counter_path`), rewritten after every batch, for bench/run.sh
// to poll.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace navette::adapters::file {
class FileDestination;
}

namespace navette::bench {

class FloorFiles {
 public:
  static absl::StatusOr<std::unique_ptr<FloorFiles>> Start(const std::filesystem::path& directory,
                                                           std::filesystem::path counter_path);
  // Stops the delivery threads; what is still queued is not written.
  ~FloorFiles();

  // Queues committed messages (id, content) for delivery.
  void Add(std::vector<std::pair<uint64_t, std::string>> committed);
  uint64_t delivered() const { return delivered_; }

 private:
  FloorFiles(std::unique_ptr<adapters::file::FileDestination> destination,
             std::filesystem::path counter_path);
  void Deliver();
  void WriteCounter();

  std::unique_ptr<adapters::file::FileDestination> destination_;
  const std::filesystem::path counter_path_;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::deque<std::pair<uint64_t, std::string>> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> delivered_{0};
  std::mutex counter_mu_;  // one writer of the counter file at a time
  std::vector<std::thread> threads_;
};

}  // namespace navette::bench
