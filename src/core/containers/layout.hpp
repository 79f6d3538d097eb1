// The shared-memory layout of a shared dict or list (mproc/shared_containers.h).
//
// A container is one mapping: the object header, the state below, then a
// heap of blocks. The mapping is as large as the creator's limit from the
// start (address space, not memory); pages are backed only as the heap
// grows into them (SharedMapping::reserve). A fixed reservation rather
// than a segment that is remapped larger: anonymous mappings are sealed
// against growing, every process would have to notice a new size and remap
// (leaving the addresses a reader holds dangling), and address space costs
// nothing on a 64-bit machine.
//
// Blocks. Every key/value entry, list element, hash table and list array
// is a block: a BlockHeader and its bytes, in one of kClasses sizes
// (multiples of 16, four per power of two). A block is carved from the
// heap's top once and keeps its size class for ever; freed, it goes on its
// class's free list and is reused by the next block of that class.
//
// References. A slot (of a hash table or list array) holds a Ref: the
// block's offset (in 16-byte units) and the low 32 bits of the block's
// generation when the slot was stored. A block's generation comes from the
// container's clock and changes whenever the block is written or freed:
// odd while it is being written or free, even once its bytes are final.
// A reader that finds the generation it expected before and after copying
// the bytes copied bytes nobody changed meanwhile, of the version the slot
// pointed to (a per-block seqlock); otherwise it looks again. Readers take
// no lock and write nothing.
//
// Updates. Writers serialise on one owned lock. An update first writes new
// blocks where nothing points (free memory), then records every word it
// will change in the redo log and commits by storing the log's length (one
// atomic store). It then applies the stores and clears the log. A writer
// killed before the commit left only free memory written; killed after it,
// the next locker (told by the lock, MPROC_EOWNERDEAD) applies the log
// again: every entry is an absolute value, so applying twice is harmless.
// Whatever a reader can see of an update is one store (a slot, the root,
// a list array's length), so it sees the update whole or not at all.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/owned_lock.hpp"

namespace mproc::core {

// ---- References -------------------------------------------------------------

using Ref = uint64_t;
inline constexpr Ref kEmptyRef = 0;
// A hash-table slot whose entry was deleted (probing goes on past it).
inline constexpr Ref kTombstoneRef = 1;

inline Ref make_ref(uint64_t offset, uint64_t gen) noexcept {
  return (offset >> 4) << 32 | (gen & 0xffffffffu);
}
inline uint64_t ref_offset(Ref r) noexcept { return (r >> 32) << 4; }
inline uint32_t ref_tag(Ref r) noexcept { return static_cast<uint32_t>(r); }
inline bool ref_is_block(Ref r) noexcept { return (r >> 32) != 0; }

// The largest mapping a Ref can address (32 bits of 16-byte units).
inline constexpr uint64_t kMaxContainerBytes = uint64_t{1} << 36;

// ---- Blocks -----------------------------------------------------------------

struct BlockHeader {
  std::atomic<uint64_t> gen;
  std::atomic<uint64_t> next;  // free list: the next free block's offset (0: end)
  std::atomic<uint64_t> aux;   // list array: its length; otherwise 0
  std::atomic<uint32_t> klass;
  std::atomic<uint32_t> key_len;
  std::atomic<uint32_t> value_len;  // tables and arrays: their slot count
  std::atomic<uint32_t> hash32;     // dict entries: the key hash's high half
};
inline constexpr uint64_t kBlockHeader = sizeof(BlockHeader);
static_assert(kBlockHeader == 40, "slots after the header stay 8-byte aligned");

// Size classes: 64, 80, 96, 112, 128, 160, ... bytes (16 << o) * (4 + s)
// for class 4 * o + s.
inline constexpr uint32_t kClasses = 128;
inline uint64_t class_size(uint32_t c) noexcept {
  return (uint64_t{16} << (c / 4)) * (4 + c % 4);
}
// The smallest class holding `bytes` (bytes <= kMaxContainerBytes).
inline uint32_t class_for(uint64_t bytes) noexcept {
  uint64_t units = (bytes + 15) / 16;
  if (units <= 4) return 0;
  uint32_t octave = static_cast<uint32_t>(64 - __builtin_clzll(units - 1)) - 3;
  uint64_t step = (units + (uint64_t{1} << octave) - 1) >> octave;  // 5..8
  if (step >= 8) return (octave + 1) * 4;
  return octave * 4 + static_cast<uint32_t>(step - 4);
}

// ---- The redo log -----------------------------------------------------------

struct LogEntry {
  std::atomic<uint64_t> offset;  // of a word in the region
  std::atomic<uint64_t> value;
};
inline constexpr uint32_t kLogEntries = 128;

struct RedoLog {
  // 0: no update in flight. n > 0: entries[0, n) are committed and are
  // being (or were) applied.
  std::atomic<uint64_t> committed;
  LogEntry entries[kLogEntries];
};

// ---- The state --------------------------------------------------------------

inline constexpr uint32_t kContainerLayout = 1;

struct ContainerState {
  // Fixed at creation, read once by each process and checked.
  uint64_t layout;
  uint64_t heap_begin;  // region offsets of the heap
  uint64_t heap_end;
  uint64_t hash_seed;

  alignas(64) OwnedLockState lock;

  // Read by everyone; changed only through the log.
  // The dict's table, the list's array; kEmptyRef for an empty container
  // (made so, or cleared: a clear needs no room).
  alignas(64) std::atomic<uint64_t> root;
  std::atomic<uint64_t> count;             // dict entries
  // Even between updates, odd while one is applied: a snapshot that saw
  // the same even value before and after copying saw no update.
  std::atomic<uint64_t> version;
  // How far (a region offset) writers have backed the heap with pages. A
  // hint for readers, who back as much themselves before reading there
  // (the kernel keeps the first backing; the rest cost no memory).
  std::atomic<uint64_t> backed;

  // Writers only; changed only through the log, except the clock.
  alignas(64) std::atomic<uint64_t> top;  // region offset of the first byte never carved
  std::atomic<uint64_t> used;             // bytes in live blocks
  std::atomic<uint64_t> tombstones;       // dict slots holding kTombstoneRef
  // A detached table or array whose blocks are being freed in steps
  // (after a clear), and how far that has got. 0: none.
  std::atomic<uint64_t> sweep;
  std::atomic<uint64_t> sweep_pos;
  // Generations are drawn from here. Stored directly (not logged): it
  // only ever grows, and numbers a dead writer drew are simply skipped.
  std::atomic<uint64_t> clock;
  std::atomic<uint64_t> free_heads[kClasses];

  alignas(64) RedoLog log;
};

}  // namespace mproc::core
