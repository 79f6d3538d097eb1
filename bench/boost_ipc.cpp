// The Boost.Interprocess baselines of mproc's queue and lock rows: what a
// C++ programmer reaches for to pass messages or share a mutex between
// processes. Every figure is measured the way mproc-bench measures its own
// side of the row (same counts, same units, process start included where
// mproc's includes it).
//
//   boost-ipc-bench mq <size> <depth>   one-way message_queue of `size`-byte
//                                       messages, one forked producer:
//                                       M msg/s (<= 4 KiB) or GB/s
//   boost-ipc-bench mutex_pairs         uncontended interprocess_mutex
//                                       lock+unlock, M pairs/s
//   boost-ipc-bench named_mutex_pairs   the same with a named_mutex
//   boost-ipc-bench sem_pairs           uncontended interprocess_semaphore
//                                       wait+post, M pairs/s
//   boost-ipc-bench mutex_2proc         two processes taking turns at one
//                                       interprocess_mutex, M pairs/s in all
//   boost-ipc-bench sem_handoff         us per round trip of two processes
//                                       alternating through two semaphores
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_semaphore.hpp>
#include <boost/interprocess/sync/named_mutex.hpp>

#include "bench_util.h"

namespace bip = boost::interprocess;

namespace {

constexpr long kPairs = 20000000;  // as bench_sync.cpp's lock_pairs

// A page shared with the children forked after it is made.
template <typename T, typename... Args>
T* shared_object(Args... args) {
  void* page = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  return new (page) T(args...);
}

// Forks a child that runs `body` and exits with its result.
template <typename F>
pid_t fork_child(F body) {
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) _exit(body());
  return pid;
}

bool reaped_ok(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int report(double value) {
  std::printf("%.6g\n", value);
  return 0;
}

int mq(long size, long depth) {
  long count = size <= 64 ? 4000000 : size <= 4096 ? 1000000 : 4000;
  std::string name = "mproc-bench-mq-" + std::to_string(getpid());
  bip::message_queue::remove(name.c_str());
  bip::message_queue q(bip::create_only, name.c_str(), static_cast<size_t>(depth),
                       static_cast<size_t>(size));
  std::vector<char> buf(static_cast<size_t>(size), 'x');
  double t0 = bench_now_s();
  pid_t producer = fork_child([&] {
    for (long i = 0; i < count; ++i) q.send(buf.data(), buf.size(), 0);
    return 0;
  });
  for (long i = 0; i < count; ++i) {
    size_t got = 0;
    unsigned prio = 0;
    q.receive(buf.data(), buf.size(), got, prio);
  }
  bool ok = reaped_ok(producer);
  double elapsed = bench_now_s() - t0;
  bip::message_queue::remove(name.c_str());
  if (!ok) return 1;
  return report(size <= 4096 ? count / elapsed / 1e6 : count * size / elapsed / 1e9);
}

// Uncontended pairs per second of `acquire` then `release` on one object.
template <typename A, typename R>
int pairs(A acquire, R release) {
  for (long i = 0; i < 100000; ++i) {
    acquire();
    release();
  }
  double t0 = bench_now_s();
  for (long i = 0; i < kPairs; ++i) {
    acquire();
    release();
  }
  return report(kPairs / (bench_now_s() - t0) / 1e6);
}

int mutex_pairs() {
  auto* m = shared_object<bip::interprocess_mutex>();
  return pairs([m] { m->lock(); }, [m] { m->unlock(); });
}

int named_mutex_pairs() {
  std::string name = "mproc-bench-named-" + std::to_string(getpid());
  bip::named_mutex::remove(name.c_str());
  bip::named_mutex m(bip::create_only, name.c_str());
  int rc = pairs([&m] { m.lock(); }, [&m] { m.unlock(); });
  bip::named_mutex::remove(name.c_str());
  return rc;
}

int sem_pairs() {
  auto* s = shared_object<bip::interprocess_semaphore>(1u);
  return pairs([s] { s->wait(); }, [s] { s->post(); });
}

// Two processes, each taking the mutex `per_side` times to bump a shared
// counter; the figure is every pair of both over the time both took.
int mutex_2proc() {
  struct Shared {
    bip::interprocess_mutex mutex;
    long counter = 0;
  };
  constexpr long per_side = 2000000;  // as bench_sync.cpp's lock_2proc
  auto* s = shared_object<Shared>();
  auto side = [s] {
    for (long i = 0; i < per_side; ++i) {
      s->mutex.lock();
      ++s->counter;
      s->mutex.unlock();
    }
    return 0;
  };
  double t0 = bench_now_s();
  pid_t other = fork_child(side);
  side();
  bool ok = reaped_ok(other);
  double elapsed = bench_now_s() - t0;
  if (!ok || s->counter != 2 * per_side) return 1;
  return report(2.0 * per_side / elapsed / 1e6);
}

int sem_handoff() {
  struct Pair {
    bip::interprocess_semaphore ping{0}, pong{0};
  };
  constexpr long warm = 2000, rounds = 100000;  // as bench_sync.cpp's handoff
  auto* s = shared_object<Pair>();
  pid_t partner = fork_child([s] {
    for (long i = 0; i < warm + rounds; ++i) {
      s->ping.wait();
      s->pong.post();
    }
    return 0;
  });
  double t0 = 0;
  for (long i = 0; i < warm + rounds; ++i) {
    if (i == warm) t0 = bench_now_s();
    s->ping.post();
    s->pong.wait();
  }
  double elapsed = bench_now_s() - t0;
  if (!reaped_ok(partner)) return 1;
  return report(elapsed / rounds * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc >= 2 ? argv[1] : "";
  try {
    if (what == "mq" && argc >= 4) return mq(std::atol(argv[2]), std::atol(argv[3]));
    if (what == "mutex_pairs") return mutex_pairs();
    if (what == "named_mutex_pairs") return named_mutex_pairs();
    if (what == "sem_pairs") return sem_pairs();
    if (what == "mutex_2proc") return mutex_2proc();
    if (what == "sem_handoff") return sem_handoff();
  } catch (const bip::interprocess_exception& err) {
    std::fprintf(stderr, "boost-ipc-bench %s: %s\n", what.c_str(), err.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: boost-ipc-bench mq <size> <depth> | mutex_pairs | named_mutex_pairs |"
               " sem_pairs | mutex_2proc | sem_handoff\n");
  return 2;
}
