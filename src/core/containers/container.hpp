// What a shared dict and a shared list have in common (layout.hpp says how
// they are laid out and why they survive a writer's death): the heap of
// blocks, reading without a lock, updates through the redo log, and the
// check of the whole structure.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/containers/layout.hpp"
#include "core/sync/shared_object.hpp"
#include "platform/deadline.hpp"
#include "platform/error.hpp"
#include "platform/tsan.hpp"

namespace mproc::core {

// Receives a value's bytes read from shared memory; may be called again
// (a reader that saw a change looks again). False: the destination is too
// small (the call then reports MPROC_ETOOBIG).
using ValueSink = bool (*)(void* ctx, const unsigned char* data, size_t len);

struct ContainerOptions {
  // Bytes of heap the container may grow to (entries, tables, arrays).
  uint64_t limit = uint64_t{1} << 30;
  SharedOptions shared;
};
// The smallest limit: the first table or array and a few entries.
inline constexpr uint64_t kMinContainerLimit = 4096;

// The steps of an update, for the fault hook (container-step:N): a death
// before kCommitted leaves the container as it was, from it on the update
// is applied whole by the next process that takes the lock.
enum class ContainerStep : uint32_t {
  kLocked = 1,   // the writers' lock taken, nothing written
  kHalfCopied,   // a new block's bytes half written (nothing points at it)
  kLogged,       // the redo log written, not committed
  kCommitted,    // the log's length stored: the update has happened
  kHalfApplied,  // half of the logged stores applied
  kApplied,      // every store applied, the log not yet cleared
  kCleared,      // the log cleared, the lock still held
  kSwept,        // one step of freeing a cleared container's blocks done, more to come
};

class Container : public SharedObject {
 public:
  // Heap bytes the creator allowed, and bytes in live blocks now.
  uint64_t limit() const noexcept { return heap_end_ - heap_begin_; }
  uint64_t used() const noexcept { return s_.used.load(std::memory_order_relaxed); }
  // Walks the whole structure under the lock: every carved block is live
  // (reachable once) or free (on its class's list once), and the counts
  // agree. Throws MPROC_ECORRUPT naming the first thing that does not.
  void check() const;

 protected:
  // What an optimistic attempt returns when it saw a change and must look
  // again (never an MPROC_E* code).
  static constexpr int kRetry = 1;

  static std::shared_ptr<SharedRegion> create_region(ObjectKind kind,
                                                     const ContainerOptions& options);
  // A new empty container of type T (no table or array until the first
  // entry), published.
  template <class T>
  static std::shared_ptr<T> make(ObjectKind kind, const ContainerOptions& options) {
    auto region = create_region(kind, options);
    auto made = std::make_shared<T>(region);
    region->publish();
    return made;
  }
  // The named container of type T, or the one a peer's handle describes.
  template <class T>
  static std::shared_ptr<T> open_as(const std::string& name, ObjectKind kind) {
    return std::make_shared<T>(SharedRegion::open(name, kind));
  }
  template <class T>
  static std::shared_ptr<T> decode_as(WireReader& in, ReceivedFds& fds, ObjectKind kind) {
    return std::make_shared<T>(SharedRegion::decode(in, fds, kind));
  }
  Container(std::shared_ptr<SharedRegion> region, const char* what);

  // ---- Reading without the lock -------------------------------------------

  // A block as a reader found it: its header, the generation it had, and
  // its bytes (within the heap and backed by pages).
  struct View {
    const BlockHeader* header = nullptr;
    uint64_t gen = 0;
    uint64_t size = 0;  // its class size, header included
    const unsigned char* bytes() const noexcept {
      return reinterpret_cast<const unsigned char*>(header) + kBlockHeader;
    }
    const std::atomic<uint64_t>* slots() const noexcept {
      return reinterpret_cast<const std::atomic<uint64_t>*>(bytes());
    }
  };
  // Opens the block `ref` names if its generation still matches the
  // reference (false: it changed, or the reference is not a block).
  bool view(Ref ref, View* out) const;
  // True when the block has not changed since view() (after the caller's
  // copies: they are ordered before this check).
  static bool unchanged(const View& v) noexcept {
    platform::seqlock_fence(std::memory_order_acquire);
    return v.header->gen.load(std::memory_order_relaxed) == v.gen;
  }
  // Opens a slot block (a table or an array) and reads its slot count.
  bool view_slots(Ref ref, View* out, uint64_t* nslots) const;
  // A viewed block's slot, for a writer holding the lock.
  static std::atomic<uint64_t>* writable(const std::atomic<uint64_t>* slot) noexcept {
    return const_cast<std::atomic<uint64_t>*>(slot);
  }

  // Runs attempt(locked) until it returns something else than kRetry:
  // without the lock a few times, then once under it (where nothing can
  // change, so kRetry means the shared state is corrupt). Taking the lock
  // also recovers from a writer that died.
  template <class Attempt>
  int read(Attempt attempt) const {
    for (int i = 0; i < kOptimisticTries; ++i) {
      int rc = attempt(false);
      if (rc != kRetry) return rc;
      backoff(i);
    }
    Reader guard(*this);
    int rc = attempt(true);
    if (rc == kRetry) corrupt("a lookup found it inconsistent under the lock");
    return rc;
  }
  // Reads the version: false while an update is applied.
  bool version_even(uint64_t* v) const noexcept {
    *v = s_.version.load(std::memory_order_acquire);
    return (*v & 1) == 0;
  }
  bool version_still(uint64_t v) const noexcept {
    platform::seqlock_fence(std::memory_order_acquire);
    return s_.version.load(std::memory_order_relaxed) == v;
  }

  // ---- Updating -------------------------------------------------------------

  // An update: holds the writers' lock for its lifetime (recovering a dead
  // writer's committed update and finishing a pending sweep first) and
  // collects the word stores that commit() logs and applies. Loads see the
  // update's own stores.
  class Update {
   public:
    explicit Update(const Container& c);
    ~Update();
    Update(const Update&) = delete;
    Update& operator=(const Update&) = delete;

    uint64_t load(const std::atomic<uint64_t>& word) const noexcept;
    void store(std::atomic<uint64_t>& word, uint64_t value);
    // A fresh even generation for a block about to be written.
    uint64_t next_gen() noexcept;
    // Logs, commits and applies the stores (visible: bump the version, so
    // that snapshots taken meanwhile look again).
    void commit(bool visible = true);

   private:
    struct Pending {
      std::atomic<uint64_t>* word;
      uint64_t value;
    };
    const Container& c_;
    uint32_t n_ = 0;
    Pending pending_[kLogEntries - 2];
  };

  // The block `ref` names, under the lock: bounds and class checked,
  // generation matching the reference. Throws MPROC_ECORRUPT.
  BlockHeader* block(Ref ref, uint64_t* size = nullptr) const;
  BlockHeader* block_at(uint64_t offset, uint64_t* size = nullptr) const;
  // The slot block behind `ref` and its slot count, under the lock.
  std::atomic<uint64_t>* slots(Ref ref, uint64_t* nslots) const;
  // A new block of at least `bytes` (header included), its generation odd
  // until seal(). Throws MPROC_EFULL when the limit is reached, ETOOBIG
  // when it could never fit, ENOSPC/ENOMEM when pages can not be backed;
  // nothing is changed then.
  uint64_t alloc(Update& u, uint64_t bytes, BlockHeader** out) const;
  // Stamps the block final and returns the reference to store.
  Ref seal(Update& u, uint64_t offset) const;
  // An entry or element block with `key` and `value` (either may be
  // empty), sealed.
  Ref new_entry(Update& u, const void* key, size_t klen, uint32_t hash32, const void* value,
                size_t vlen) const;
  // A slot block of at least `min_slots` zeroed slots (*nslots: how many),
  // not sealed (fill, then seal).
  uint64_t new_slots(Update& u, uint64_t min_slots, BlockHeader** out, uint64_t* nslots) const;
  // How many slots a slot block of at least `nslots` really has.
  static uint64_t slot_capacity(uint64_t nslots) noexcept;
  // Frees a block in the update (it goes on its free list when committed).
  void free_block(Update& u, Ref ref) const;
  // Detaches the current root (replaced by `new_root`) so that it and
  // every block its slots name are freed, in steps, by sweep_all (or by
  // the next update, if this one dies first).
  void detach_root(Update& u, Ref new_root) const;
  // Frees what detach_root left, in steps of their own (each an update of
  // its own, committed).
  void sweep_all(Update& u) const;

  [[noreturn]] void corrupt(const std::string& what) const;
  const char* what() const noexcept { return what_; }

  // The subclass's part of check(), under the lock: the root's `n` slots
  // (every block they name already found live and unique) agree with the
  // counts it keeps. No root (an empty container): NULL and 0.
  virtual void check_root(const BlockHeader* root, const std::atomic<uint64_t>* slots,
                          uint64_t n) const = 0;

  ContainerState& s_;

 private:
  static constexpr int kOptimisticTries = 32;
  static void backoff(int attempt) noexcept;

  // Holds the lock for a reader's last attempt.
  class Reader {
   public:
    explicit Reader(const Container& c);
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

   private:
    const Container& c_;
  };

  // Takes the lock (recovering a dead holder's committed update).
  void lock() const;
  void unlock() const noexcept;
  // Applies the committed log, if any (under the lock).
  void recover() const;
  void apply_log(uint64_t n) const;
  // Frees part of a detached root (under the lock, in its own update).
  void sweep_step(Update& u) const;
  // Makes sure [.., end) of the heap is backed in this process: false if
  // `end` is beyond the heap. Throws ENOSPC/ENOMEM.
  bool backed_to(uint64_t end) const;
  bool extend_backing(uint64_t end, bool writer) const;
  unsigned char* at(uint64_t offset) const noexcept { return base_ + offset; }
  uint64_t offset_of(const void* p) const noexcept {
    return static_cast<uint64_t>(static_cast<const unsigned char*>(p) - base_);
  }
  // Whether a block of class size `size` at `offset` lies in the carved heap.
  bool plausible(uint64_t offset, uint64_t size) const noexcept {
    return offset >= heap_begin_ && offset <= heap_end_ && offset % 16 == 0 &&
           size <= heap_end_ - offset;
  }

  const char* what_;
  unsigned char* base_;
  // Read once from shared memory and checked.
  uint64_t heap_begin_;
  uint64_t heap_end_;
  // How far this process has made sure the heap is backed by pages: it
  // reads and writes nothing beyond, whatever a peer wrote.
  mutable std::atomic<uint64_t> backed_;
};

}  // namespace mproc::core
