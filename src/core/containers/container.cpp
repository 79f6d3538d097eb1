#include "core/containers/container.hpp"

#include <algorithm>
#include <cstring>

#include "core/fault.hpp"
#include "platform/sysinfo.hpp"
#include "platform/threads.hpp"
#include "platform/wait.hpp"

namespace mproc::core {
namespace {

// The heap backed at creation, and the first step of growth after it.
constexpr uint64_t kFirstBacking = 64 * 1024;
// Frees done by one step of a sweep: each logs three stores at most.
constexpr uint64_t kSweepBatch = 32;

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

void step(ContainerStep s) noexcept { fault_step(FaultSite::kContainerStep, s); }

}  // namespace

// ---- Creation -----------------------------------------------------------------

std::shared_ptr<SharedRegion> Container::create_region(ObjectKind kind,
                                                       const ContainerOptions& options) {
  uint64_t page = platform::page_size();
  uint64_t heap_begin = round_up(kStateOffset + sizeof(ContainerState), page);
  if (options.limit < kMinContainerLimit || options.limit > kMaxContainerBytes - heap_begin)
    fail(MPROC_EINVAL, std::string(object_kind_name(kind)) + ": the limit must be between " +
                           std::to_string(kMinContainerLimit) + " and " +
                           std::to_string(kMaxContainerBytes - heap_begin) + " bytes, not " +
                           std::to_string(options.limit));
  uint64_t heap_end = heap_begin + round_up(options.limit, 16);
  uint64_t mapping = round_up(heap_end, page);
  uint64_t first = std::min(mapping, heap_begin + kFirstBacking);
  auto region = SharedRegion::create(kind, mapping, options.shared, first);
  auto& s = region->state<ContainerState>();
  s.layout = kContainerLayout;
  s.heap_begin = heap_begin;
  s.heap_end = heap_end;
  // Not secret, only different per dict (see hash.hpp): the creation time
  // and where the state landed, mixed.
  uint64_t seed = static_cast<uint64_t>(platform::monotonic_ns()) ^
                  (reinterpret_cast<uintptr_t>(&s) << 16) ^
                  static_cast<uint64_t>(platform::current_pid()) * 0x9e3779b97f4a7c15ull;
  seed ^= seed >> 29;
  s.hash_seed = seed * 0xbf58476d1ce4e5b9ull;
  owned_lock_init(s.lock);
  s.root.store(kEmptyRef, std::memory_order_relaxed);
  s.backed.store(first, std::memory_order_relaxed);
  s.top.store(heap_begin, std::memory_order_relaxed);
  s.clock.store(1, std::memory_order_relaxed);
  return region;
}

Container::Container(std::shared_ptr<SharedRegion> region, const char* what)
    : SharedObject(std::move(region)), s_(state<ContainerState>()), what_(what) {
  base_ = static_cast<unsigned char*>(this->region()->base());
  heap_begin_ = s_.heap_begin;
  heap_end_ = s_.heap_end;
  uint64_t region_size = this->region()->size();
  if (s_.layout != kContainerLayout || heap_begin_ < kStateOffset + sizeof(ContainerState) ||
      heap_begin_ % 16 != 0 || heap_end_ % 16 != 0 || heap_end_ > region_size ||
      heap_end_ > kMaxContainerBytes || heap_end_ < heap_begin_ + kMinContainerLimit)
    fail(MPROC_ECORRUPT, std::string(what) + ": its recorded layout does not fit its memory");
  backed_.store(heap_begin_, std::memory_order_relaxed);
  this->region()->keep_while_held(&s_.lock.word);
}

void Container::corrupt(const std::string& what) const {
  fail(MPROC_ECORRUPT, std::string(what_) + ": its shared state is corrupt (" + what +
                           "; written by a misbehaving process?)");
}

// ---- Backing ----------------------------------------------------------------------

bool Container::backed_to(uint64_t end) const {
  return end <= backed_.load(std::memory_order_acquire) || extend_backing(end, false);
}

bool Container::extend_backing(uint64_t end, bool writer) const {
  if (end > heap_end_) return false;
  uint64_t have = backed_.load(std::memory_order_acquire);
  if (end <= have) return true;
  uint64_t page = platform::page_size();
  uint64_t limit = round_up(heap_end_, page);
  // A writer grows geometrically, so that a filling heap costs few system
  // calls; a reader backs what the writers say they backed (a hint: if a
  // peer lied, this backs more of the heap, never beyond it).
  uint64_t target = writer ? std::max({end, have + (have - heap_begin_), heap_begin_ + kFirstBacking})
                           : std::max(end, s_.backed.load(std::memory_order_relaxed));
  target = std::min(round_up(target, page), limit);
  std::string message;
  int rc = region()->reserve(have, target - have, &message);
  if (rc != 0 && round_up(end, page) < target) {
    target = round_up(end, page);
    rc = region()->reserve(have, target - have, &message);
  }
  if (rc != 0) fail(rc, std::string(what_) + ": " + message + "; nothing was changed");
  while (have < target &&
         !backed_.compare_exchange_weak(have, target, std::memory_order_acq_rel)) {
  }
  if (writer && s_.backed.load(std::memory_order_relaxed) < target)
    s_.backed.store(target, std::memory_order_relaxed);
  return true;
}

// ---- Reading ----------------------------------------------------------------------

bool Container::view(Ref ref, View* out) const {
  if (!ref_is_block(ref)) return false;
  uint64_t off = ref_offset(ref);
  if (!plausible(off, kBlockHeader) || !backed_to(off + kBlockHeader)) return false;
  auto* h = reinterpret_cast<const BlockHeader*>(at(off));
  uint64_t gen = h->gen.load(std::memory_order_acquire);
  if ((gen & 1) != 0 || static_cast<uint32_t>(gen) != ref_tag(ref)) return false;
  uint32_t c = h->klass.load(std::memory_order_relaxed);
  if (c >= kClasses) return false;
  uint64_t size = class_size(c);
  if (!plausible(off, size) || !backed_to(off + size)) return false;
  *out = {h, gen, size};
  return true;
}

bool Container::view_slots(Ref ref, View* out, uint64_t* nslots) const {
  if (!view(ref, out)) return false;
  *nslots = out->header->value_len.load(std::memory_order_relaxed);
  return *nslots > 0 && *nslots <= (out->size - kBlockHeader) / 8;
}

void Container::backoff(int attempt) noexcept {
  if (attempt < 8) {
    for (int k = 0; k < (4 << attempt); ++k) platform::cpu_relax();
  } else {
    platform::yield_thread();
  }
}

Container::Reader::Reader(const Container& c) : c_(c) { c_.lock(); }
Container::Reader::~Reader() { c_.unlock(); }

// ---- The lock and recovery ----------------------------------------------------------

void Container::lock() const {
  int rc = owned_lock_acquire(s_.lock, platform::Deadline::never());
  if (rc == MPROC_ESTATE)
    fail(MPROC_ESTATE, std::string(what_) + ": the calling thread is inside an update of it");
  if (rc != 0 && rc != MPROC_EOWNERDEAD) fail(rc, std::string(what_) + ": cannot take its lock");
  // Owner dead or not: a committed log still there is an update whose
  // writer died before finishing it (the lock says so, but a plain
  // acquire by some other program may have swallowed the news).
  if (s_.log.committed.load(std::memory_order_acquire) != 0) {
    try {
      recover();
    } catch (...) {
      unlock();
      throw;
    }
  }
}

void Container::unlock() const noexcept { owned_lock_release(s_.lock); }

void Container::recover() const {
  uint64_t n = s_.log.committed.load(std::memory_order_acquire);
  if (n > kLogEntries) corrupt("its redo log claims " + std::to_string(n) + " entries");
  apply_log(n);
  s_.log.committed.store(0, std::memory_order_release);
}

void Container::apply_log(uint64_t n) const {
  for (uint64_t i = 0; i < n; ++i) {
    if (i == n / 2 && n >= 2) step(ContainerStep::kHalfApplied);
    uint64_t off = s_.log.entries[i].offset.load(std::memory_order_relaxed);
    uint64_t value = s_.log.entries[i].value.load(std::memory_order_relaxed);
    if (off % 8 != 0 || off < kStateOffset || off > heap_end_ - 8)
      corrupt("its redo log names a word outside it");
    reinterpret_cast<std::atomic<uint64_t>*>(at(off))->store(value, std::memory_order_release);
  }
}

// ---- Updates -------------------------------------------------------------------------

Container::Update::Update(const Container& c) : c_(c) {
  c_.lock();
  step(ContainerStep::kLocked);
  try {
    c_.sweep_all(*this);
  } catch (...) {
    c_.unlock();
    throw;
  }
}

Container::Update::~Update() { c_.unlock(); }

uint64_t Container::Update::load(const std::atomic<uint64_t>& word) const noexcept {
  for (uint32_t i = n_; i-- > 0;)
    if (pending_[i].word == &word) return pending_[i].value;
  return word.load(std::memory_order_relaxed);
}

void Container::Update::store(std::atomic<uint64_t>& word, uint64_t value) {
  for (uint32_t i = 0; i < n_; ++i) {
    if (pending_[i].word == &word) {
      pending_[i].value = value;
      return;
    }
  }
  if (n_ == sizeof pending_ / sizeof pending_[0])
    fail(MPROC_EINTERNAL, std::string(c_.what_) + ": an update outgrew the redo log");
  pending_[n_++] = {&word, value};
}

uint64_t Container::Update::next_gen() noexcept {
  uint64_t clock = c_.s_.clock.load(std::memory_order_relaxed) + 1;
  c_.s_.clock.store(clock, std::memory_order_relaxed);
  return clock * 2;
}

void Container::Update::commit(bool visible) {
  if (n_ == 0) return;
  RedoLog& log = c_.s_.log;
  uint32_t n = 0;
  auto put = [&](const void* word, uint64_t value) {
    log.entries[n].offset.store(c_.offset_of(word), std::memory_order_relaxed);
    log.entries[n].value.store(value, std::memory_order_relaxed);
    ++n;
  };
  uint64_t odd = c_.s_.version.load(std::memory_order_relaxed) | 1;
  if (visible) put(&c_.s_.version, odd);
  for (uint32_t i = 0; i < n_; ++i) put(pending_[i].word, pending_[i].value);
  if (visible) put(&c_.s_.version, odd + 1);
  step(ContainerStep::kLogged);
  log.committed.store(n, std::memory_order_release);  // the commit
  step(ContainerStep::kCommitted);
  c_.apply_log(n);
  step(ContainerStep::kApplied);
  log.committed.store(0, std::memory_order_release);
  step(ContainerStep::kCleared);
  n_ = 0;
}

// ---- Blocks under the lock -------------------------------------------------------------

BlockHeader* Container::block_at(uint64_t offset, uint64_t* size) const {
  uint64_t top = s_.top.load(std::memory_order_relaxed);
  if (!plausible(offset, kBlockHeader) || offset >= top || top > heap_end_)
    corrupt("a block reference points outside its heap");
  auto* h = reinterpret_cast<BlockHeader*>(at(offset));
  uint32_t c = h->klass.load(std::memory_order_relaxed);
  if (c >= kClasses || class_size(c) > top - offset)
    corrupt("a block's size class is out of range");
  if (!backed_to(offset + class_size(c))) corrupt("a block lies beyond its heap");
  if (size != nullptr) *size = class_size(c);
  return h;
}

BlockHeader* Container::block(Ref ref, uint64_t* size) const {
  if (!ref_is_block(ref)) corrupt("a slot holds no block reference");
  BlockHeader* h = block_at(ref_offset(ref), size);
  uint64_t gen = h->gen.load(std::memory_order_relaxed);
  if ((gen & 1) != 0 || static_cast<uint32_t>(gen) != ref_tag(ref))
    corrupt("a slot names a block that was freed or rewritten");
  return h;
}

std::atomic<uint64_t>* Container::slots(Ref ref, uint64_t* nslots) const {
  uint64_t size = 0;
  BlockHeader* h = block(ref, &size);
  *nslots = h->value_len.load(std::memory_order_relaxed);
  if (*nslots == 0 || *nslots > (size - kBlockHeader) / 8)
    corrupt("a table's slot count does not fit its block");
  return reinterpret_cast<std::atomic<uint64_t>*>(at(ref_offset(ref) + kBlockHeader));
}

uint64_t Container::alloc(Update& u, uint64_t bytes, BlockHeader** out) const {
  if (bytes > limit())
    fail(MPROC_ETOOBIG, std::string(what_) + ": an entry of " + std::to_string(bytes) +
                            " bytes (with its header) is over the limit of " +
                            std::to_string(limit()) + " bytes set at its creation");
  uint32_t c = class_for(bytes);
  auto pop = [&](uint32_t k) {
    uint64_t off = u.load(s_.free_heads[k]);
    BlockHeader* h = block_at(off);
    if (h->klass.load(std::memory_order_relaxed) != k) corrupt("a free list holds a block of another size");
    uint64_t next = h->next.load(std::memory_order_relaxed);
    if (next != 0 && !plausible(next, kBlockHeader)) corrupt("a free list leads outside its heap");
    u.store(s_.free_heads[k], next);
    return off;
  };
  uint64_t off = 0;
  if (u.load(s_.free_heads[c]) != 0) {
    off = pop(c);
  } else {
    uint64_t top = u.load(s_.top);
    uint64_t size = class_size(c);
    if (top >= heap_begin_ && top <= heap_end_ && size <= heap_end_ - top) {
      if (top + size > backed_.load(std::memory_order_acquire)) extend_backing(top + size, true);
      reinterpret_cast<BlockHeader*>(at(top))->klass.store(c, std::memory_order_relaxed);
      u.store(s_.top, top + size);
      off = top;
    } else {
      // The heap is carved to its end: a free block of a larger size will do.
      for (uint32_t k = c + 1; k < kClasses && off == 0; ++k)
        if (u.load(s_.free_heads[k]) != 0) off = pop(k);
      if (off == 0)
        fail(MPROC_EFULL, std::string(what_) + " is full: " + std::to_string(bytes) +
                              " more bytes do not fit in its limit of " +
                              std::to_string(limit()) + " bytes (" +
                              std::to_string(u.load(s_.used)) +
                              " in use; space freed by entries of other sizes is reused only "
                              "by entries of about their size)");
    }
  }
  BlockHeader* h = reinterpret_cast<BlockHeader*>(at(off));
  // Odd from now on: a reader still holding an old reference to this block
  // sees that it changed.
  h->gen.store(u.next_gen() - 1, std::memory_order_relaxed);
  platform::seqlock_fence(std::memory_order_release);
  u.store(s_.used, u.load(s_.used) + class_size(h->klass.load(std::memory_order_relaxed)));
  *out = h;
  return off;
}

Ref Container::seal(Update& u, uint64_t offset) const {
  uint64_t gen = u.next_gen();
  reinterpret_cast<BlockHeader*>(at(offset))->gen.store(gen, std::memory_order_release);
  return make_ref(offset, gen);
}

Ref Container::new_entry(Update& u, const void* key, size_t klen, uint32_t hash32,
                         const void* value, size_t vlen) const {
  if (klen > UINT32_MAX || vlen > UINT32_MAX || klen + vlen > limit())
    fail(MPROC_ETOOBIG, std::string(what_) + ": an entry of " + std::to_string(klen + vlen) +
                            " bytes is over the limit of " + std::to_string(limit()) +
                            " bytes set at its creation (or 4 GiB for a key or a value)");
  BlockHeader* h = nullptr;
  uint64_t off = alloc(u, kBlockHeader + klen + vlen, &h);
  h->aux.store(0, std::memory_order_relaxed);
  h->key_len.store(static_cast<uint32_t>(klen), std::memory_order_relaxed);
  h->value_len.store(static_cast<uint32_t>(vlen), std::memory_order_relaxed);
  h->hash32.store(hash32, std::memory_order_relaxed);
  unsigned char* p = at(off) + kBlockHeader;
  if (klen > 0) std::memcpy(p, key, klen);
  size_t half = vlen / 2;
  if (half > 0) std::memcpy(p + klen, value, half);
  step(ContainerStep::kHalfCopied);
  if (vlen > half) std::memcpy(p + klen + half, static_cast<const unsigned char*>(value) + half,
                               vlen - half);
  return seal(u, off);
}

uint64_t Container::slot_capacity(uint64_t nslots) noexcept {
  uint64_t n = (class_size(class_for(kBlockHeader + 8 * nslots)) - kBlockHeader) / 8;
  return std::min<uint64_t>(n, UINT32_MAX);
}

uint64_t Container::new_slots(Update& u, uint64_t min_slots, BlockHeader** out,
                              uint64_t* nslots) const {
  if (min_slots > UINT32_MAX / 2 || kBlockHeader + 8 * min_slots > limit())
    fail(MPROC_EFULL, std::string(what_) + " is full: a table of " + std::to_string(min_slots) +
                          " slots does not fit in its limit of " + std::to_string(limit()) +
                          " bytes");
  BlockHeader* h = nullptr;
  uint64_t off = alloc(u, kBlockHeader + 8 * min_slots, &h);
  uint64_t size = class_size(h->klass.load(std::memory_order_relaxed));
  uint64_t n = std::min<uint64_t>((size - kBlockHeader) / 8, UINT32_MAX);
  h->aux.store(0, std::memory_order_relaxed);
  h->key_len.store(0, std::memory_order_relaxed);
  h->value_len.store(static_cast<uint32_t>(n), std::memory_order_relaxed);
  h->hash32.store(0, std::memory_order_relaxed);
  auto* slot = reinterpret_cast<std::atomic<uint64_t>*>(at(off) + kBlockHeader);
  for (uint64_t i = 0; i < n; ++i) slot[i].store(kEmptyRef, std::memory_order_relaxed);
  *out = h;
  *nslots = n;
  return off;
}

void Container::free_block(Update& u, Ref ref) const {
  uint64_t size = 0;
  BlockHeader* h = block(ref, &size);
  uint32_t c = h->klass.load(std::memory_order_relaxed);
  uint64_t off = ref_offset(ref);
  u.store(h->gen, u.next_gen() - 1);
  u.store(h->next, u.load(s_.free_heads[c]));
  u.store(s_.free_heads[c], off);
  uint64_t used = u.load(s_.used);
  u.store(s_.used, used >= size ? used - size : 0);
}

void Container::detach_root(Update& u, Ref new_root) const {
  u.store(s_.sweep, u.load(s_.root));
  u.store(s_.sweep_pos, 0);
  u.store(s_.root, new_root);
}

void Container::sweep_all(Update& u) const {
  while (s_.sweep.load(std::memory_order_relaxed) != 0) {
    sweep_step(u);
    if (s_.sweep.load(std::memory_order_relaxed) != 0) step(ContainerStep::kSwept);
  }
}

void Container::sweep_step(Update& u) const {
  Ref old = s_.sweep.load(std::memory_order_relaxed);
  uint64_t n = 0;
  std::atomic<uint64_t>* slot = slots(old, &n);
  uint64_t pos = s_.sweep_pos.load(std::memory_order_relaxed);
  uint64_t freed = 0;
  for (; pos < n && freed < kSweepBatch; ++pos) {
    Ref r = slot[pos].load(std::memory_order_relaxed);
    if (!ref_is_block(r)) continue;
    free_block(u, r);
    ++freed;
  }
  if (pos >= n) {
    free_block(u, old);
    u.store(s_.sweep, 0);
    u.store(s_.sweep_pos, 0);
  } else {
    u.store(s_.sweep_pos, pos);
  }
  // Nobody reads a detached table's blocks: no snapshot need look again.
  u.commit(false);
}

}  // namespace mproc::core
