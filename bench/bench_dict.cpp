// Shared dict workloads: get and set of 16-byte keys and 64-byte values
// from two processes at once, and the kill test -- four writers setting
// and deleting while one of them is SIGKILLed at a random moment, a
// thousand times -- reporting the committed entries lost or corrupted and
// the longest time the others stood still after a kill.
#include <mproc/mproc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "bench_workloads.hpp"

namespace {

constexpr int kKeys = 1000;
constexpr size_t kKeyLen = 16;
constexpr size_t kValueLen = 64;

// Key i: 16 bytes, the same in every process.
void key_of(int i, char* out) {
  char text[kKeyLen + 1];
  std::snprintf(text, sizeof text, "key-%012d", i);
  std::memcpy(out, text, kKeyLen);
}

// What the two workers of dict_ops share besides the dict.
struct OpsBooks {
  std::atomic<int> ready;
  std::atomic<int> go;
  double elapsed[2];
};

mproc_shm_t* new_books(size_t size, void** data) {
  mproc_shm_t* shm = nullptr;
  if (mproc_shm_new(&shm, size, nullptr) != 0 || mproc_shm_data(shm, data) != 0)
    bench::die("a shared block");
  return shm;
}

mproc_process_t* start(const char* task, mproc_dict_t* d, mproc_shm_t* shm,
                       std::initializer_list<int64_t> numbers) {
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  if (mproc_args_new(&args) != 0 || mproc_args_add_dict(args, d) != 0 ||
      mproc_args_add_shm(args, shm) != 0)
    bench::die("arguments");
  for (int64_t n : numbers) mproc_args_add_i64(args, n);
  if (mproc_process_new(&p, task, args, nullptr) != 0 || mproc_process_start(p) != 0)
    bench::die(task);
  return p;
}

void finish(mproc_process_t* p) {
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
}

}  // namespace

// One of dict_ops's two workers: `count` gets or sets (arg 2: 0 or 1) of
// random keys, timed from the moment both are ready.
MPROC_TASK(bench_dict_worker) {
  mproc_dict_t* d = nullptr;
  mproc_shm_t* shm = nullptr;
  int64_t set = 0, count = 0, id = 0;
  void* data = nullptr;
  if (mproc_args_get_dict(args, 0, &d) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &set) != 0 || mproc_args_get_i64(args, 3, &count) != 0 ||
      mproc_args_get_i64(args, 4, &id) != 0 || mproc_shm_data(shm, &data) != 0)
    return 1;
  auto* books = static_cast<OpsBooks*>(data);
  std::vector<char> keys(kKeys * kKeyLen);
  for (int i = 0; i < kKeys; ++i) key_of(i, &keys[i * kKeyLen]);
  char value[kValueLen];
  std::memset(value, 'v', sizeof value);
  books->ready.fetch_add(1);
  while (books->go.load() == 0) {
  }
  uint32_t rng = static_cast<uint32_t>(id) * 2654435761u + 1;
  double t0 = bench_now_s();
  for (int64_t i = 0; i < count; ++i) {
    rng = rng * 1103515245u + 12345u;
    const char* k = &keys[((rng >> 8) % kKeys) * kKeyLen];
    int rc;
    if (set != 0) {
      value[i % kValueLen] = static_cast<char>(i);
      rc = mproc_dict_set(d, k, kKeyLen, value, kValueLen);
    } else {
      size_t len = 0;
      rc = mproc_dict_get_into(d, k, kKeyLen, value, sizeof value, &len);
    }
    if (rc != 0) return 2;
  }
  books->elapsed[id] = bench_now_s() - t0;
  mproc_dict_free(d);
  mproc_shm_free(shm);
  return 0;
}

namespace {

// dict_ops <get|set>: millions of operations per second, two processes
// together, on a dict of 1,000 keys.
int dict_ops(int argc, char** argv) {
  if (argc < 1) return 2;
  int64_t set = std::strcmp(argv[0], "set") == 0 ? 1 : 0;
  int64_t count = set != 0 ? 1000000 : 2000000;
  bench::use_fork_where_available();
  mproc_dict_t* d = nullptr;
  if (mproc_dict_new(&d, nullptr) != 0) bench::die("a dict");
  char key[kKeyLen], value[kValueLen];
  std::memset(value, 'v', sizeof value);
  for (int i = 0; i < kKeys; ++i) {
    key_of(i, key);
    if (mproc_dict_set(d, key, kKeyLen, value, kValueLen) != 0) bench::die("filling the dict");
  }
  void* data = nullptr;
  mproc_shm_t* shm = new_books(sizeof(OpsBooks), &data);
  auto* books = new (data) OpsBooks{};
  mproc_process_t* workers[2];
  for (int64_t id = 0; id < 2; ++id)
    workers[id] = start("bench_dict_worker", d, shm, {set, count, id});
  while (books->ready.load() < 2) {
  }
  books->go.store(1);
  for (auto* p : workers) finish(p);
  double longest = std::max(books->elapsed[0], books->elapsed[1]);
  if (longest <= 0) bench::die("a worker failed");
  bench::report(2.0 * static_cast<double>(count) / longest / 1e6);
  mproc_shm_free(shm);
  mproc_dict_free(d);
  return 0;
}

// ---- The kill test ---------------------------------------------------------------

constexpr int kWriters = 4;
constexpr int kWriterKeys = 64;
constexpr int kKills = 1000;

struct Stamped {
  uint32_t writer;
  uint32_t key;
  uint64_t seq;
  uint32_t check;
  char pad[kValueLen - 20];
};
static_assert(sizeof(Stamped) == kValueLen, "a 64-byte value");

uint32_t stamp_check(const Stamped& s) {
  uint32_t h = 2166136261u ^ s.writer ^ (s.key << 8) ^ static_cast<uint32_t>(s.seq);
  for (char c : s.pad) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

void writer_key(int w, int k, char* out) {
  char text[kKeyLen + 1];
  std::snprintf(text, sizeof text, "w%d-key-%08d", w, k);
  std::memset(out, 0, kKeyLen);
  std::memcpy(out, text, std::strlen(text));
}

bool is_delete(uint64_t seq) { return seq % 4 == 0; }

// Each writer's ops by sequence number: the last begun and the last seen
// to finish on each key, and a progress count.
struct KillBooks {
  std::atomic<uint64_t> next_seq[kWriters];
  std::atomic<uint64_t> progress[kWriters];
  std::atomic<uint64_t> attempt[kWriters][kWriterKeys];
  std::atomic<uint64_t> done[kWriters][kWriterKeys];
};

}  // namespace

MPROC_TASK(bench_dict_killable) {
  mproc_dict_t* d = nullptr;
  mproc_shm_t* shm = nullptr;
  int64_t w = 0;
  void* data = nullptr;
  if (mproc_args_get_dict(args, 0, &d) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &w) != 0 || mproc_shm_data(shm, &data) != 0)
    return 1;
  auto* books = static_cast<KillBooks*>(data);
  char key[kKeyLen];
  Stamped s{};
  for (;;) {
    uint64_t seq = books->next_seq[w].fetch_add(1);
    int k = static_cast<int>((seq * 7) % kWriterKeys);
    books->attempt[w][k].store(seq);
    writer_key(static_cast<int>(w), k, key);
    int rc;
    if (is_delete(seq)) {
      rc = mproc_dict_delete(d, key, kKeyLen);
      if (rc == MPROC_ENOTFOUND) rc = 0;
    } else {
      s.writer = static_cast<uint32_t>(w);
      s.key = static_cast<uint32_t>(k);
      s.seq = seq;
      for (size_t i = 0; i < sizeof s.pad; ++i) s.pad[i] = static_cast<char>(seq + i);
      s.check = stamp_check(s);
      rc = mproc_dict_set(d, key, kKeyLen, &s, sizeof s);
    }
    if (rc != 0) return 2;
    books->done[w][k].store(seq);
    books->progress[w].fetch_add(1);
  }
}

namespace {

// Whether the dict holds what op `seq` of writer w left on key k: nothing
// after a delete (or before any op), that op's value after a set.
bool holds(const mproc_dict_t* d, int w, int k, uint64_t seq) {
  char key[kKeyLen];
  writer_key(w, k, key);
  Stamped s{};
  size_t len = 0;
  int rc = mproc_dict_get_into(d, key, kKeyLen, &s, sizeof s, &len);
  if (seq == 0 || is_delete(seq)) return rc == MPROC_ENOTFOUND;
  return rc == 0 && len == sizeof s && s.check == stamp_check(s) && s.seq == seq;
}

uint64_t others_progress(const KillBooks* books, int victim) {
  uint64_t sum = 0;
  for (int w = 0; w < kWriters; ++w)
    if (w != victim) sum += books->progress[w].load();
  return sum;
}

// dict_kill <lost|stall>: kills a random writer of four at a random
// moment, 1,000 times, restarting it each time. "lost": committed entries
// lost or corrupted, and torn values read meanwhile (must be 0). "stall":
// the longest time in milliseconds from a kill until the other writers
// made progress again.
int dict_kill(int argc, char** argv) {
  if (argc < 1) return 2;
  bool stall_mode = std::strcmp(argv[0], "stall") == 0;
  bench::use_fork_where_available();
  mproc_dict_t* d = nullptr;
  if (mproc_dict_new(&d, nullptr) != 0) bench::die("a dict");
  void* data = nullptr;
  mproc_shm_t* shm = new_books(sizeof(KillBooks), &data);
  auto* books = new (data) KillBooks{};
  for (auto& seq : books->next_seq) seq.store(1);
  mproc_process_t* writers[kWriters];
  for (int w = 0; w < kWriters; ++w) writers[w] = start("bench_dict_killable", d, shm, {w});
  uint32_t rng = static_cast<uint32_t>(mproc_getpid());
  std::vector<double> stalls;
  long torn = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    rng = rng * 1103515245u + 12345u;
    // A random moment (up to about half a millisecond), spent reading.
    double until = bench_now_s() + static_cast<double>((rng >> 8) % 500) * 1e-6;
    do {
      rng = rng * 1103515245u + 12345u;
      int w = static_cast<int>((rng >> 8) % kWriters), k = static_cast<int>((rng >> 16) % kWriterKeys);
      char key[kKeyLen];
      writer_key(w, k, key);
      Stamped s{};
      size_t len = 0;
      int rc = mproc_dict_get_into(d, key, kKeyLen, &s, sizeof s, &len);
      if ((rc == 0 && (len != sizeof s || s.check != stamp_check(s))) ||
          (rc != 0 && rc != MPROC_ENOTFOUND))
        ++torn;
    } while (bench_now_s() < until);
    int victim = static_cast<int>((rng >> 4) % kWriters);
    uint64_t before = others_progress(books, victim);
    double t0 = bench_now_s();
    if (mproc_process_kill(writers[victim]) != 0) bench::die("a kill");
    // Watching, this process yields its CPU: with two cores and four
    // writers, spinning here would be the stall.
    while (others_progress(books, victim) == before) {
      if (bench_now_s() - t0 > 30) bench::die("the other writers stood still for 30 s");
      std::this_thread::yield();
    }
    stalls.push_back(bench_now_s() - t0);
    finish(writers[victim]);
    writers[victim] = start("bench_dict_killable", d, shm, {victim});
  }
  for (auto* p : writers) {
    mproc_process_kill(p);
    finish(p);
  }
  long lost = 0;
  for (int w = 0; w < kWriters; ++w)
    for (int k = 0; k < kWriterKeys; ++k)
      if (!holds(d, w, k, books->done[w][k].load()) && !holds(d, w, k, books->attempt[w][k].load()))
        ++lost;
  long corrupt = mproc_dict_check(d) == 0 ? 0 : 1;
  std::sort(stalls.begin(), stalls.end());
  double worst_stall = stalls.back();
  std::fprintf(stderr,
               "dict_kill: %d kills: %ld lost, %ld torn, %s; stalls: median %.3f ms, 99th "
               "percentile %.3f ms, longest %.3f ms\n",
               kKills, lost, torn, corrupt ? "CORRUPT" : "structure checks out",
               stalls[stalls.size() / 2] * 1e3, stalls[stalls.size() * 99 / 100] * 1e3,
               worst_stall * 1e3);
  bench::report(stall_mode ? worst_stall * 1e3 : static_cast<double>(lost + torn + corrupt));
  mproc_shm_free(shm);
  mproc_dict_free(d);
  return 0;
}

bench::Registration reg_ops("dict_ops", dict_ops);
bench::Registration reg_kill("dict_kill", dict_kill);

}  // namespace
