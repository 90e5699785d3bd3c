#include "engine/disk_watch.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"
#include "common/thread_name.h"
#include "engine/metrics.h"

namespace navette::engine {
namespace {

constexpr std::string_view kVolume = "store";
constexpr std::string_view kReason = "disk_low";

// "812.3 MiB" for the log; exact bytes are in the metrics.
std::string Bytes(uint64_t bytes) {
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  if (bytes >= uint64_t{1} << 30)
    return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / kGiB);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / static_cast<double>(kMiB));
}

int64_t Signed(uint64_t bytes) {
  return static_cast<int64_t>(std::min<uint64_t>(bytes, std::numeric_limits<int64_t>::max()));
}

}  // namespace

absl::StatusOr<DiskSpace> ReadDiskSpace(const std::filesystem::path& path) {
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) {
    return absl::UnavailableError(
        fmt::format("cannot read the free space of {}: {}", path.string(), std::strerror(errno)));
  }
  const uint64_t unit = info.f_frsize != 0 ? info.f_frsize : info.f_bsize;
  return DiskSpace{.free_bytes = static_cast<uint64_t>(info.f_bavail) * unit,
                   .total_bytes = static_cast<uint64_t>(info.f_blocks) * unit};
}

Watermark WatermarkFrom(const navette::config::Disk& disk) {
  Watermark watermark;
  watermark.min_free_bytes = disk.min_free_mib() * kMiB;
  watermark.min_free_percent = disk.min_free_percent();
  if (disk.has_resume_margin_mib()) watermark.resume_margin_bytes = disk.resume_margin_mib() * kMiB;
  return watermark;
}

uint64_t ThresholdBytes(const Watermark& watermark, uint64_t total_bytes) {
  const uint64_t share = total_bytes / 100 * watermark.min_free_percent;
  return std::max(watermark.min_free_bytes, share);
}

uint64_t MarginBytes(const Watermark& watermark, uint64_t threshold_bytes) {
  return watermark.resume_margin_bytes.value_or(threshold_bytes / 10);
}

bool NextPaused(bool paused, uint64_t free_bytes, uint64_t threshold_bytes, uint64_t margin_bytes) {
  if (!paused) return free_bytes < threshold_bytes;
  // Written so that a huge threshold plus margin cannot wrap around.
  return free_bytes < threshold_bytes || free_bytes - threshold_bytes < margin_bytes;
}

DiskWatch::DiskWatch(DiskWatchOptions options) : options_(std::move(options)) {}

DiskWatch::~DiskWatch() { Stop(); }

absl::Status DiskWatch::Start() {
  auto space = options_.read(options_.path);
  if (!space.ok()) return space.status();
  const uint64_t threshold = ThresholdBytes(options_.watermark, space->total_bytes);
  const uint64_t margin = MarginBytes(options_.watermark, threshold);
  if (threshold > 0 &&
      (threshold >= space->total_bytes || space->total_bytes - threshold < margin)) {
    spdlog::warn(
        "disk: the data volume ({}) is {} in all, not more than engine.disk's threshold plus "
        "margin ({}): once paused, intake would never resume; give the store a larger volume or "
        "lower engine.disk.min_free_mib",
        options_.path.string(), Bytes(space->total_bytes), Bytes(threshold + margin));
  }
  CheckNow();
  thread_ = std::thread([this] {
    SetThreadName("disk-watch");
    Run();
  });
  return absl::OkStatus();
}

void DiskWatch::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DiskWatch::Committed(uint64_t bytes) {
  const int64_t left =
      headroom_.fetch_sub(Signed(bytes), std::memory_order_relaxed) - Signed(bytes);
  // Only the first report to cross asks: the monitor's reading resets the
  // estimate, and with it the request.
  if (left < 0 && !intake_paused() && !check_requested_.exchange(true)) {
    // Through the monitor's mutex, so that the request cannot fall between
    // its test of the predicate and its wait.
    { std::lock_guard lock(wake_mu_); }
    wake_.notify_all();
  }
}

void DiskWatch::CheckNow() {
  std::lock_guard lock(check_mu_);
  check_requested_.store(false);
  auto space = options_.read(options_.path);
  if (!space.ok()) {
    // The last decision stands: a volume that cannot be read says nothing of
    // its free space. Said once per run of failures.
    if (!read_failed_) spdlog::warn("disk: {}; intake stays as it was", space.status().message());
    read_failed_ = true;
    return;
  }
  if (read_failed_)
    spdlog::info("disk: the free space of {} can be read again", options_.path.string());
  read_failed_ = false;
  const uint64_t threshold = ThresholdBytes(options_.watermark, space->total_bytes);
  const uint64_t margin = MarginBytes(options_.watermark, threshold);
  const bool was_paused = paused_.load(std::memory_order_acquire);
  const bool paused = NextPaused(was_paused, space->free_bytes, threshold, margin);
  headroom_.store(Signed(space->free_bytes) - Signed(threshold), std::memory_order_relaxed);
  // The gauges before the flag: whoever sees a refusal sees its reading.
  if (options_.metrics != nullptr) {
    options_.metrics->SetDiskSpace(kVolume, space->free_bytes, threshold);
    options_.metrics->SetIntakePaused(kReason, paused);
  }
  paused_.store(paused, std::memory_order_release);
  if (paused && !was_paused) {
    spdlog::warn(
        "disk: intake paused: {} free on the data volume ({}), below engine.disk's threshold of "
        "{}; new messages are refused (MLLP AE) until {} are free, deliveries go on",
        Bytes(space->free_bytes), options_.path.string(), Bytes(threshold),
        Bytes(threshold + margin));
  } else if (!paused && was_paused) {
    spdlog::info("disk: intake resumed: {} free on the data volume ({}), threshold {}",
                 Bytes(space->free_bytes), options_.path.string(), Bytes(threshold));
  }
}

void DiskWatch::Run() {
  for (;;) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, options_.check_interval,
                     [this] { return stopping_ || check_requested_.load(); });
      if (stopping_) return;
    }
    CheckNow();
  }
}

}  // namespace navette::engine
