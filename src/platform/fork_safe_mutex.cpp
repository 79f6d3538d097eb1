#include "platform/fork_safe_mutex.hpp"

#include "platform/fork_registry.hpp"

namespace mproc::platform {

// The live instances. Constant-initialised, so that instances made by
// static initialisers in any order find it ready.
struct ForkSafeMutexList {
  static std::mutex mu;
  static ForkSafeMutex* head;

  static void before_fork() {
    mu.lock();
    for (ForkSafeMutex* m = head; m != nullptr; m = m->next_) m->mu_.lock();
  }
  // In the parent and in the child alike, the forking thread holds them all.
  static void after_fork() {
    for (ForkSafeMutex* m = head; m != nullptr; m = m->next_) m->mu_.unlock();
    mu.unlock();
  }
};

std::mutex ForkSafeMutexList::mu;
ForkSafeMutex* ForkSafeMutexList::head = nullptr;

namespace {

[[maybe_unused]] const bool g_registered = [] {
  register_fork_hooks(ForkStage::kForkSafeMutexes,
                      {&ForkSafeMutexList::before_fork, &ForkSafeMutexList::after_fork,
                       &ForkSafeMutexList::after_fork});
  return true;
}();

}  // namespace

ForkSafeMutex::ForkSafeMutex() {
  std::lock_guard<std::mutex> lock(ForkSafeMutexList::mu);
  next_ = ForkSafeMutexList::head;
  if (next_ != nullptr) next_->prev_ = this;
  ForkSafeMutexList::head = this;
}

ForkSafeMutex::~ForkSafeMutex() {
  std::lock_guard<std::mutex> lock(ForkSafeMutexList::mu);
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    ForkSafeMutexList::head = next_;
  }
  if (next_ != nullptr) next_->prev_ = prev_;
}

}  // namespace mproc::platform
