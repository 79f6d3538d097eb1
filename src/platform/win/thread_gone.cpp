// Whether a lock owner thread has ended, on Windows (see owner_impl.hpp).
//
// A thread object outlives its thread while any handle to it is open, and
// its id is not handed out again before the object is gone. So, for a
// recorded id: no thread with that id means the owner ended; a thread
// whose handle is signalled has ended; a thread with a different creation
// time than the recorded stamp is a newer thread that reuses the id.
#include <windows.h>

#include "owner_impl.hpp"
#include "platform/lifeline.hpp"
#include "platform/robust.hpp"

namespace mproc::platform {
namespace {

// A stamp: the id in the top 30 bits (ids are below 2^30, the lock word's
// owner mask) and the low 34 bits of the creation time in 100 ns units.
// Two threads with one id would need to be created a multiple of 2^34 *
// 100 ns (28.6 minutes) apart to the 100 ns to share a stamp.
constexpr int kTimeBits = 34;
constexpr uint64_t kTimeMask = (uint64_t{1} << kTimeBits) - 1;

uint64_t make_stamp(DWORD tid, const FILETIME& created) {
  uint64_t t = (uint64_t{created.dwHighDateTime} << 32) | created.dwLowDateTime;
  return (uint64_t{tid & kRobustTidMask} << kTimeBits) | (t & kTimeMask);
}

DWORD stamp_tid(uint64_t stamp) { return static_cast<DWORD>(stamp >> kTimeBits); }

// The stamp of the thread behind `h`, or 0 if it can not be read.
uint64_t stamp_of(HANDLE h, DWORD tid) {
  FILETIME created, exited, kernel, user;
  if (!GetThreadTimes(h, &created, &exited, &kernel, &user)) return 0;
  return make_stamp(tid, created);
}

thread_local uint64_t t_stamp = 0;

enum class Found { kGone, kAlive, kUnknown };

// Opens thread `tid`: kGone if there is none or it has ended, kUnknown
// if it may not be opened (another user's: alive as far as we can tell),
// otherwise kAlive with *h open.
Found open_thread(DWORD tid, HANDLE* h) {
  *h = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
  if (*h == nullptr)
    return GetLastError() == ERROR_INVALID_PARAMETER ? Found::kGone : Found::kUnknown;
  if (WaitForSingleObject(*h, 0) == WAIT_OBJECT_0) {
    CloseHandle(*h);
    return Found::kGone;
  }
  return Found::kAlive;
}

}  // namespace

uint64_t current_thread_stamp() noexcept {
  uint64_t s = t_stamp;
  if (s != 0) return s;
  DWORD tid = GetCurrentThreadId();
  s = stamp_of(GetCurrentThread(), tid);
  // Without its creation time a thread still has a stamp that names it
  // (time bits 0): waiters then compare against that.
  if (s == 0) s = uint64_t{tid & kRobustTidMask} << kTimeBits;
  t_stamp = s;
  return s;
}

bool thread_is_gone(int32_t tid) noexcept {
  if (tid <= 0) return true;
  HANDLE h;
  Found f = open_thread(static_cast<DWORD>(tid), &h);
  if (f == Found::kAlive) CloseHandle(h);
  return f == Found::kGone;
}

bool owner_is_gone(int32_t tid, uint64_t stamp) noexcept {
  if (tid <= 0) return true;
  DWORD id = static_cast<DWORD>(tid);
  // The caller does not hold the lock: a word naming the caller's own id
  // was left by an earlier thread that had it.
  if (id == GetCurrentThreadId()) return true;
  HANDLE h;
  Found f = open_thread(id, &h);
  if (f != Found::kAlive) return f == Found::kGone;
  bool gone = false;
  if (stamp != 0 && stamp_tid(stamp) == (id & kRobustTidMask)) {
    uint64_t now = stamp_of(h, id);
    gone = now != 0 && now != stamp;
  }
  CloseHandle(h);
  return gone;
}

}  // namespace mproc::platform
