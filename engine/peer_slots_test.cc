#include "engine/peer_slots.h"

#include <optional>
#include <vector>

#include <gtest/gtest.h>

namespace navette::engine {
namespace {

TEST(PeerSlotsTest, APeersConnectionsBeyondItsShareAreOverIt) {
  PeerSlots slots(2);
  PeerSlots::Slot first = slots.Acquire("10.0.0.1");
  PeerSlots::Slot second = slots.Acquire("10.0.0.1");
  PeerSlots::Slot third = slots.Acquire("10.0.0.1");
  EXPECT_FALSE(first.over_share());
  EXPECT_FALSE(second.over_share());
  EXPECT_TRUE(third.over_share());
  EXPECT_EQ(slots.Count("10.0.0.1"), 3u);
}

TEST(PeerSlotsTest, EachPeerHasItsOwnShare) {
  PeerSlots slots(1);
  PeerSlots::Slot busy = slots.Acquire("10.0.0.1");
  PeerSlots::Slot busy_again = slots.Acquire("10.0.0.1");
  ASSERT_TRUE(busy_again.over_share());
  // Another address is not held back by the first one's connections.
  PeerSlots::Slot other = slots.Acquire("10.0.0.2");
  EXPECT_FALSE(other.over_share());
}

TEST(PeerSlotsTest, ClosingAConnectionGivesItsPlaceBack) {
  PeerSlots slots(1);
  std::optional<PeerSlots::Slot> first(slots.Acquire("::1"));
  {
    PeerSlots::Slot over = slots.Acquire("::1");
    EXPECT_TRUE(over.over_share());
  }
  // Still over while the first is open...
  EXPECT_TRUE(slots.Acquire("::1").over_share());
  first.reset();
  // ...and within once it is closed; nothing left counted after.
  EXPECT_FALSE(slots.Acquire("::1").over_share());
  EXPECT_EQ(slots.Count("::1"), 0u);
}

TEST(PeerSlotsTest, AMovedSlotReleasesOnce) {
  PeerSlots slots(4);
  std::vector<PeerSlots::Slot> held;
  for (int i = 0; i < 3; ++i) held.push_back(slots.Acquire("10.0.0.1"));
  EXPECT_EQ(slots.Count("10.0.0.1"), 3u);
  held.pop_back();
  EXPECT_EQ(slots.Count("10.0.0.1"), 2u);
  held.clear();
  EXPECT_EQ(slots.Count("10.0.0.1"), 0u);
}

}  // namespace
}  // namespace navette::engine
