#include "core/handle_arena.hpp"

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "platform/fork_registry.hpp"

namespace mproc::core {

// A singly linked list of slots through their headers.
struct SlotPool::List {
  HandleHeader* head = nullptr;
  HandleHeader* tail = nullptr;
  size_t size = 0;

  void push_back(HandleHeader* s) noexcept {
    s->next_ = nullptr;
    if (tail != nullptr) tail->next_ = s;
    else head = s;
    tail = s;
    ++size;
  }
  HandleHeader* pop_front() noexcept {
    HandleHeader* s = head;
    head = s->next_;
    if (head == nullptr) tail = nullptr;
    s->next_ = nullptr;
    --size;
    return s;
  }
  // Moves all of `other` to the back of this list.
  void splice(List& other) noexcept {
    if (other.size == 0) return;
    if (tail != nullptr) tail->next_ = other.head;
    else head = other.head;
    tail = other.tail;
    size += other.size;
    other = List{};
  }
};

// What the threads share. A plain mutex, not a ForkSafeMutex: slots are
// taken while a connection holds its own ForkSafeMutex, and two of those
// held at once could deadlock a fork. A fork child instead leaves this
// behind (another thread may have held the mutex, or been half-way through
// a list) and starts a new one, forgetting the dead and ready slots it
// held: see SlotPool::shared().
struct SlotPool::Shared {
  Shared(uint64_t generation, Shared* previous) : generation(generation), previous(previous) {}
  const uint64_t generation;  // platform::fork_generation() when made
  Shared* const previous;     // the parent's, left behind but kept reachable
  std::mutex mu;
  List ready;       // reusable: fresh, or served their time in quarantine
  List quarantine;  // dead, oldest first
};

namespace {

constexpr size_t kMaxPools = 32;  // more than the C API has handle types

// Every chunk of slots ever made, linked through a word at its start: they
// are never freed, and this keeps each reachable (for leak checkers too)
// whatever list its slots are in -- or lost in, after a fork.
struct Chunk {
  Chunk* next;
};
std::atomic<Chunk*> g_chunks{nullptr};

void remember(Chunk* chunk) noexcept {
  chunk->next = g_chunks.load(std::memory_order_relaxed);
  while (!g_chunks.compare_exchange_weak(chunk->next, chunk, std::memory_order_release)) {
  }
}

// Every pool, by id, so that a thread's cache can hand its slots back.
std::atomic<SlotPool*> g_pools[kMaxPools];
std::atomic<size_t> g_pool_count{0};

}  // namespace

// A thread's cache: per pool, slots ready to hand out and slots freed by
// this thread not yet in the pool's quarantine. Trivially destructible, so
// that reaching it costs one TLS lookup; ThreadSlotsOwner hands its slots
// back when the thread ends. Only the forking thread's survives fork; what
// other threads held is forgotten in the child (at most 2 * kBatch slots
// per pool and thread).
struct ThreadSlots {
  enum State : unsigned char { kNew, kRegistered, kGone };
  SlotPool::List ready[kMaxPools];
  SlotPool::List dead[kMaxPools];
  // kGone once the thread's destructors handed the slots back: a handle
  // freed later (by another thread_local's destructor) goes to the pool.
  State state = kNew;
};

struct ThreadSlotsOwner {
  ~ThreadSlotsOwner();
};

namespace {

thread_local ThreadSlots t_slots;
thread_local ThreadSlotsOwner t_slots_owner;

// The thread's cache, or nullptr once the thread is ending. The first call
// in a thread arranges for its slots to be handed back at its end.
ThreadSlots* thread_slots() noexcept {
  ThreadSlots* mine = &t_slots;
  if (mine->state == ThreadSlots::kRegistered) return mine;
  if (mine->state == ThreadSlots::kGone) return nullptr;
  (void)&t_slots_owner;  // made (and its destructor registered) on first use
  mine->state = ThreadSlots::kRegistered;
  return mine;
}

}  // namespace

ThreadSlotsOwner::~ThreadSlotsOwner() {
  ThreadSlots& mine = t_slots;
  size_t n = g_pool_count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n && i < kMaxPools; ++i) {
    SlotPool* pool = g_pools[i].load(std::memory_order_acquire);
    if (pool != nullptr) pool->hand_back(mine.ready[i], mine.dead[i]);
  }
  mine.state = ThreadSlots::kGone;
}

SlotPool::SlotPool(size_t slot_size, Construct construct)
    : id_(g_pool_count.fetch_add(1)),
      stride_((slot_size + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
              alignof(std::max_align_t)),
      construct_(construct),
      shared_(new Shared(platform::fork_generation(), nullptr)) {
  // Pools are made once per handle type and never destroyed.
  if (id_ >= kMaxPools) throw std::logic_error("too many handle types for the slot pools");
  g_pools[id_].store(this, std::memory_order_release);
}

HandleHeader* SlotPool::take() {
  ThreadSlots* mine = thread_slots();
  if (mine == nullptr) {
    List one;
    refill(one);
    HandleHeader* s = one.pop_front();
    if (one.size > 0) {
      Shared& shared = this->shared();
      std::lock_guard<std::mutex> lock(shared.mu);
      shared.ready.splice(one);
    }
    return s;
  }
  List& ready = mine->ready[id_];
  if (ready.size == 0) refill(ready);
  return ready.pop_front();
}

void SlotPool::give(HandleHeader* slot) noexcept {
  ThreadSlots* mine = thread_slots();
  if (mine == nullptr) {
    List one;
    one.push_back(slot);
    quarantine(one);
    return;
  }
  List& dead = mine->dead[id_];
  dead.push_back(slot);
  if (dead.size >= kBatch) quarantine(dead);
}

// Fills `into` up to kBatch: reusable slots first, then the oldest of the
// quarantine beyond its minimum, then new ones.
void SlotPool::refill(List& into) {
  Shared& shared = this->shared();
  std::lock_guard<std::mutex> lock(shared.mu);
  while (into.size < kBatch && shared.ready.size > 0) into.push_back(shared.ready.pop_front());
  while (into.size < kBatch && shared.quarantine.size > kQuarantine)
    into.push_back(shared.quarantine.pop_front());
  if (into.size > 0) return;
  // Never freed: a stale handle may point into this chunk for ever. The
  // slots start one max_align_t in, after the chunk's link.
  constexpr size_t kLink = alignof(std::max_align_t);
  static_assert(sizeof(Chunk) <= kLink);
  auto* chunk = static_cast<unsigned char*>(std::malloc(kLink + stride_ * kBatch));
  if (chunk == nullptr) throw std::bad_alloc();
  remember(new (chunk) Chunk{nullptr});
  for (size_t i = 0; i < kBatch; ++i) {
    void* at = chunk + kLink + i * stride_;
    construct_(at);
    auto* header = static_cast<HandleHeader*>(at);
    header->word_.store(HandleHeader::pack(0, HandleHeader::kDead), std::memory_order_relaxed);
    into.push_back(header);
  }
}

void SlotPool::quarantine(List& dead) noexcept {
  Shared& shared = this->shared();
  std::lock_guard<std::mutex> lock(shared.mu);
  shared.quarantine.splice(dead);
}

void SlotPool::hand_back(List& ready, List& dead) noexcept {
  if (ready.size == 0 && dead.size == 0) return;
  Shared& shared = this->shared();
  std::lock_guard<std::mutex> lock(shared.mu);
  shared.ready.splice(ready);
  shared.quarantine.splice(dead);
}

// The shared state of this process: in a fork child, the first call makes
// a new one. The parent's is left as it was (its slots are dead or ready
// ones, which only stale handles refer to; they stay dead here for ever).
SlotPool::Shared& SlotPool::shared() noexcept {
  Shared* current = shared_.load(std::memory_order_acquire);
  const uint64_t generation = platform::fork_generation();
  while (current->generation != generation) {
    auto* fresh = new (std::nothrow) Shared(generation, current);
    if (fresh == nullptr) std::abort();  // a fork child without 100 bytes to spare
    if (shared_.compare_exchange_strong(current, fresh, std::memory_order_acq_rel))
      return *fresh;
    delete fresh;  // another thread of the child made one first
  }
  return *current;
}

}  // namespace mproc::core
