#include "engine/intake_gate.h"

#include <utility>
#include <vector>

namespace navette::engine {

void IntakeGate::Report(std::string_view destination, bool over, uint64_t left) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    auto it = lanes_.find(destination);
    if (it == lanes_.end()) {
      if (!over) return;  // no lane: not over
      it = lanes_.emplace(std::string(destination), Lane{}).first;
    }
    Lane& lane = it->second;
    if (lane.over == over && lane.left == left) return;
    if (lane.over != over) over ? ++over_count_ : --over_count_;
    lane.over = over;
    lane.left = left;
    wake = waiting_ > 0;
  }
  if (wake) changed_.notify_all();
}

void IntakeGate::Forget(std::string_view destination) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    auto it = lanes_.find(destination);
    if (it == lanes_.end()) return;
    if (it->second.over) --over_count_;
    lanes_.erase(it);
    wake = waiting_ > 0;
  }
  if (wake) changed_.notify_all();
}

std::chrono::steady_clock::duration IntakeGate::WaitForRoom(
    std::chrono::steady_clock::duration longest) {
  if (!held()) return {};
  const auto started = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  // What each destination over its limit had moved out when the wait began:
  // any progress past it lets this batch through.
  std::vector<std::pair<std::string, uint64_t>> over;
  for (const auto& [name, lane] : lanes_) {
    if (lane.over) over.emplace_back(name, lane.left);
  }
  if (over.empty()) return {};
  const auto room = [&] {
    for (const auto& [name, left] : over) {
      auto it = lanes_.find(name);
      if (it != lanes_.end() && it->second.over && it->second.left == left) return false;
    }
    return true;
  };
  ++waiting_;
  changed_.wait_until(lock, started + longest, room);
  --waiting_;
  return std::chrono::steady_clock::now() - started;
}

}  // namespace navette::engine
