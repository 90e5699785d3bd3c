#include "engine/peer_slots.h"

namespace navette::engine {

PeerSlots::Slot PeerSlots::Acquire(const std::string& peer) {
  std::lock_guard lock(mu_);
  const size_t held = ++count_[peer];
  return Slot(this, peer, held > per_peer_);
}

size_t PeerSlots::Count(const std::string& peer) const {
  std::lock_guard lock(mu_);
  auto found = count_.find(peer);
  return found == count_.end() ? 0 : found->second;
}

void PeerSlots::Release(const std::string& peer) {
  std::lock_guard lock(mu_);
  auto found = count_.find(peer);
  if (found == count_.end()) return;
  if (--found->second == 0) count_.erase(found);
}

}  // namespace navette::engine
