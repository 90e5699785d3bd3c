// The handoff of committed messages from ingress to the router
// (recent_messages.h): what is taken, what is dropped, and its bounds.
#include "engine/recent_messages.h"

#include <gtest/gtest.h>

#include <string>

namespace navette::engine {
namespace {

navette::Envelope Message(const std::string& control_id, size_t bytes = 100) {
  navette::Envelope envelope;
  envelope.set_raw(std::string(bytes, 'x'));
  envelope.mutable_hl7()->set_control_id(control_id);
  return envelope;
}

TEST(RecentMessagesTest, TakesAMessageOnceAndDropsTheOlderOnes) {
  RecentMessages recent;
  recent.Put(10, Message("a"));
  recent.Put(20, Message("b"));
  recent.Put(30, Message("c"));
  auto taken = recent.Take(20);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->hl7().control_id(), "b");
  EXPECT_EQ(recent.size(), 1u);  // 10 dropped: the router is past it
  EXPECT_FALSE(recent.Take(20).has_value());
  EXPECT_FALSE(recent.Take(25).has_value());  // never put: read from the journal
  auto last = recent.Take(30);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->hl7().control_id(), "c");
  EXPECT_EQ(recent.size(), 0u);
}

TEST(RecentMessagesTest, WhenFullPutsNothingMoreUntilSomeAreTaken) {
  RecentMessages by_count(RecentMessages::Limits{.max_messages = 2, .max_bytes = 1 << 20});
  by_count.Put(1, Message("a"));
  by_count.Put(2, Message("b"));
  by_count.Put(3, Message("c"));  // full: not kept
  EXPECT_EQ(by_count.size(), 2u);
  EXPECT_FALSE(by_count.Take(3).has_value());
  by_count.Put(4, Message("d"));  // room again: 1 and 2 went with the Take
  EXPECT_TRUE(by_count.Take(4).has_value());

  RecentMessages by_bytes(RecentMessages::Limits{.max_messages = 100, .max_bytes = 250});
  by_bytes.Put(1, Message("a", 100));
  by_bytes.Put(2, Message("b", 100));
  by_bytes.Put(3, Message("c", 100));  // 300 bytes: not kept
  EXPECT_EQ(by_bytes.size(), 2u);
  EXPECT_TRUE(by_bytes.Take(2).has_value());
  by_bytes.Put(5, Message("e", 250));  // the bytes of the two taken are free again
  EXPECT_TRUE(by_bytes.Take(5).has_value());
}

}  // namespace
}  // namespace navette::engine
