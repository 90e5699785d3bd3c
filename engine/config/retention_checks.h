// What `check` (and `serve`, which runs the same checks) says of
// engine.retention (docs/retention.md), each at its key:
//   - an age of a message status shorter than
//     engine.ingress.retransmission_window: a sender's retransmission of a
//     message already removed would be taken for a new one and routed again;
//   - an interval under 1s or above 1d;
//   - a warning for an audit age under 30 days: access traces of health
//     data are usually kept far longer (the hospital's security policy says
//     how long), and once removed they cannot come back.
#pragma once

#include <functional>
#include <string>

#include "engine/config/config_error.h"
#include "proto/config.pb.h"

namespace navette::engine::config {

using RetentionReport = std::function<void(const std::string& path, std::string message,
                                           ConfigError::Severity severity)>;

// Runs on the configuration after ApplyDefaults.
void CheckRetention(const navette::config::Engine& engine, const RetentionReport& report);

}  // namespace navette::engine::config
