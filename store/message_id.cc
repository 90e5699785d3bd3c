#include "store/message_id.h"

#include <chrono>

#include <fmt/format.h>

namespace navette::store {

void MessageIdGenerator::Observe(uint64_t last_issued) {
  std::lock_guard lock(mu_);
  if (last_issued > last_) last_ = last_issued;
}

uint64_t MessageIdGenerator::Next() {
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  const uint64_t candidate = (now_ms - kIdEpochUnixMs) << kIdSequenceBits;
  std::lock_guard lock(mu_);
  // A clock that stands still or goes back keeps counting from the last id:
  // the sequence spills into the millisecond bits, which keeps ids unique and
  // ordered at the price of a slightly future timestamp.
  last_ = candidate > last_ ? candidate : last_ + 1;
  return last_;
}

std::string FormatMessageId(uint64_t id) { return fmt::format("{:016x}", id); }

std::optional<uint64_t> ParseMessageId(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

int64_t MessageIdTimeUs(uint64_t id) {
  return static_cast<int64_t>((id >> kIdSequenceBits) + kIdEpochUnixMs) * 1000;
}

uint64_t MessageIdLowerBound(int64_t at_us) {
  const int64_t ms = at_us / 1000 - static_cast<int64_t>(kIdEpochUnixMs);
  return ms <= 0 ? 0 : static_cast<uint64_t>(ms) << kIdSequenceBits;
}

}  // namespace navette::store
