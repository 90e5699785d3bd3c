// The engine's logger from engine.log: the chosen line format on stderr,
// behind the repeat limiter (line_formats.h, repeat_limited_sink.h).
#pragma once

#include "proto/config.pb.h"

namespace navette::engine::logging {

// Replaces the default logger, keeping its level. Call once the
// configuration is loaded; lines before go out as text.
void ConfigureLogging(const navette::config::Log& log);

}  // namespace navette::engine::logging
