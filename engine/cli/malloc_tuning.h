// How `navette serve` asks glibc's malloc to give freed memory back.
//
// glibc maps an allocation of at least its mmap threshold (128 KiB at start)
// and unmaps it when freed; but each time it unmaps one, it raises the
// threshold to that chunk's size (up to 32 MiB). RocksDB's memtables grow by
// 2 MiB arena blocks: once the first memtable is freed, the blocks of every
// later one come from the heap instead, where a block freed below one still
// in use cannot go back to the system. Resident memory then grows with every
// memtable flushed, not with what is in use: draining a million-message
// backlog took the engine from 160 to 259 MiB resident while its heap in use
// stayed under 100 MiB (heaptrack), past the 256 MiB the engine promises
// (docs/design.md, "Memory"). A fixed threshold keeps such blocks mapped, so
// that freeing them returns them (docs/performance.md, "A backlog of a
// million messages").
#pragma once

namespace navette::engine::cli {

// Fixes glibc's mmap threshold at 1 MiB (which also stops it moving the trim
// threshold). Does nothing, and says so at debug level, where malloc is not
// glibc's or refuses (under AddressSanitizer, whose malloc ignores it).
void KeepLargeFreedBlocksReturnable();

}  // namespace navette::engine::cli
