// The owned lock's owner-death recovery, and queue calls with a timeout of
// 0 while a peer holds a side lock. On Linux the kernel decides owner death
// (robust futex list, shared with glibc's robust mutexes); on Windows no
// kernel watches, and a waiter judges the owner thread by id and stamp and
// marks the word OWNER_DIED itself. The thread cases run on both; the
// cases with fork()ed holders and glibc mutexes are Linux's.
#include <gtest/gtest.h>
#ifndef _WIN32
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

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

#ifdef _WIN32
#define SKIP_ON_WINDOWS(why) GTEST_SKIP() << why
#else
#define SKIP_ON_WINDOWS(why) (void)0

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
#endif

// A thread that takes locks (`hold`), keeps them until let go, then
// returns still holding them: an owner that ends without releasing.
class ThreadHolder {
 public:
  template <class Hold>
  explicit ThreadHolder(Hold hold) {
    std::future<void> held = held_.get_future();
    std::future<void> go = go_.get_future();
    thread_ = std::thread([this, hold, go = std::move(go)] {
      hold();
      held_.set_value();
      go.wait();
    });
    held.wait();
  }
  // Lets the thread return and waits until it has ended.
  void end() {
    if (!thread_.joinable()) return;
    go_.set_value();
    thread_.join();
  }
  ~ThreadHolder() { end(); }

 private:
  std::promise<void> held_, go_;
  std::thread thread_;
};

int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

TEST(OwnedLock, TheKernelWatchesThisThreadsLocksWhereItCan) {
#ifdef _WIN32
  // No kernel list: the lock takes the unwatched path (owner stamps).
  EXPECT_FALSE(mproc::platform::robust_supported());
#else
  EXPECT_TRUE(mproc::platform::robust_supported());
#endif
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

// The owner thread ends while another thread already waits: the waiter
// wakes (the kernel's wake on Linux; its next look at the word on
// Windows), finds the owner dead and takes the lock over.
TEST(OwnedLock, AWaiterTakesOverFromAnOwnerThreadThatEndsHolding) {
  auto lock = Lock::create(SharedOptions{});
  ThreadHolder owner([&] { ASSERT_EQ(lock->acquire(Deadline::never()), 0); });
  EXPECT_EQ(lock->acquire(Deadline::after_ms(30)), MPROC_ETIMEDOUT);  // a live owner
  std::promise<int> taken;
  std::thread waiter([&] {
    int rc = lock->acquire(Deadline::after_ms(20000));
    if (rc == MPROC_EOWNERDEAD) lock->release();
    taken.set_value(rc);
  });
  owner.end();
  EXPECT_EQ(taken.get_future().get(), MPROC_EOWNERDEAD);
  waiter.join();
  EXPECT_FALSE(lock->locked());
}

// Several waiters see one dead owner: exactly one of them is told the
// owner died and takes the lock over; the others get it normally after.
TEST(OwnedLock, ExactlyOneOfSeveralWaitersTakesOverADeadOwnersLock) {
  constexpr int kWaiters = 4;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    auto lock = Lock::create(SharedOptions{});
    ThreadHolder owner([&] { ASSERT_EQ(lock->acquire(Deadline::never()), 0); });
    std::atomic<int> started{0};
    std::vector<int> results(kWaiters, -1);
    std::vector<std::thread> waiters;
    for (int i = 0; i < kWaiters; ++i) {
      waiters.emplace_back([&, i] {
        ++started;
        int rc = lock->acquire(Deadline::after_ms(20000));
        results[i] = rc;
        if (rc == 0 || rc == MPROC_EOWNERDEAD) lock->release();
      });
    }
    while (started.load() < kWaiters) std::this_thread::yield();
    owner.end();
    for (auto& t : waiters) t.join();
    int died = 0, plain = 0;
    for (int rc : results) {
      if (rc == MPROC_EOWNERDEAD) ++died;
      if (rc == 0) ++plain;
    }
    ASSERT_EQ(died, 1) << "round " << round;
    ASSERT_EQ(plain, kWaiters - 1) << "round " << round;
    EXPECT_FALSE(lock->locked());
  }
}

TEST(OwnedLock, SharesTheThreadsListWithGlibcRobustMutexes) {
  SKIP_ON_WINDOWS("glibc's robust mutexes and the kernel's robust list are Linux's; no fork");
#ifndef _WIN32
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
#endif
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

// Both of a queue's side locks taken by a peer: `hold(s)` makes the peer
// take them and returns what ends it while it still holds them. Zero
// timeouts never wait for the live peer, and once it has ended the next
// calls recover at once, keeping the message put before.
void expect_side_locks_never_waited_for(
    const std::function<std::function<void()>(QueueState&)>& hold) {
  QueueOptions options;
  options.capacity = 1 << 16;
  auto q = Queue::create(options);
  ASSERT_EQ(q->put("x", 1, Deadline::after_ms(0)), 0);
  std::function<void()> end = hold(q->region()->state<QueueState>());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(q->put("y", 1, Deadline::after_ms(0)), MPROC_EFULL);
  mproc_msg_s* msg = nullptr;
  EXPECT_EQ(q->get(&msg, Deadline::after_ms(0)), MPROC_EEMPTY);
  // Generous slack for a loaded machine; the old grace was a whole second.
  EXPECT_LT(ms_since(t0), 200);

  end();
  EXPECT_EQ(q->put("z", 1, Deadline::after_ms(0)), 0);
  char buf[4];
  size_t len = 0;
  ASSERT_EQ(q->get_into(buf, sizeof buf, &len, Deadline::after_ms(0)), 0);
  EXPECT_EQ(std::string(buf, len), "x");
  ASSERT_EQ(q->get_into(buf, sizeof buf, &len, Deadline::after_ms(0)), 0);
  EXPECT_EQ(std::string(buf, len), "z");
}

TEST(QueueZeroTimeout, NeverWaitsForASideLockALivePeerProcessHolds) {
  SKIP_ON_WINDOWS("its holder is a fork()ed process; the thread-holder case runs on Windows");
#ifndef _WIN32
  expect_side_locks_never_waited_for([](QueueState& s) -> std::function<void()> {
    auto holder = std::make_shared<Holder>([&s] {
      if (mproc::core::owned_lock_acquire(s.tail_lock, Deadline::never()) != 0) _exit(4);
      if (mproc::core::owned_lock_acquire(s.head_lock, Deadline::never()) != 0) _exit(5);
    });
    return [holder] { holder->kill_and_reap(); };  // killed while holding both
  });
#endif
}

// The same with a thread of this process as the peer, which ends holding
// both side locks.
TEST(QueueZeroTimeout, NeverWaitsForASideLockALiveThreadHolds) {
  expect_side_locks_never_waited_for([](QueueState& s) -> std::function<void()> {
    auto holder = std::make_shared<ThreadHolder>([&s] {
      ASSERT_EQ(mproc::core::owned_lock_acquire(s.tail_lock, Deadline::never()), 0);
      ASSERT_EQ(mproc::core::owned_lock_acquire(s.head_lock, Deadline::never()), 0);
    });
    return [holder] { holder->end(); };
  });
}

}  // namespace
