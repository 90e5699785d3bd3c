#include "engine/logging/setup.h"

#include <memory>

#include <google/protobuf/util/time_util.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "engine/logging/line_formats.h"
#include "engine/logging/repeat_limited_sink.h"

namespace navette::engine::logging {
namespace {

LineFormat FormatOf(navette::config::Log::Format format) {
  switch (format) {
    case navette::config::Log::JSON:
      return LineFormat::kJson;
    case navette::config::Log::LOGFMT:
      return LineFormat::kLogfmt;
    case navette::config::Log::TEXT:
    case navette::config::Log::FORMAT_UNSPECIFIED:
    default:  // proto3 enums are open: an unknown value reads as text
      return LineFormat::kText;
  }
}

}  // namespace

void ConfigureLogging(const navette::config::Log& log) {
  const spdlog::level::level_enum level = spdlog::default_logger()->level();
  // Plain stderr: the colours of the text format's terminal sink would be
  // escape codes in a JSON or logfmt line.
  auto target = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  target->set_formatter(MakeFormatter(FormatOf(log.format())));
  const auto window = std::chrono::milliseconds(
      google::protobuf::util::TimeUtil::DurationToMilliseconds(log.repeat_window()));
  auto limited = std::make_shared<RepeatLimitedSink>(target, window, log.repeat_limit());
  auto logger = std::make_shared<spdlog::logger>("navette", limited);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Summaries of left-out lines go out within a second of their window.
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace navette::engine::logging
