// The robust-list interface on Windows, where no kernel watches lock
// owners: robust_supported() is false, and the owned lock finds a dead
// owner through owner_is_gone (win/thread_gone.cpp) instead.
//
// The list itself is still kept, per thread, in this process's memory: it
// is how a thread proves that a lock word naming its id is really its own
// (robust_on_my_list) rather than a previous thread's with the same id,
// and what SharedMapping's destructor protects from being unmapped.
#include <windows.h>


#include "platform/robust.hpp"
#include "security.hpp"

namespace mproc::platform {
namespace {

// A head that nobody registers: the list is walked only by this process.
// The slot before it takes the back pointer of the list's first entry.
struct OwnHead {
  void* first_prev;
  RobustHead head;
};
__thread OwnHead t_own_head;

}  // namespace

__thread RobustHead* t_robust_head __attribute__((tls_model("initial-exec"))) = nullptr;

RobustHead* fetch_robust_head() noexcept {
  OwnHead& own = t_own_head;
  own.head.list = &own.head.list;
  own.head.futex_offset = 0;  // read by no kernel
  own.head.list_op_pending = nullptr;
  t_robust_head = &own.head;
  return &own.head;
}

bool robust_supported() noexcept { return false; }

// Whether the word's owner is a running thread of this process. A thread
// that has ended no longer walks its list, so its locks do not pin memory.
bool robust_held_in_process(uint32_t word) noexcept {
  if ((word & kRobustOwnerDied) != 0) return false;
  DWORD tid = word & kRobustTidMask;
  if (tid == 0) return false;
  HANDLE h = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
  if (h == nullptr) return false;
  bool held = GetProcessIdOfThread(h) == GetCurrentProcessId() &&
              WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  CloseHandle(h);
  return held;
}

uint64_t robust_new_id() noexcept {
  uint64_t id = 0;
  try {
    random_bytes(&id, sizeof id);
  } catch (...) {
    // No system randomness: any value unlikely to repeat will do, the id
    // only tells this lock's entry from others on one thread's list.
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    id = static_cast<uint64_t>(now.QuadPart) * 0x9e3779b97f4a7c15ull ^ GetCurrentProcessId();
  }
  return id | 1;  // never 0, the id of a lock laid out before ids existed
}

}  // namespace mproc::platform
