// Container::check: the whole structure walked under the lock. Every block
// carved from the heap must be either live (named once, by the root or a
// slot of it, or by a table being swept) or free (on its class's list
// once): a block that is neither was lost, one that is both would be handed
// out while in use.
#include <algorithm>
#include <vector>

#include "core/containers/container.hpp"

namespace mproc::core {

void Container::check() const {
  Reader guard(*this);
  uint64_t top = s_.top.load(std::memory_order_relaxed);
  if (top < heap_begin_ || top > heap_end_ || top % 16 != 0) corrupt("its heap top is out of range");

  // The heap, block by block.
  std::vector<uint64_t> blocks;
  for (uint64_t off = heap_begin_; off < top;) {
    uint64_t size = 0;
    block_at(off, &size);
    blocks.push_back(off);
    off += size;
  }
  enum : unsigned char { kUnseen, kFree, kLive };
  std::vector<unsigned char> mark(blocks.size(), kUnseen);
  auto index_of = [&](uint64_t off) {
    auto it = std::lower_bound(blocks.begin(), blocks.end(), off);
    if (it == blocks.end() || *it != off) corrupt("a reference does not point at a block");
    return static_cast<size_t>(it - blocks.begin());
  };

  for (uint32_t c = 0; c < kClasses; ++c) {
    uint64_t steps = 0;
    for (uint64_t off = s_.free_heads[c].load(std::memory_order_relaxed); off != 0;) {
      size_t i = index_of(off);
      if (mark[i] != kUnseen || ++steps > blocks.size()) corrupt("a free list holds a block twice");
      mark[i] = kFree;
      const BlockHeader* h = block_at(off);
      // Its generation may be even: a writer that died before its commit
      // may have written and sealed it (nothing points at it).
      if (h->klass.load(std::memory_order_relaxed) != c)
        corrupt("a free list holds a block of another size");
      off = h->next.load(std::memory_order_relaxed);
    }
  }

  uint64_t used = 0;
  auto live = [&](Ref r) {
    uint64_t size = 0;
    block(r, &size);
    size_t i = index_of(ref_offset(r));
    if (mark[i] != kUnseen)
      corrupt(mark[i] == kFree ? "a block in use is on a free list" : "a block is named twice");
    mark[i] = kLive;
    used += size;
  };
  auto live_slots = [&](Ref r, uint64_t from) {
    live(r);
    uint64_t n = 0;
    std::atomic<uint64_t>* slot = slots(r, &n);
    for (uint64_t i = from; i < n; ++i) {
      Ref e = slot[i].load(std::memory_order_relaxed);
      if (ref_is_block(e)) live(e);
    }
    return std::make_pair(slot, n);
  };
  Ref root = s_.root.load(std::memory_order_relaxed);
  if (root == kEmptyRef) {
    check_root(nullptr, nullptr, 0);
  } else {
    auto [slot, n] = live_slots(root, 0);
    check_root(block(root), slot, n);
  }
  Ref sweep = s_.sweep.load(std::memory_order_relaxed);
  if (sweep != 0) live_slots(sweep, s_.sweep_pos.load(std::memory_order_relaxed));

  for (unsigned char m : mark)
    if (m == kUnseen) corrupt("a block is neither in use nor free (it was lost)");
  if (used != s_.used.load(std::memory_order_relaxed))
    corrupt("its count of bytes in use is " + std::to_string(s_.used.load()) + ", not " +
            std::to_string(used));
}

}  // namespace mproc::core
