// How many connections each peer (remote IP address) holds on a listener,
// so that one client cannot take every slot: a peer's first `per_peer`
// connections are within its share, the next ones over it. The caller
// decides what "over" costs (engine/admin_listener.h answers such a
// connection only briefly); this class only counts.
//
// Invariant: count_[peer] == the number of live Slots acquired for `peer`,
// and a peer with no live Slot has no entry (the map stays as small as the
// set of connected peers).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace navette::engine {

class PeerSlots {
 public:
  explicit PeerSlots(size_t per_peer) : per_peer_(per_peer) {}

  // Held for as long as the connection lives; releases its count when
  // destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept
        : owner_(other.owner_), peer_(std::move(other.peer_)), over_(other.over_) {
      other.owner_ = nullptr;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->Release(peer_);
    }

    // Whether this connection came after the peer's first `per_peer` ones
    // still open.
    bool over_share() const { return over_; }

   private:
    friend class PeerSlots;
    Slot(PeerSlots* owner, std::string peer, bool over)
        : owner_(owner), peer_(std::move(peer)), over_(over) {}

    PeerSlots* owner_;
    std::string peer_;
    bool over_;
  };

  // Counts one more connection from `peer`. Never refuses: a connection over
  // the share is still counted, so that the peer's count stays over its share
  // until it closes enough of them.
  Slot Acquire(const std::string& peer);

  // Connections `peer` holds now (for tests and diagnostics).
  size_t Count(const std::string& peer) const;

 private:
  void Release(const std::string& peer);

  const size_t per_peer_;
  mutable std::mutex mu_;
  std::map<std::string, size_t> count_;  // guarded by mu_
};

}  // namespace navette::engine
