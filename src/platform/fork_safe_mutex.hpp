// A mutex no fork leaves locked in the child.
//
// fork copies a mutex in whatever state it is, and only the forking thread
// lives on in the child: a lock another thread held at that moment would
// stay held there for ever. Every live ForkSafeMutex is taken just before
// fork and released on both sides after it (stage kForkSafeMutexes of
// platform/fork_registry.hpp), so the child always finds it free and what
// it guards consistent.
//
// The rules that keep that from deadlocking: hold one only for a bounded
// stretch of work, never across a wait for another thread or for I/O (a
// fork would wait as long); never hold two at once; never make or destroy
// one, nor fork, while holding one.
//
// A condition variable used with native() is not made safe by this: one
// copied with waiters in it can lose a wake-up in the child. Its owner
// re-creates it in the child (see fork_generation()).
#pragma once

#include <mutex>

namespace mproc::platform {

class ForkSafeMutex {
 public:
  ForkSafeMutex();
  ~ForkSafeMutex();
  ForkSafeMutex(const ForkSafeMutex&) = delete;
  ForkSafeMutex& operator=(const ForkSafeMutex&) = delete;

  void lock() { mu_.lock(); }
  void unlock() { mu_.unlock(); }
  bool try_lock() { return mu_.try_lock(); }
  // The mutex itself, for std::unique_lock and std::condition_variable.
  std::mutex& native() noexcept { return mu_; }

 private:
  friend struct ForkSafeMutexList;

  std::mutex mu_;
  ForkSafeMutex* prev_ = nullptr;
  ForkSafeMutex* next_ = nullptr;
};

}  // namespace mproc::platform
