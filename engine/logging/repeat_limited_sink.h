// A sink in front of the engine's own that keeps one kind of warning or
// error from flooding the log: within `window`, the first `burst` lines of
// a kind are written, the others counted, and once the window is over one
// line says how many were left out:
//
//   delivery: destination=ris id=…: cannot connect to 10.0.0.9:2575 (…)
//   … (the same, four times more)
//   5 more lines like "delivery: destination=ris id=#: cannot connect to #.#.#.#:# (…)" in the last
//   10 s
//
// Lines are of one kind when they are equal once their numbers (ids,
// ports, counts, times) are blanked: the same event, other values. Info
// and debug lines pass untouched: they are not the ones that repeat in a
// storm. The summary goes out with the next line of that kind after the
// window, or at the next flush (spdlog::flush_every), whichever comes
// first.
//
// Thread-safe (spdlog's base_sink mutex); kinds not seen for a window are
// forgotten, and at most kMaxKinds are tracked at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace navette::engine::logging {

class RepeatLimitedSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxKinds = 1024;

  RepeatLimitedSink(spdlog::sink_ptr target, Clock::duration window, size_t burst);

  // `text` with its numbers blanked to '#': a word of hex digits with a
  // digit in it (a count, an id, a port) becomes '#', and the digits of
  // other words too ("TLSv1" -> "TLSv#"). The kind of a line.
  static std::string KindOf(std::string_view text);

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override;

 private:
  struct Tally {
    Clock::time_point window_start{};
    size_t written = 0;
    size_t left_out = 0;
    spdlog::level::level_enum level = spdlog::level::warn;
    std::string logger;
  };
  // Writes the summary of `kind` if lines were left out, and starts a new
  // window.
  void CloseWindow(const std::string& kind, Tally& tally, Clock::time_point now);
  void ForgetOldKinds(Clock::time_point now);

  spdlog::sink_ptr target_;
  const Clock::duration window_;
  const size_t burst_;
  std::map<std::string, Tally> tallies_;
};

}  // namespace navette::engine::logging
