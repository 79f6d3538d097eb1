// A mutex no fork leaves locked in the child.
//
// fork copies a mutex in whatever state it is, and only the forking thread
// lives on in the child: a lock another thread held at that moment would
// stay held there forever. Every ForkSafeMutex is taken just before fork
// and released on both sides after it (pthread_atfork), so the child
// always finds it free and what it guards consistent.
//
// Instances must live until the process exits (globals, leaked
// registries), and none may be held while taking another.
#pragma once

#include <mutex>

namespace mproc::platform {

class ForkSafeMutex {
 public:
  ForkSafeMutex();
  ForkSafeMutex(const ForkSafeMutex&) = delete;
  ForkSafeMutex& operator=(const ForkSafeMutex&) = delete;

  void lock() { mu_.lock(); }
  void unlock() { mu_.unlock(); }
  bool try_lock() { return mu_.try_lock(); }

 private:
  static void before_fork() noexcept;
  static void after_fork() noexcept;

  std::mutex mu_;
  ForkSafeMutex* next_ = nullptr;
};

}  // namespace mproc::platform
