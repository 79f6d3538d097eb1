#include "platform/robust.hpp"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mproc::platform {
namespace {

// Where the kernel finds a lock word from a list entry: the word stands
// before the entry's `next` field, which is what list pointers point at.
constexpr long kFutexOffset = -static_cast<long>(kRobustWordToLink + sizeof(void*));

#if defined(__GLIBC__) && defined(__PTHREAD_MUTEX_HAVE_PREV) && __PTHREAD_MUTEX_HAVE_PREV
// glibc's own entries must have the same shape, or the two kinds of entry
// could not share one list.
static_assert(offsetof(struct __pthread_mutex_s, __list.__next) -
                      offsetof(struct __pthread_mutex_s, __lock) ==
                  kRobustWordToLink + sizeof(void*),
              "glibc's robust mutexes are laid out differently");
#endif

// A head of our own, for a thread whose C library registered none. The
// slot before it takes the back pointer of the list's first entry.
struct OwnHead {
  void* first_prev;
  RobustHead head;
};
__thread OwnHead t_own_head;
// A head nobody registered: locks still work, the kernel just does not
// watch them (robust_supported() says so).
__thread OwnHead t_unwatched_head;
__thread bool t_watched = false;

RobustHead* use(OwnHead& own) noexcept {
  own.head.list = &own.head.list;
  own.head.futex_offset = kFutexOffset;
  own.head.list_op_pending = nullptr;
  return &own.head;
}

}  // namespace

__thread RobustHead* t_robust_head __attribute__((tls_model("initial-exec"))) = nullptr;

RobustHead* fetch_robust_head() noexcept {
  void* head = nullptr;
  size_t len = 0;
  RobustHead* h = nullptr;
  if (syscall(SYS_get_robust_list, 0, &head, &len) == 0 && head != nullptr) {
    // The C library's: usable only if its entries are shaped like ours.
    auto* theirs = static_cast<RobustHead*>(head);
    if (len == sizeof(RobustHead) && theirs->futex_offset == kFutexOffset) {
      h = theirs;
      t_watched = true;
    } else {
      h = use(t_unwatched_head);
    }
  } else {
    h = use(t_own_head);
    t_watched = syscall(SYS_set_robust_list, h, sizeof(RobustHead)) == 0;
  }
  // A forked child keeps this thread's head at the same address (the C
  // library registers it again there), so the cache stays right.
  t_robust_head = h;
  return h;
}

bool robust_supported() noexcept {
  robust_head();
  return t_watched;
}

bool robust_held_in_process(uint32_t word) noexcept {
  if ((word & kRobustOwnerDied) != 0) return false;
  pid_t tid = static_cast<pid_t>(word & kRobustTidMask);
  if (tid == 0) return false;
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0;
}

uint64_t robust_new_id() noexcept {
  uint64_t id = 0;
  while (getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) {
  }
  return id | 1;  // never 0, the id of a lock laid out before ids existed
}

}  // namespace mproc::platform
