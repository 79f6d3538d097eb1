// The owned lock's kernel-decided owner death (robust futex list), its
// place on a list shared with glibc's robust mutexes, and queue calls with
// a timeout of 0 while a peer holds a side lock.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/queue/queue.hpp"
#include "core/sync/lock.hpp"
#include "platform/deadline.hpp"
#include "platform/robust.hpp"

using mproc::core::Lock;
using mproc::core::Queue;
using mproc::core::QueueOptions;
using mproc::core::QueueState;
using mproc::core::SharedOptions;
using mproc::platform::Deadline;

namespace {

// A forked child that runs `hold` and then waits to be killed; the parent
// continues once `hold` is done.
class Holder {
 public:
  template <class Hold>
  explicit Holder(Hold hold) {
    int ready[2];
    EXPECT_EQ(pipe(ready), 0);
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      hold();
      char c = 'r';
      if (write(ready[1], &c, 1) != 1) _exit(3);
      for (;;) pause();
    }
    close(ready[1]);
    char c = 0;
    EXPECT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
  }
  void kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  ~Holder() { kill_and_reap(); }

 private:
  pid_t pid_ = -1;
};

int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

TEST(OwnedLock, TheKernelWatchesThisThreadsLocks) {
  EXPECT_TRUE(mproc::platform::robust_supported());
}

TEST(OwnedLock, ASecondAcquireByTheOwnerIsAnErrorAndOthersCannotRelease) {
  auto lock = Lock::create(SharedOptions{});
  ASSERT_EQ(lock->acquire(Deadline::never()), 0);
  EXPECT_EQ(lock->acquire(Deadline::after_ms(0)), MPROC_ESTATE);
  int from_other_thread = 0;
  std::thread([&] { from_other_thread = lock->release(); }).join();
  EXPECT_EQ(from_other_thread, MPROC_ESTATE);
  EXPECT_EQ(lock->release(), 0);
  EXPECT_EQ(lock->release(), MPROC_ESTATE);
}

TEST(OwnedLock, AThreadThatEndsHoldingALockLeavesItToTheNextAcquirer) {
  auto lock = Lock::create(SharedOptions{});
  std::thread([&] { ASSERT_EQ(lock->acquire(Deadline::never()), 0); }).join();
  // Still locked until someone takes it over...
  EXPECT_TRUE(lock->locked());
  // ...and the kernel marked it when the thread ended: no waiting for a check.
  EXPECT_EQ(lock->acquire(Deadline::after_ms(0)), MPROC_EOWNERDEAD);
  EXPECT_EQ(lock->release(), 0);
  EXPECT_EQ(lock->acquire(Deadline::after_ms(0)), 0);
  EXPECT_EQ(lock->release(), 0);
}

TEST(OwnedLock, SharesTheThreadsListWithGlibcRobustMutexes) {
  // A robust process-shared pthread mutex and two mproc locks, taken and
  // released in interleaved order, then held by a process that dies: the
  // kernel must find every one of them on the one list.
  auto* m = static_cast<pthread_mutex_t*>(mmap(nullptr, sizeof(pthread_mutex_t),
                                               PROT_READ | PROT_WRITE,
                                               MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(m, MAP_FAILED);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  ASSERT_EQ(pthread_mutex_init(m, &attr), 0);
  auto a = Lock::create(SharedOptions{});
  auto b = Lock::create(SharedOptions{});

  ASSERT_EQ(a->acquire(Deadline::never()), 0);
  ASSERT_EQ(pthread_mutex_lock(m), 0);
  ASSERT_EQ(b->acquire(Deadline::never()), 0);
  ASSERT_EQ(a->release(), 0);  // from the middle of the list
  ASSERT_EQ(pthread_mutex_unlock(m), 0);
  ASSERT_EQ(b->release(), 0);

  {
    Holder holder([&] {
      if (b->acquire(Deadline::never()) != 0) _exit(4);
      if (pthread_mutex_lock(m) != 0) _exit(5);
      if (a->acquire(Deadline::never()) != 0) _exit(6);
    });
    EXPECT_EQ(a->acquire(Deadline::after_ms(50)), MPROC_ETIMEDOUT);
    holder.kill_and_reap();
  }
  EXPECT_EQ(a->acquire(Deadline::after_ms(0)), MPROC_EOWNERDEAD);
  EXPECT_EQ(b->acquire(Deadline::after_ms(0)), MPROC_EOWNERDEAD);
  EXPECT_EQ(pthread_mutex_lock(m), EOWNERDEAD);
  pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);
  EXPECT_EQ(a->release(), 0);
  EXPECT_EQ(b->release(), 0);
  pthread_mutex_destroy(m);
  munmap(m, sizeof(pthread_mutex_t));
}

TEST(OwnedLock, FreeingAHeldLocksHandleLeavesTheThreadsListIntact) {
  auto survivor = Lock::create(SharedOptions{});
  {
    auto dropped = Lock::create(SharedOptions{});
    ASSERT_EQ(dropped->acquire(Deadline::never()), 0);
  }  // freed while held: its memory must stay mapped
  // Taking and giving up another lock walks and rewrites the list through
  // the dropped lock's entry.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(survivor->acquire(Deadline::never()), 0);
    ASSERT_EQ(survivor->release(), 0);
  }
}

TEST(QueueZeroTimeout, NeverWaitsForASideLockALivePeerHolds) {
  QueueOptions options;
  options.capacity = 1 << 16;
  auto q = Queue::create(options);
  ASSERT_EQ(q->put("x", 1, Deadline::after_ms(0)), 0);
  QueueState& s = q->region()->state<QueueState>();
  Holder holder([&] {
    if (mproc::core::owned_lock_acquire(s.tail_lock, Deadline::never()) != 0) _exit(4);
    if (mproc::core::owned_lock_acquire(s.head_lock, Deadline::never()) != 0) _exit(5);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(q->put("y", 1, Deadline::after_ms(0)), MPROC_EFULL);
  mproc_msg_s* msg = nullptr;
  EXPECT_EQ(q->get(&msg, Deadline::after_ms(0)), MPROC_EEMPTY);
  // Generous slack for a loaded machine; the old grace was a whole second.
  EXPECT_LT(ms_since(t0), 200);

  // Killed while holding both: the next calls recover at once, and the
  // message put before is still there.
  holder.kill_and_reap();
  EXPECT_EQ(q->put("z", 1, Deadline::after_ms(0)), 0);
  char buf[4];
  size_t len = 0;
  ASSERT_EQ(q->get_into(buf, sizeof buf, &len, Deadline::after_ms(0)), 0);
  EXPECT_EQ(std::string(buf, len), "x");
  ASSERT_EQ(q->get_into(buf, sizeof buf, &len, Deadline::after_ms(0)), 0);
  EXPECT_EQ(std::string(buf, len), "z");
}

}  // namespace
