// The engine's log line formats (engine.log.format, docs/operations.md
// "Logs"), as spdlog formatters:
//
//   text    2026-12-05T10:41:07.118+00:00 warning delivery: dead id=… (spdlog's pattern)
//   json    {"ts":"2026-12-05T10:41:07.118Z","level":"warning","msg":"delivery: dead id=…",
//            "message_id":"0005f8a1c2d3e4f5"}
//   logfmt  ts=2026-12-05T10:41:07.118Z level=warning msg="delivery: dead id=…"
//           message_id=0005f8a1c2d3e4f5
//
// One event a line. `message_id` is there when the event names a message
// ("id=" and its 16 hex digits, as every log line that names one writes
// it), so that a log pipeline can follow a message without parsing the text.
// The text itself is the engine's: what a peer sent reaches it only through
// navette::Printable, and never patient data.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/formatter.h>

namespace navette::engine::logging {

enum class LineFormat { kText, kJson, kLogfmt };

std::unique_ptr<spdlog::formatter> MakeFormatter(LineFormat format);

// The message id an event names ("id=0005f8a1c2d3e4f5"), or empty.
std::string_view MessageIdIn(std::string_view text);

}  // namespace navette::engine::logging
