#include "engine/cli/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>

#include <gtest/gtest.h>

namespace navette::engine::cli {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizedMalloc = true;
#else
constexpr bool kSanitizedMalloc = false;
#endif

// Mapped chunks glibc holds now (mallinfo2's hblks).
size_t MappedChunks() { return mallinfo2().hblks; }

TEST(MallocTuningTest, ABlockOverAMebibyteStaysMappedAfterALargerOneIsFreed) {
  if (kSanitizedMalloc) GTEST_SKIP() << "AddressSanitizer's malloc has no mmap threshold";
  KeepLargeFreedBlocksReturnable();
  // Left to itself, glibc would raise its threshold to this block's size
  // when it is freed, and serve the next smaller one from the heap.
  void* memtable_block = std::malloc(2 << 20);
  ASSERT_NE(memtable_block, nullptr);
  std::free(memtable_block);

  const size_t before = MappedChunks();
  void* next_block = std::malloc(3 << 19);  // 1.5 MiB
  ASSERT_NE(next_block, nullptr);
  EXPECT_EQ(MappedChunks(), before + 1) << "a 1.5 MiB block came from the heap";
  std::free(next_block);
  EXPECT_EQ(MappedChunks(), before) << "freeing it did not give it back";
}

}  // namespace
}  // namespace navette::engine::cli
