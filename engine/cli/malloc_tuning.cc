#include "engine/cli/malloc_tuning.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

#include <spdlog/spdlog.h>

namespace navette::engine::cli {

void KeepLargeFreedBlocksReturnable() {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
  // Above the engine's usual large allocations (an ingress batch's write is
  // a few hundred KiB but for the largest batches), below RocksDB's 2 MiB
  // memtable blocks.
  constexpr int kMmapThresholdBytes = 1 << 20;
  if (mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes) == 1) return;
#endif
  spdlog::debug("malloc: the mmap threshold could not be fixed; freed memtables may stay resident");
}

}  // namespace navette::engine::cli
