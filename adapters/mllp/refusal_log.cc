#include "adapters/mllp/refusal_log.h"

namespace navette::adapters::mllp {

bool RefusalLog::Refused(const std::string& what, Clock::time_point now) {
  auto [window, opened] = windows_.try_emplace(what, Window{now + interval_, 0});
  if (opened) return true;
  ++window->second.counted;
  return false;
}

std::vector<RefusalLog::Summary> RefusalLog::Flush(Clock::time_point now) {
  std::vector<Summary> ended;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& window = it->second;
    if (window.ends > now) {
      ++it;
      continue;
    }
    if (window.counted == 0) {
      it = windows_.erase(it);
      continue;
    }
    // The refusals go on: keep counting them rather than logging the next
    // one at once.
    ended.push_back({it->first, window.counted});
    window = Window{now + interval_, 0};
    ++it;
  }
  return ended;
}

std::optional<RefusalLog::Clock::time_point> RefusalLog::NextFlush() const {
  std::optional<Clock::time_point> next;
  for (const auto& [what, window] : windows_) {
    if (!next || window.ends < *next) next = window.ends;
  }
  return next;
}

}  // namespace navette::adapters::mllp
