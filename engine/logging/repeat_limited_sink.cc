#include "engine/logging/repeat_limited_sink.h"

#include <cctype>

#include <fmt/format.h>

namespace navette::engine::logging {
namespace {

// The window's length as people say it: "10 s", "500 ms".
std::string WindowText(RepeatLimitedSink::Clock::duration window) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
  return ms % 1000 == 0 ? fmt::format("{} s", ms / 1000) : fmt::format("{} ms", ms);
}

}  // namespace

RepeatLimitedSink::RepeatLimitedSink(spdlog::sink_ptr target, Clock::duration window, size_t burst)
    : target_(std::move(target)), window_(window), burst_(burst) {}

std::string RepeatLimitedSink::KindOf(std::string_view text) {
  std::string kind;
  kind.reserve(text.size());
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < text.size();) {
    if (!alnum(text[i])) {
      kind.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    bool all_hex = true, any_digit = false;
    for (; end < text.size() && alnum(text[end]); ++end) {
      all_hex = all_hex && std::isxdigit(static_cast<unsigned char>(text[end]));
      any_digit = any_digit || std::isdigit(static_cast<unsigned char>(text[end]));
    }
    if (all_hex && any_digit) {
      kind.push_back('#');  // a number, or an id in hex
    } else {
      // A word: its digit runs blanked ("TLSv1" -> "TLSv#").
      for (size_t k = i; k < end;) {
        if (std::isdigit(static_cast<unsigned char>(text[k]))) {
          while (k < end && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
          kind.push_back('#');
        } else {
          kind.push_back(text[k++]);
        }
      }
    }
    i = end;
  }
  return kind;
}

void RepeatLimitedSink::sink_it_(const spdlog::details::log_msg& message) {
  if (message.level < spdlog::level::warn || burst_ == 0) {
    target_->log(message);
    return;
  }
  const Clock::time_point now = Clock::now();
  std::string kind = KindOf(std::string_view(message.payload.data(), message.payload.size()));
  auto [it, added] = tallies_.try_emplace(std::move(kind));
  Tally& tally = it->second;
  if (added) {
    tally.window_start = now;
    tally.level = message.level;
    tally.logger.assign(message.logger_name.data(), message.logger_name.size());
  } else if (now - tally.window_start >= window_) {
    CloseWindow(it->first, tally, now);
  }
  if (tally.written < burst_) {
    ++tally.written;
    target_->log(message);
  } else {
    ++tally.left_out;
  }
  if (tallies_.size() > kMaxKinds) ForgetOldKinds(now);
}

void RepeatLimitedSink::CloseWindow(const std::string& kind, Tally& tally, Clock::time_point now) {
  if (tally.left_out > 0) {
    const std::string text = fmt::format("{} more lines like \"{}\" in the last {}", tally.left_out,
                                         kind, WindowText(window_));
    target_->log(spdlog::details::log_msg(tally.logger, tally.level, text));
  }
  tally.window_start = now;
  tally.written = 0;
  tally.left_out = 0;
}

void RepeatLimitedSink::ForgetOldKinds(Clock::time_point now) {
  for (auto it = tallies_.begin(); it != tallies_.end();) {
    if (now - it->second.window_start >= window_) {
      CloseWindow(it->first, it->second, now);
      it = tallies_.erase(it);
    } else {
      ++it;
    }
  }
}

void RepeatLimitedSink::flush_() {
  const Clock::time_point now = Clock::now();
  for (auto& [kind, tally] : tallies_) {
    if (tally.left_out > 0 && now - tally.window_start >= window_) CloseWindow(kind, tally, now);
  }
  target_->flush();
}

}  // namespace navette::engine::logging
