// Wall-clock time as stored everywhere in navette: microseconds since the
// Unix epoch (history events, receive times, retry times).
#pragma once

#include <chrono>
#include <cstdint>

namespace navette {

inline int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace navette
