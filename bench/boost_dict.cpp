// The Boost.Interprocess baseline of bench_dict.cpp: a boost::interprocess::map
// of 16-byte keys to 64-byte values in a managed_shared_memory segment,
// guarded by an interprocess_mutex, used by forked processes -- what a C++
// programmer reaches for to share a map between processes.
//
//   boost-dict-bench ops <get|set>   M operations/s, two processes together
//   boost-dict-bench kill stall      ms from a SIGKILL of one writer of four
//                                    until the others go on (capped)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <boost/interprocess/allocators/allocator.hpp>
#include <boost/interprocess/containers/map.hpp>
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>

#include "bench_util.h"

namespace bip = boost::interprocess;

namespace {

constexpr int kKeys = 1000;
using Key = std::array<char, 16>;
using Value = std::array<char, 64>;
using Alloc = bip::allocator<std::pair<const Key, Value>, bip::managed_shared_memory::segment_manager>;
using Map = bip::map<Key, Value, std::less<Key>, Alloc>;
using Lock = bip::scoped_lock<bip::interprocess_mutex>;

// What the processes share besides the map.
struct Books {
  bip::interprocess_mutex mutex;
  std::atomic<int> ready{0};
  std::atomic<int> go{0};
  double elapsed[2] = {0, 0};
  std::atomic<uint64_t> progress[4] = {};
};

Key key_of(const char* format, int a, int b) {
  char text[32];
  std::snprintf(text, sizeof text, format, a, b);
  Key k{};
  std::memcpy(k.data(), text, std::min(std::strlen(text), k.size()));
  return k;
}

// A segment under a name of this process, removed when done.
struct Segment {
  std::string name = "mproc-bench-boost-" + std::to_string(getpid());
  bip::managed_shared_memory shm;
  Map* map;
  Books* books;
  Segment() {
    bip::shared_memory_object::remove(name.c_str());
    shm = bip::managed_shared_memory(bip::create_only, name.c_str(), 64 << 20);
    map = shm.construct<Map>("map")(std::less<Key>(), Alloc(shm.get_segment_manager()));
    books = shm.construct<Books>("books")();
  }
  ~Segment() { bip::shared_memory_object::remove(name.c_str()); }
};

void worker(Segment& seg, bool set, long count, int id) {
  Value value{};
  value.fill('v');
  seg.books->ready.fetch_add(1);
  while (seg.books->go.load() == 0) {
  }
  uint32_t rng = static_cast<uint32_t>(id) * 2654435761u + 1;
  double t0 = bench_now_s();
  for (long i = 0; i < count; ++i) {
    rng = rng * 1103515245u + 12345u;
    Key k = key_of("key-%012d", static_cast<int>((rng >> 8) % kKeys), 0);
    Lock lock(seg.books->mutex);
    auto it = seg.map->find(k);
    if (it == seg.map->end()) _exit(2);
    if (set) {
      value[i % value.size()] = static_cast<char>(i);
      it->second = value;
    } else {
      value = it->second;
    }
  }
  seg.books->elapsed[id] = bench_now_s() - t0;
}

int ops(bool set) {
  Segment seg;
  Value value{};
  value.fill('v');
  for (int i = 0; i < kKeys; ++i) seg.map->emplace(key_of("key-%012d", i, 0), value);
  long count = set ? 1000000 : 2000000;
  pid_t pids[2];
  for (int id = 0; id < 2; ++id) {
    pids[id] = fork();
    if (pids[id] == 0) {
      worker(seg, set, count, id);
      _exit(0);
    }
  }
  while (seg.books->ready.load() < 2) {
  }
  seg.books->go.store(1);
  for (pid_t p : pids) {
    int status = 0;
    waitpid(p, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  double longest = std::max(seg.books->elapsed[0], seg.books->elapsed[1]);
  std::printf("%.6g\n", 2.0 * static_cast<double>(count) / longest / 1e6);
  return 0;
}

// Sets and erases its own keys until killed.
[[noreturn]] void killable(Segment& seg, int w) {
  Value value{};
  for (uint64_t seq = 1;; ++seq) {
    Key k = key_of("w%d-key-%08d", w, static_cast<int>((seq * 7) % 64));
    value[seq % value.size()] = static_cast<char>(seq);
    {
      Lock lock(seg.books->mutex);
      if (seq % 4 == 0)
        seg.map->erase(k);
      else
        (*seg.map)[k] = value;
    }
    seg.books->progress[w].fetch_add(1);
  }
}

// The longest stall after a kill of one writer of four, in ms; a stall
// that reaches `cap_ms` ends the test (the others never go on: the dead
// writer took the mutex with it) and is reported as the cap.
int kill_stall() {
  constexpr double kCapMs = 2000;
  Segment seg;
  pid_t writers[4];
  auto start = [&](int w) {
    pid_t p = fork();
    if (p == 0) killable(seg, w);
    return p;
  };
  for (int w = 0; w < 4; ++w) writers[w] = start(w);
  uint32_t rng = static_cast<uint32_t>(getpid());
  double worst = 0;
  int kills = 0;
  for (; kills < 1000; ++kills) {
    rng = rng * 1103515245u + 12345u;
    double until = bench_now_s() + static_cast<double>((rng >> 8) % 500) * 1e-6;
    while (bench_now_s() < until) {
    }
    int victim = static_cast<int>((rng >> 4) % 4);
    auto others = [&] {
      uint64_t sum = 0;
      for (int w = 0; w < 4; ++w)
        if (w != victim) sum += seg.books->progress[w].load();
      return sum;
    };
    uint64_t before = others();
    double t0 = bench_now_s();
    kill(writers[victim], SIGKILL);
    double stalled = 0;
    while (others() == before && (stalled = (bench_now_s() - t0) * 1e3) < kCapMs)
      std::this_thread::yield();  // as bench_dict.cpp's watcher
    worst = std::max(worst, stalled);
    waitpid(writers[victim], nullptr, 0);
    if (stalled >= kCapMs) break;
    writers[victim] = start(victim);
  }
  for (int w = 0; w < 4; ++w) {
    kill(writers[w], SIGKILL);
    waitpid(writers[w], nullptr, 0);
  }
  std::fprintf(stderr, "boost kill: %d kills before the others stood still for good\n", kills);
  std::printf("%.6g\n", std::min(worst, kCapMs));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "ops") == 0) return ops(std::strcmp(argv[2], "set") == 0);
  if (argc >= 3 && std::strcmp(argv[1], "kill") == 0) return kill_stall();
  std::fprintf(stderr, "usage: boost-dict-bench ops <get|set> | kill stall\n");
  return 2;
}
