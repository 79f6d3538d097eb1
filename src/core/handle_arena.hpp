// Memory for the handles the C API hands out, which a handle's check may
// read even after the handle was freed.
//
// A C caller can pass a handle it already freed. Reading a freed
// allocation is undefined (the allocator may have unmapped it or given it
// to anything), so a magic number inside a malloc'ed handle cannot catch
// that. Handles therefore live in slots that are never given back to the
// allocator: freeing one marks its header dead and parks the slot at the
// back of a queue of dead slots of its type, and a slot is handed out again
// only once at least kQuarantine other dead slots wait behind it. A stale
// handle keeps pointing at readable memory that says "dead" -- or, after
// that many frees, at a new handle of the same type -- never at freed
// memory and never at an object of another type.
//
// The check is one load of the header, as a magic number was. Taking and
// giving back a slot go through a small per-thread cache, so only one in
// kBatch of them takes the type's mutex (a leaf lock, held for a few list
// operations; a fork child starts with a fresh one).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace mproc::core {

// The first member of every handle struct: its type (the struct's magic
// number) and its state, in one word read with one load.
class HandleHeader {
 public:
  static constexpr uint32_t kDead = 0;  // freed, or not handed out yet
  static constexpr uint32_t kLive = 1;  // made by a constructor: the caller frees it
  static constexpr uint32_t kLent = 3;  // lent for one call (a task's arguments): not freed

  // Headers of handles made outside an arena (lent views) start lent.
  explicit HandleHeader(uint32_t kind, uint32_t state = kLent) noexcept
      : word_(pack(kind, state)) {}
  HandleHeader(const HandleHeader&) = delete;
  HandleHeader& operator=(const HandleHeader&) = delete;

  // The header of any handle: every handle struct is standard-layout with
  // its header first, so this is the same address.
  static const HandleHeader* of(const void* handle) noexcept {
    return static_cast<const HandleHeader*>(handle);
  }
  static HandleHeader* of(void* handle) noexcept { return static_cast<HandleHeader*>(handle); }

  // True when live or lent and of type `kind`. kLive | 2 == kLent: one
  // compare covers both.
  bool usable(uint32_t kind) const noexcept {
    return (word_.load(std::memory_order_acquire) | (kLive ^ kLent)) == pack(kind, kLent);
  }
  // Live -> dead, exactly once however many threads try: false when the
  // handle was not live (freed already, lent, or of another type).
  bool claim(uint32_t kind) noexcept {
    uint64_t live = pack(kind, kLive);
    return word_.compare_exchange_strong(live, pack(kind, kDead), std::memory_order_acq_rel);
  }
  bool lent(uint32_t kind) const noexcept {
    return word_.load(std::memory_order_acquire) == pack(kind, kLent);
  }
  void set(uint32_t kind, uint32_t state) noexcept {
    word_.store(pack(kind, state), std::memory_order_release);
  }

 private:
  friend class SlotPool;
  static constexpr uint64_t pack(uint32_t kind, uint32_t state) noexcept {
    return uint64_t{kind} << 32 | state;
  }
  std::atomic<uint64_t> word_;
  HandleHeader* next_ = nullptr;  // the pool's list link while dead
};

// The slots of one handle type (untyped; HandleArena<H> gives the types).
class SlotPool {
 public:
  // A dead slot waits behind at least this many others before reuse.
  static constexpr size_t kQuarantine = 1024;
  // Slots moved between a thread's cache and the pool at a time.
  static constexpr size_t kBatch = 32;

  using Construct = void (*)(void* slot);  // placement-constructs the type's struct

  SlotPool(size_t slot_size, Construct construct);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // A slot (its header dead); throws std::bad_alloc.
  HandleHeader* take();
  // Gives back a slot whose header was claimed dead and whose fields were
  // cleared.
  void give(HandleHeader* slot) noexcept;

 private:
  struct List;
  struct Shared;
  friend struct ThreadSlots;
  friend struct ThreadSlotsOwner;
  void refill(List& into);
  void quarantine(List& dead) noexcept;
  void hand_back(List& ready, List& dead) noexcept;
  Shared& shared() noexcept;

  size_t id_;
  size_t stride_;
  Construct construct_;
  std::atomic<Shared*> shared_;
};

// Slots for one handle struct H: standard-layout, a HandleHeader `header`
// first, a static kMagic, default-constructible, and clear() releasing
// what the handle holds.
template <class H>
class HandleArena {
 public:
  // A live H; its fields as clear() left them.
  static H* make() {
    H* h = reinterpret_cast<H*>(pool().take());
    h->header.set(H::kMagic, HandleHeader::kLive);
    return h;
  }
  // Frees a live H: false (and nothing done) when `h` was not a live H --
  // freed already, lent, or a handle of another type.
  static bool destroy(H* h) noexcept {
    if (!claim(h)) return false;
    recycle(h);
    return true;
  }
  // destroy in two steps, for a free that has work to do in between:
  // claim marks a live H dead (false when it was not a live H); recycle
  // then clears a claimed H and gives its slot back.
  static bool claim(H* h) noexcept {
    return HandleHeader::of(static_cast<void*>(h))->claim(H::kMagic);
  }
  static void recycle(H* h) noexcept {
    h->clear();
    pool().give(&h->header);
  }

 private:
  static_assert(std::is_standard_layout_v<H>, "the header must be at the handle's address");
  static_assert(alignof(H) <= alignof(std::max_align_t), "slots are max_align_t aligned");
  static SlotPool& pool() {
    static SlotPool* p = new SlotPool(sizeof(H), [](void* at) { new (at) H(); });
    return *p;
  }
};

}  // namespace mproc::core
