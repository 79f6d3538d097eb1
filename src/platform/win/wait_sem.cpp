// Waiting on a word in shared memory across processes, on Windows.
//
// WaitOnAddress only sees threads of its own process, so the cell beside
// the word names a kernel semaphore ("Local\mproc-wc-<id>", owner-only
// DACL) and counts who sleeps on it, the shape of the POSIX backend
// (posix/wait_sem.cpp): a sleeper counts itself, looks at the word once
// more, and waits on the semaphore; a waker posts at most as many tokens as
// there are sleepers. A token nobody takes (its sleeper left on a timeout)
// is a spurious wake-up for a later sleeper, which looks at its word and
// sleeps again. A process killed anywhere in here leaves at worst such a
// token or a sleeper count too high (more posts than needed): never a hang.
//
// Each process keeps the semaphores it used open in a small cache, so a
// busy lock costs no CreateSemaphore per wait. A semaphore exists while
// any process holds it open; a waker always opens it before posting and a
// sleeper holds it open from before it counts itself until after it
// leaves, so a post never lands in an object no sleeper can see. Handles
// are closed when the cache passes kCacheSize entries (the least recently
// used that no thread is waiting on go first) and at process exit. A cell
// freed with its memory leaves at most that cached handle behind.
#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <unordered_map>

#include "platform/wait.hpp"
#include "security.hpp"

namespace mproc::platform {
namespace {

constexpr uint32_t kCellMagic = 0x4d455357;  // "WSEM"
constexpr size_t kCacheSize = 64;

struct Entry {
  HANDLE sem;
  unsigned pins;      // threads of this process using the handle now
  uint64_t last_use;  // for eviction
};

class SemCache {
 public:
  // The semaphore of cell `id`, opened or created, held open until
  // unpin(); nullptr if the system refuses (the caller then polls).
  HANDLE pin(uint64_t id) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) {
      HANDLE sem = open(id);
      if (sem == nullptr) return nullptr;
      evict();
      it = entries_.emplace(id, Entry{sem, 0, 0}).first;
    }
    ++it->second.pins;
    it->second.last_use = ++clock_;
    return it->second.sem;
  }

  void unpin(uint64_t id) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.pins > 0) --it->second.pins;
  }

 private:
  static HANDLE open(uint64_t id) {
    char name[40];
    snprintf(name, sizeof name, "mproc-wc-%016llx", static_cast<unsigned long long>(id));
    std::wstring wide = local_object_name(name);
    SECURITY_ATTRIBUTES* sa = nullptr;
    try {
      sa = owner_only_attributes();
    } catch (...) {
      return nullptr;
    }
    // Opens the semaphore when another process made it first (its DACL
    // then stands; ours is ignored).
    return CreateSemaphoreExW(sa, 0, LONG_MAX, wide.c_str(), 0,
                              SEMAPHORE_MODIFY_STATE | SYNCHRONIZE);
  }

  void evict() {
    while (entries_.size() >= kCacheSize) {
      auto oldest = entries_.end();
      for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->second.pins == 0 &&
            (oldest == entries_.end() || it->second.last_use < oldest->second.last_use))
          oldest = it;
      if (oldest == entries_.end()) return;  // every one in use: grow
      CloseHandle(oldest->second.sem);
      entries_.erase(oldest);
    }
  }

  std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  uint64_t clock_ = 0;
};

SemCache& cache() {
  // Never destroyed: threads may still wait while the process exits.
  static SemCache* c = new SemCache;
  return *c;
}

class Pin {
 public:
  explicit Pin(uint64_t id) : id_(id), sem_(cache().pin(id)) {}
  ~Pin() {
    if (sem_ != nullptr) cache().unpin(id_);
  }
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;
  HANDLE get() const { return sem_; }

 private:
  uint64_t id_;
  HANDLE sem_;
};

// A cell overwritten by a misbehaving peer is left alone: waits poll,
// wakes do nothing, and the caller's own checks report the corruption.
bool intact(const WaitCell& cell) { return cell.magic == kCellMagic; }

void poll_pause(const Deadline& deadline) {
  int64_t ns = deadline.forever() ? 1000000 : std::min<int64_t>(deadline.remaining_ns(), 1000000);
  Sleep(static_cast<DWORD>((ns + 999999) / 1000000));
}

// Milliseconds for WaitForSingleObject, rounded up; INFINITE for ever.
DWORD wait_ms(const Deadline& deadline) {
  if (deadline.forever()) return INFINITE;
  int64_t ms = (deadline.remaining_ns() + 999999) / 1000000;
  return ms >= static_cast<int64_t>(INFINITE) ? INFINITE - 1 : static_cast<DWORD>(ms);
}

}  // namespace

void wait_cell_init(WaitCell& cell) {
  uint64_t id = 0;
  random_bytes(&id, sizeof id);
  cell.id = id;
  cell.sleepers.store(0, std::memory_order_relaxed);
  cell.magic = kCellMagic;
}

bool wait_on(WaitCell& cell, std::atomic<uint32_t>& word, uint32_t expected,
             const Deadline& deadline) {
  if (!intact(cell)) {
    poll_pause(deadline);
    return !deadline.expired();
  }
  Pin pin(cell.id);
  if (pin.get() == nullptr) {  // the system refused a semaphore: poll
    poll_pause(deadline);
    return !deadline.expired();
  }
  // Counted before the last look at the word: a waker that changes it
  // afterwards sees the count and posts.
  cell.sleepers.fetch_add(1, std::memory_order_seq_cst);
  bool in_time = true;
  if (word.load(std::memory_order_seq_cst) == expected) {
    DWORD rc = WaitForSingleObject(pin.get(), wait_ms(deadline));
    // The system's timer may end a wait a little early: that is a
    // spurious wake-up, not a timeout, until the deadline has passed.
    if (rc == WAIT_TIMEOUT) in_time = !deadline.expired();
  }
  cell.sleepers.fetch_sub(1, std::memory_order_relaxed);
  return in_time;
}

void wake(WaitCell& cell, std::atomic<uint32_t>&, int count) {
  if (!intact(cell)) return;
  uint32_t sleeping = cell.sleepers.load(std::memory_order_seq_cst);
  uint32_t n = count < 0 ? 0 : static_cast<uint32_t>(count);
  if (n > sleeping) n = sleeping;
  if (n == 0) return;
  Pin pin(cell.id);
  if (pin.get() != nullptr) ReleaseSemaphore(pin.get(), static_cast<LONG>(n), nullptr);
}

}  // namespace mproc::platform
