// What `check` (and `serve`, which runs the same checks) says of
// engine.disk, the disk watermark (engine/disk_watch.h), each at its key:
//   - min_free_percent above 90: intake would pause on a volume still
//     mostly free, which is a typo rather than a policy;
//   - a check_interval under 100ms (the free space would be read
//     hundreds of times a second for no gain), or above 1m (a burst could
//     fill the volume between two readings);
//   - a warning: min_free_mib 0 and no min_free_percent, which turns the
//     watermark off: the engine then acknowledges messages until the store
//     fails to write them.
// The volume's own size is not known to `check` (the data directory is
// serve's): a threshold the volume cannot meet is said at start.
#pragma once

#include <functional>
#include <string>

#include "engine/config/config_error.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

using DiskReport = std::function<void(const std::string& path, std::string message,
                                      ConfigError::Severity severity)>;

// Runs on the configuration after ApplyDefaults.
void CheckDisk(const navette::config::Disk& disk, const DiskReport& report);

}  // namespace navette::engine::config
