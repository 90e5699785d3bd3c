#include "engine/recent_messages.h"

#include <utility>

namespace navette::engine {

void RecentMessages::Put(uint64_t id, navette::Envelope envelope) {
  const size_t bytes = envelope.raw().size();
  std::lock_guard lock(mu_);
  if (messages_.size() >= limits_.max_messages || bytes_ + bytes > limits_.max_bytes) return;
  if (messages_.emplace(id, std::move(envelope)).second) bytes_ += bytes;
}

std::optional<navette::Envelope> RecentMessages::Take(uint64_t id) {
  std::lock_guard lock(mu_);
  std::optional<navette::Envelope> taken;
  auto it = messages_.begin();
  for (; it != messages_.end() && it->first <= id; ++it) {
    bytes_ -= it->second.raw().size();
    if (it->first == id) taken = std::move(it->second);
  }
  messages_.erase(messages_.begin(), it);
  return taken;
}

size_t RecentMessages::size() const {
  std::lock_guard lock(mu_);
  return messages_.size();
}

}  // namespace navette::engine
