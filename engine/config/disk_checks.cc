#include "engine/config/disk_checks.h"

#include <fmt/format.h>

namespace navette::engine::config {
namespace {

constexpr uint32_t kMaxPercent = 90;
constexpr int64_t kMinIntervalMs = 100;
constexpr int64_t kMaxIntervalMs = 60 * 1000;

int64_t Millis(const google::protobuf::Duration& duration) {
  return duration.seconds() * 1000 + duration.nanos() / 1000000;
}

}  // namespace

void CheckDisk(const navette::config::Disk& disk, const DiskReport& report) {
  using Severity = ConfigError::Severity;
  if (disk.min_free_percent() > kMaxPercent) {
    report("engine.disk.min_free_percent",
           fmt::format("engine.disk: min_free_percent must be between 0 and {} (it is {})",
                       kMaxPercent, disk.min_free_percent()),
           Severity::kError);
  }
  if (disk.has_check_interval()) {
    const int64_t interval = Millis(disk.check_interval());
    if (interval < kMinIntervalMs || interval > kMaxIntervalMs) {
      report("engine.disk.check_interval",
             "engine.disk: check_interval must be between 100ms and 1m", Severity::kError);
    }
  }
  if (disk.has_min_free_mib() && disk.min_free_mib() == 0 && disk.min_free_percent() == 0) {
    report("engine.disk.min_free_mib",
           "engine.disk: min_free_mib 0 without min_free_percent turns the disk watermark off: "
           "messages are acknowledged until the store cannot write them",
           Severity::kWarning);
  }
}

}  // namespace navette::engine::config
