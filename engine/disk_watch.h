// The disk watermark: while the data volume is low on free space the engine
// takes no new message, and it keeps working on those it holds.
//
//   threshold = max(min_free_mib MiB, min_free_percent % of the volume's size)
//   margin    = resume_margin_mib MiB, or a tenth of the threshold
//
//   state       free space (statvfs f_bavail)    next state
//   accepting   <  threshold                     paused: one warning, gauge 1
//   paused      >= threshold + margin            accepting: one info line, gauge 0
//   otherwise                                    unchanged
//
// Only intake pauses. An acknowledgement is a promise to keep the message,
// so a message is refused (AE: the sender keeps it and sends it again)
// before the store could fail to write it, not after; everything that
// empties the store keeps running below the threshold: deliveries, their
// state changes and history, the audit trail, retention. The threshold is
// the room they need: the store's write-ahead log (up to 256 MiB), memtable
// flushes (up to 64 MiB), compactions, and the files delivered to outboxes
// on the same volume (docs/operations.md, "Disk space"). The margin keeps a
// volume hovering at the threshold from switching intake on and off with
// each delivered file.
//
// Free space is f_bavail, what a process without root's reserve may write:
// the engine need not run as root, and the reserve is not its to use.
//
// Threading: one monitor thread reads the volume every check_interval and
// publishes the decision in an atomic that ingress reads for each batch: no
// message costs a system call. Between two readings ingress reports the
// bytes it commits (Committed), which lower an estimate of the free space;
// when the estimate reaches the threshold the monitor reads the volume at
// once, so that a burst cannot run far below the threshold before the next
// reading. The estimate is only a prompt: the decision is always taken on a
// reading.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"

namespace navette::engine {

class Metrics;

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

// What statvfs says of a volume, in bytes.
struct DiskSpace {
  uint64_t free_bytes = 0;   // f_bavail * f_frsize
  uint64_t total_bytes = 0;  // f_blocks * f_frsize
};

// The volume holding `path`.
absl::StatusOr<DiskSpace> ReadDiskSpace(const std::filesystem::path& path);

// engine.disk, in bytes (after config defaults).
struct Watermark {
  uint64_t min_free_bytes = 0;
  uint32_t min_free_percent = 0;
  // Unset: a tenth of the threshold.
  std::optional<uint64_t> resume_margin_bytes;
};
Watermark WatermarkFrom(const navette::config::Disk& disk);

// The free space below which intake pauses, on a volume of `total_bytes`.
uint64_t ThresholdBytes(const Watermark& watermark, uint64_t total_bytes);
// The margin above the threshold intake waits for before it resumes.
uint64_t MarginBytes(const Watermark& watermark, uint64_t threshold_bytes);
// The table above: whether intake is paused after a reading of `free_bytes`.
bool NextPaused(bool paused, uint64_t free_bytes, uint64_t threshold_bytes, uint64_t margin_bytes);

struct DiskWatchOptions {
  std::filesystem::path path;  // a directory on the watched volume
  Watermark watermark;
  std::chrono::milliseconds check_interval{5000};
  // The gauges navette_disk_free_bytes, navette_disk_min_free_bytes and
  // navette_intake_paused{reason="disk_low"}; optional, must outlive the
  // watch.
  Metrics* metrics = nullptr;
  // How the volume is read; tests replace it.
  std::function<absl::StatusOr<DiskSpace>(const std::filesystem::path&)> read = ReadDiskSpace;
};

class DiskWatch {
 public:
  explicit DiskWatch(DiskWatchOptions options);
  ~DiskWatch();
  DiskWatch(const DiskWatch&) = delete;
  DiskWatch& operator=(const DiskWatch&) = delete;

  // Reads the volume once, so that the first message is decided on a
  // reading, then starts the monitor thread. An error when the volume cannot
  // be read at all.
  absl::Status Start();
  void Stop();

  // Whether new messages are refused now. Any thread; no system call.
  bool intake_paused() const { return paused_.load(std::memory_order_acquire); }
  // Ingress committed about `bytes` to the store (see above). Any thread.
  void Committed(uint64_t bytes);
  // Reads the volume and applies the table now (what the monitor does at
  // each interval). Any thread; readings are serialised.
  void CheckNow();

 private:
  void Run();

  const DiskWatchOptions options_;
  std::atomic<bool> paused_{false};
  // Free space left before the threshold, by the last reading less the bytes
  // committed since; signed, as the estimate may run below zero.
  std::atomic<int64_t> headroom_{0};
  std::atomic<bool> check_requested_{false};

  std::mutex check_mu_;  // one reading at a time; guards the fields below
  bool read_failed_ = false;

  std::mutex wake_mu_;  // guards stopping_ and the wait of the monitor
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace navette::engine
