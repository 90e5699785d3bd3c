// Message ids: 64-bit, time-ordered, unique within one store.
//
//   bits 63..22  milliseconds since 2020-01-01T00:00:00Z (42 bits: until 2159)
//   bits 21..0   sequence within that millisecond (4,194,304 ids per ms)
//
// Stored big-endian (store/keys.h), so iterating the journal in key order is
// iterating messages in arrival order. Shown to people as 16 lower-case hex
// digits, which sort the same way.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace navette::store {

inline constexpr int kIdSequenceBits = 22;
inline constexpr uint64_t kIdEpochUnixMs = 1577836800000;  // 2020-01-01T00:00:00Z

class MessageIdGenerator {
 public:
  // Ids returned after this are greater than `last_issued` even if the clock
  // went back while the engine was down.
  void Observe(uint64_t last_issued);
  uint64_t Next();

 private:
  std::mutex mu_;
  uint64_t last_ = 0;
};

std::string FormatMessageId(uint64_t id);
// Accepts the 16-hex-digit form (and shorter hex forms without leading zeros).
std::optional<uint64_t> ParseMessageId(std::string_view text);
// Microseconds since the Unix epoch at which an id was issued (ms precision).
int64_t MessageIdTimeUs(uint64_t id);
// The smallest id issued at or after `at_us` (microseconds since the Unix
// epoch), to its millisecond: time bounds as id bounds.
uint64_t MessageIdLowerBound(int64_t at_us);

}  // namespace navette::store
