#include "adapters/mllp/ack_control_id.h"

#include <atomic>
#include <chrono>
#include <cstdint>

#include <fmt/format.h>

namespace navette::adapters::mllp {
namespace {

uint64_t StartValue() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(
             std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()) *
         1000;
}

}  // namespace

std::string NextAckControlId() {
  static std::atomic<uint64_t> next{StartValue()};
  return fmt::format("NAV{}", next.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace navette::adapters::mllp
