#include "platform/fork_safe_mutex.hpp"

#include <pthread.h>

namespace mproc::platform {
namespace {

// The instances, newest first. Function-local so that instances made by
// static initialisers in any order find it ready; never destroyed.
struct Instances {
  std::mutex mu;
  ForkSafeMutex* head = nullptr;
};

Instances& instances() {
  static auto* all = new Instances;
  return *all;
}

}  // namespace

ForkSafeMutex::ForkSafeMutex() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(&before_fork, &after_fork, &after_fork); });
  Instances& all = instances();
  std::lock_guard<std::mutex> lock(all.mu);
  next_ = all.head;
  all.head = this;
}

void ForkSafeMutex::before_fork() noexcept {
  Instances& all = instances();
  all.mu.lock();
  for (ForkSafeMutex* m = all.head; m != nullptr; m = m->next_) m->mu_.lock();
}

// In the parent and in the child alike, the forking thread holds them all.
void ForkSafeMutex::after_fork() noexcept {
  Instances& all = instances();
  for (ForkSafeMutex* m = all.head; m != nullptr; m = m->next_) m->mu_.unlock();
  all.mu.unlock();
}

}  // namespace mproc::platform
