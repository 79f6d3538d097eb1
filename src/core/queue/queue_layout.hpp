// The shared-memory layout of a queue: a state page, then the ring.
//
// The ring is a byte buffer of `capacity` bytes (a power of two) holding
// records: an 8-byte header (size, tag) and the payload padded to 8 bytes.
// A WRAP record says "continue at the start of the ring". Positions (head,
// tail) count bytes since creation and only grow; a position's place in
// the ring is position & (capacity - 1).
//
// Producers serialise on tail_lock and consumers on head_lock, so a
// producer and a consumer never wait for each other. Each side keeps its
// counters on cache lines of its own, with its cached view of the other
// side's position, so that the lines bouncing between processes are mostly
// the records themselves.
//
// Crash safety: everything a side changes becomes visible at one store of
// its position (the commit). The item counter stored after it is recovered
// from an intent record if the process died between the two; a process
// that died before the commit left nothing behind but bytes past the tail,
// or a record still before the head.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/owned_lock.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct RecordHeader {
  uint32_t size;
  uint32_t tag;
};
inline constexpr uint32_t kMessageTag = 0x4d534731;  // "MSG1"
inline constexpr uint32_t kWrapTag = 0x57524150;     // "WRAP"
inline constexpr size_t kRecordHeader = sizeof(RecordHeader);

// A record's size in the ring for a payload of `len` bytes.
inline uint64_t record_size(uint64_t len) noexcept { return kRecordHeader + ((len + 7) & ~7ull); }

// A side's redo record: if the side's position equals `position`, its
// counter must equal `count` (see above).
struct Intent {
  uint64_t position;
  uint64_t count;
};

struct QueueState {
  // Fixed at creation.
  uint64_t capacity;
  uint64_t maxsize;
  uint64_t data_offset;
  std::atomic<uint32_t> closed;

  // Producers.
  alignas(64) OwnedLockState tail_lock;
  alignas(64) std::atomic<uint64_t> tail;
  std::atomic<uint64_t> put_count;
  uint64_t seen_head;   // producers' last look at head (under tail_lock)
  uint64_t seen_taken;  // and at get_count
  uint64_t rewind_check_at;  // see Queue::try_put_locked
  Intent put_intent;

  // Consumers.
  alignas(64) OwnedLockState head_lock;
  alignas(64) std::atomic<uint64_t> head;
  std::atomic<uint64_t> get_count;
  uint64_t seen_tail;  // consumers' last look at tail (under head_lock)
  Intent get_intent;

  // Sleeping getters (wait for a put), putters (wait for room), joiners.
  alignas(64) std::atomic<uint32_t> not_empty_seq;
  std::atomic<uint32_t> getters_waiting;
  // Processes watching the queue for a descriptor (queue_watch.hpp): while
  // there are any, a put wakes every sleeping getter, not one.
  std::atomic<uint32_t> fd_watchers;
  platform::WaitCell not_empty_cell;
  alignas(64) std::atomic<uint32_t> not_full_seq;
  std::atomic<uint32_t> putters_waiting;
  platform::WaitCell not_full_cell;
  alignas(64) std::atomic<uint64_t> done_count;
  std::atomic<uint32_t> done_seq;
  std::atomic<uint32_t> joiners_waiting;
  platform::WaitCell done_cell;
};

}  // namespace mproc::core
