// Owner death decided by the kernel: each thread's robust futex list.
//
// A thread tells the kernel where its list of held locks is (glibc does so
// for every thread it starts, for its robust mutexes). When the thread ends
// for any reason, SIGKILL included, the kernel walks that list and, for
// each lock word still holding the thread's id, sets OWNER_DIED and wakes
// one waiter. Unlike a liveness check of a recorded thread id, this holds
// across pid namespaces (a live owner in a container never looks dead) and
// across id reuse (a dead owner is marked at its death, before its id can
// be handed out again).
//
// mproc's owned locks put themselves on the same list glibc uses, in the
// shape glibc gives its own entries (the list is doubly linked through
// pointers to each entry's `next` field; the lock word sits a fixed
// distance before it), so glibc's robust mutexes and mproc's locks can be
// held by one thread in any order.
//
// The links of a held lock live in shared memory but are private to the
// thread holding it: they hold addresses of that process.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mproc::platform {

// Bits of a lock word, as the kernel reads them.
inline constexpr uint32_t kRobustWaiters = 0x80000000u;    // FUTEX_WAITERS
inline constexpr uint32_t kRobustOwnerDied = 0x40000000u;  // FUTEX_OWNER_DIED
inline constexpr uint32_t kRobustTidMask = 0x3fffffffu;    // FUTEX_TID_MASK

// A list entry. It must stand exactly kRobustWordToLink bytes after its
// lock word (checked where locks are laid out).
struct RobustLink {
  void* prev;
  void* next;
};
inline constexpr std::ptrdiff_t kRobustWordToLink = 24;

// The kernel's struct robust_list_head, preceded by the slot in which the
// list's first entry keeps its back pointer (glibc's `robust_prev`).
struct RobustHead {
  void* list;
  long futex_offset;
  void* list_op_pending;
};

// The calling thread's list head (lazily found; see linux/robust.cpp).
extern __thread RobustHead* t_robust_head __attribute__((tls_model("initial-exec")));
RobustHead* fetch_robust_head() noexcept;
inline RobustHead* robust_head() noexcept {
  RobustHead* h = t_robust_head;
  return h != nullptr ? h : fetch_robust_head();
}

// False where the kernel can not be asked to watch locks (no robust list
// for this thread, or one laid out differently): owner death is then found
// by the portable liveness check instead.
bool robust_supported() noexcept;

// Only the kernel reads the list concurrently, and only when this thread
// dies: ordering against it is ordering against a signal.
inline void robust_fence() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

// Before an operation that may take or give up the lock of `link`: if the
// thread dies in the middle, the kernel looks at this lock too.
inline void robust_op_begin(RobustLink& link) noexcept {
  robust_head()->list_op_pending = &link.next;
  robust_fence();
}
inline void robust_op_end() noexcept {
  robust_fence();
  robust_head()->list_op_pending = nullptr;
}

// Puts a lock the thread has just taken on its list.
inline void robust_enqueue(RobustLink& link) noexcept {
  RobustHead* h = robust_head();
  void* first = h->list;  // may carry glibc's PI tag in bit 0
  void** first_next = reinterpret_cast<void**>(reinterpret_cast<uintptr_t>(first) & ~uintptr_t{1});
  first_next[-1] = &link.next;  // the first entry's prev (or the head's slot)
  link.next = first;
  link.prev = &h->list;
  robust_fence();
  h->list = &link.next;
}

// Whether the lock of `link` is on the calling thread's list (that is,
// held by this thread and not by a namesake thread of another pid
// namespace). Walks only this thread's own entries.
// A lock mapped twice in one process is on the list at the address it was
// taken through, so entries are matched by the 64-bit identity each lock
// keeps kRobustIdToLink bytes before its link.
inline constexpr std::ptrdiff_t kRobustIdToLink = 16;
bool robust_on_my_list(const RobustLink& link) noexcept;

// Whether a lock word names a live thread of this process as its owner
// (such a lock may be on that thread's list).
bool robust_held_in_process(uint32_t word) noexcept;

// A value for a new lock's identity (see robust_on_my_list).
uint64_t robust_new_id() noexcept;

// Takes a lock off the thread's list before it is given up; false (and
// nothing touched) if it is not there.
inline bool robust_dequeue(RobustLink& link) noexcept {
  RobustHead* h = robust_head();
  if (h->list != &link.next && !robust_on_my_list(link)) return false;
  void** next = reinterpret_cast<void**>(reinterpret_cast<uintptr_t>(link.next) & ~uintptr_t{1});
  void** prev = reinterpret_cast<void**>(reinterpret_cast<uintptr_t>(link.prev) & ~uintptr_t{1});
  next[-1] = link.prev;
  *prev = link.next;
  robust_fence();
  link.prev = nullptr;
  link.next = nullptr;
  return true;
}

}  // namespace mproc::platform
