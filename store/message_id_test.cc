#include "store/message_id.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace navette::store {
namespace {

TEST(MessageIdTest, IdsAreStrictlyIncreasingAcrossThreads) {
  MessageIdGenerator generator;
  std::vector<std::vector<uint64_t>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&generator, &ids] {
      for (int i = 0; i < 50000; ++i) ids.push_back(generator.Next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<uint64_t> all;
  for (const auto& ids : per_thread) {
    for (size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]);
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), 4u * 50000u);
}

TEST(MessageIdTest, ObserveKeepsIdsAboveAFutureId) {
  MessageIdGenerator generator;
  const uint64_t future = generator.Next() + (uint64_t{3600000} << kIdSequenceBits);
  generator.Observe(future);
  EXPECT_GT(generator.Next(), future);
}

TEST(MessageIdTest, IdCarriesItsTime) {
  MessageIdGenerator generator;
  const int64_t before = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const uint64_t id = generator.Next();
  EXPECT_NEAR(static_cast<double>(MessageIdTimeUs(id)), static_cast<double>(before), 2000.0);
}

TEST(MessageIdTest, FormatAndParseRoundTrip) {
  const uint64_t id = 0x0123456789abcdefULL;
  EXPECT_EQ(FormatMessageId(id), "0123456789abcdef");
  EXPECT_EQ(ParseMessageId("0123456789abcdef"), id);
  EXPECT_EQ(ParseMessageId("0123456789ABCDEF"), id);
  EXPECT_EQ(ParseMessageId("ff"), 255u);
  EXPECT_FALSE(ParseMessageId("").has_value());
  EXPECT_FALSE(ParseMessageId("xyz").has_value());
  EXPECT_FALSE(ParseMessageId("0123456789abcdef0").has_value());
}

}  // namespace
}  // namespace navette::store
