// Queue soak: 4 producers and 4 consumers on one queue, SIGKILLed one at a
// time at random moments of their puts and gets, each replaced at once.
//
// Every message carries its producer, a sequence number and a checksum
// over the rest, so a consumer tells a whole message from a torn one and
// marks each (producer, sequence) it receives in a shared bitmap, where a
// second mark is a duplicate. What counts as lost is defined by what the
// producers were told: a producer notes, in shared memory, the sequence it
// is about to put, and after put returned success, that it did. A message
// whose put returned success and that no consumer ever got is lost. The
// one put a kill interrupted (or whose success the producer could not note
// before dying) may legitimately be delivered whole or not at all; the
// replacement goes on with the next sequence number, so that one stays
// apart. A message nobody ever tried to put must never arrive.
//
// A consumer gets each message straight into its own slot of shared
// memory, so one killed between taking a message and marking it leaves the
// message where the checker finds it after the run.
//
// After each kill (once the victim is gone) the parent waits for the queue
// to complete a put and a get again -- by anyone: the producers and
// consumers count their completed calls in shared memory and wake the
// parent through a futex on the count when it watches. The time from the
// SIGKILL to both is "served again"; no progress within the bound is a
// deadlock. A stall that came only later (at a slot the dead process left,
// once the ring came round to it) would fail the next kill's wait, or the
// final drain, within the bound all the same.
#include <mproc/mproc.hpp>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <csignal>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "soak.hpp"

namespace {

constexpr int kProducers = 4;
constexpr int kConsumers = 4;
constexpr uint32_t kMaxPayload = 1024;
constexpr uint32_t kMaxSeq = 1u << 25;  // per producer; far more than a run sends
constexpr uint64_t kKillPauseUs = 2000;

struct Msg {
  uint32_t producer;
  uint32_t seq;
  uint32_t len;
  uint32_t check;
  unsigned char body[kMaxPayload];
};
constexpr size_t kHeader = offsetof(Msg, body);

struct ProducerNotes {
  std::atomic<uint32_t> attempting;  // seq + 1 of the put under way (0: none yet)
  std::atomic<uint32_t> acked;       // seq + 1 of the last put that returned success
};

// Completed calls, and whether the parent is waiting for them to change.
struct Progress {
  std::atomic<uint32_t> puts;
  std::atomic<uint32_t> gets;
  std::atomic<uint32_t> watching;
};

struct Books {
  ProducerNotes producers[kProducers];
  Progress progress;
  std::atomic<uint64_t> torn;
  std::atomic<uint64_t> duplicated;
  std::atomic<uint64_t> delivered;
  std::atomic<int32_t> child_error;  // the first unexpected code a child got
  Msg staging[kConsumers];
  std::atomic<uint64_t> seen[kProducers][kMaxSeq / 64];
};

uint32_t checksum(const Msg& m) {
  uint32_t h = 2166136261u ^ m.producer ^ (m.seq * 0x9e3779b9u) ^ (m.len << 20);
  for (uint32_t i = 0; i < m.len; ++i) h = (h ^ m.body[i]) * 16777619u;
  return h;
}

bool valid(const Msg& m, size_t len) {
  return len >= kHeader && m.len <= kMaxPayload && len == kHeader + m.len &&
         m.producer < kProducers && m.seq < kMaxSeq && m.check == checksum(m);
}

void fill(Msg& m, uint32_t producer, uint32_t seq, uint64_t random) {
  m.producer = producer;
  m.seq = seq;
  m.len = static_cast<uint32_t>(random % (kMaxPayload + 1));
  for (uint32_t i = 0; i < m.len; ++i) m.body[i] = static_cast<unsigned char>(seq * 7 + i * 31);
  m.check = checksum(m);
}

// Marks a received message: returns false if it was marked before.
bool mark(Books& b, const Msg& m) {
  uint64_t bit = uint64_t{1} << (m.seq % 64);
  return (b.seen[m.producer][m.seq / 64].fetch_or(bit) & bit) == 0;
}

bool marked(const Books& b, uint32_t producer, uint32_t seq) {
  return (b.seen[producer][seq / 64].load() >> (seq % 64)) & 1;
}

long futex(std::atomic<uint32_t>& word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), op, value, timeout, nullptr, 0);
}

// Counts a completed call; wakes the parent if it watches. Both sides use
// sequentially consistent order: either the parent sees the new count or
// the child sees it watching.
void completed(Progress& p, std::atomic<uint32_t>& count) {
  count.fetch_add(1);
  if (p.watching.load() != 0) futex(count, FUTEX_WAKE, INT_MAX, nullptr);
}

// Waits until `count` differs from `seen`, until `deadline_ns` at most.
bool changes(std::atomic<uint32_t>& count, uint32_t seen, int64_t deadline_ns) {
  while (count.load() == seen) {
    int64_t left = deadline_ns - soak::now_ns();
    if (left <= 0) return false;
    timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
    futex(count, FUTEX_WAIT, seen, &ts);
  }
  return true;
}

// What a consumer does with a message it got.
void account(Books& b, const Msg& m, size_t len) {
  if (!valid(m, len)) {
    b.torn.fetch_add(1);
    return;
  }
  b.delivered.fetch_add(1);
  if (!mark(b, m)) b.duplicated.fetch_add(1);
}

void note_error(Books& b, int code) {
  int32_t none = 0;
  b.child_error.compare_exchange_strong(none, code);
}

}  // namespace

// args: queue, books, producer id, first sequence number, random seed.
MPROC_TASK(soak_queue_producer) {
  mproc::ArgsView a(args);
  mproc::Queue q = a.queue(0);
  mproc::SharedBlock block = a.shm(1);
  auto& b = block.as<Books>();
  auto id = static_cast<uint32_t>(a.i64(2));
  auto first = static_cast<uint32_t>(a.i64(3));
  soak::Rng rng(static_cast<uint64_t>(a.i64(4)));
  ProducerNotes& notes = b.producers[id];
  Msg m;
  for (uint32_t seq = first; seq < kMaxSeq; ++seq) {
    fill(m, id, seq, rng.below(UINT32_MAX));
    notes.attempting.store(seq + 1);
    int rc = mproc_queue_put(q.get_handle(), &m, kHeader + m.len, MPROC_FOREVER);
    if (rc != 0) {
      note_error(b, rc);
      return 2;
    }
    notes.acked.store(seq + 1);
    completed(b.progress, b.progress.puts);
  }
  return 0;  // out of sequence numbers: the report says so
}

// args: queue, books, consumer slot.
MPROC_TASK(soak_queue_consumer) {
  mproc::ArgsView a(args);
  mproc::Queue q = a.queue(0);
  mproc::SharedBlock block = a.shm(1);
  auto& b = block.as<Books>();
  Msg& slot = b.staging[a.i64(2)];
  for (;;) {
    size_t len = 0;
    int rc = mproc_queue_get_into(q.get_handle(), &slot, sizeof slot, &len, MPROC_FOREVER);
    if (rc == MPROC_ECLOSED) return 0;  // closed and drained: the end of the run
    if (rc != 0) {
      note_error(b, rc);
      return 2;
    }
    completed(b.progress, b.progress.gets);
    account(b, slot, len);
  }
}

namespace soak {
namespace {

class QueueSoak {
 public:
  explicit QueueSoak(const Settings& s)
      : s_(s), rng_(s.seed ^ 0x51), q_(options()), block_(sizeof(Books)), b_(block_.as<Books>()) {
    // A new shared block is zero-filled: every count and bit starts at 0.
    for (int i = 0; i < kProducers; ++i) producers_.push_back(start_producer(i));
    for (int i = 0; i < kConsumers; ++i) consumers_.push_back(start_consumer(i));
  }

  Report run() {
    Report r("queue_kills");
    const int64_t kills = s_.count(10000);
    std::vector<double> served;
    int64_t deadlocks = 0, killed_producers = 0, killed_consumers = 0, unexpected_exits = 0;
    const int64_t started = now_ns();
    for (int64_t k = 0; k < kills && deadlocks == 0; ++k) {
      rng_.pause_up_to_us(kKillPauseUs);
      auto victim = static_cast<int>(rng_.below(kProducers + kConsumers));
      bool producer = victim < kProducers;
      auto& slot = producer ? producers_[victim] : consumers_[victim - kProducers];
      b_.progress.watching.store(1);
      const int64_t kill_at = now_ns();
      slot->kill();
      if (!slot->join(std::chrono::milliseconds(s_.bound_ms))) {
        r.fail("a killed child did not end within the bound");
        break;
      }
      if (slot->exitcode() != -SIGKILL) ++unexpected_exits;
      if (producer) {
        ++killed_producers;
        settle_producer(victim);
      } else {
        ++killed_consumers;
        staged_.push_back(b_.staging[victim - kProducers]);
      }
      if (!served_again(kill_at + s_.bound_ms * 1000000)) {
        ++deadlocks;
        r.fail("the queue did not serve again within " + std::to_string(s_.bound_ms) +
               " ms after kill " + std::to_string(k + 1));
      }
      served.push_back(ms_between(kill_at, now_ns()));
      b_.progress.watching.store(0);
      slot = producer ? start_producer(victim) : start_consumer(victim - kProducers);
    }
    // The end: producers killed like the others; consumers drain what is
    // queued and leave on close.
    for (int i = 0; i < kProducers; ++i) {
      producers_[i]->kill();
      producers_[i]->join();
      settle_producer(i);
    }
    q_.close();
    for (auto& c : consumers_) {
      if (!c->join(std::chrono::milliseconds(s_.bound_ms))) {
        ++deadlocks;
        r.fail("a consumer did not drain the closed queue within the bound");
        c->kill();
        c->join();
      } else if (c->exitcode() != 0) {
        r.fail("a consumer ended with " + std::to_string(c->exitcode().value_or(-1000)));
      }
    }
    const double seconds = (now_ns() - started) / 1e9;
    check(r, kills, served, deadlocks, killed_producers, killed_consumers, unexpected_exits);
    r.figure("seconds", seconds);
    return r;
  }

 private:
  static mproc::QueueOptions options() {
    mproc::QueueOptions o;
    o.maxsize = 128;
    o.capacity = 1 << 20;
    return o;
  }

  std::unique_ptr<mproc::Process> start_producer(int id) {
    auto p = std::make_unique<mproc::Process>(
        "soak_queue_producer",
        mproc::Args() << q_ << block_ << id << static_cast<int64_t>(next_seq_[id])
                      << static_cast<int64_t>(rng_.below(INT64_MAX)),
        mproc::ProcessOptions().start_method(MPROC_START_FORK));
    p->start();
    return p;
  }

  std::unique_ptr<mproc::Process> start_consumer(int slot) {
    auto p = std::make_unique<mproc::Process>(
        "soak_queue_consumer", mproc::Args() << q_ << block_ << slot,
        mproc::ProcessOptions().start_method(MPROC_START_FORK));
    p->start();
    return p;
  }

  // After producer `id` died: the put it was in (if it had not noted its
  // success) may or may not have happened; its replacement goes on after it.
  void settle_producer(int id) {
    uint32_t attempting = b_.producers[id].attempting.load();
    uint32_t acked = b_.producers[id].acked.load();
    if (attempting > acked) maybe_[id].push_back(attempting - 1);
    if (attempting > next_seq_[id]) next_seq_[id] = attempting;
  }

  // Whether the queue completes a put and a get (from now) before the deadline.
  bool served_again(int64_t deadline_ns) {
    Progress& p = b_.progress;
    const uint32_t puts = p.puts.load(), gets = p.gets.load();
    return changes(p.puts, puts, deadline_ns) && changes(p.gets, gets, deadline_ns);
  }

  void check(Report& r, int64_t kills, const std::vector<double>& served, int64_t deadlocks,
             int64_t killed_producers, int64_t killed_consumers, int64_t unexpected_exits) {
    // A consumer killed after getting a message and before marking it left
    // it staged: it was delivered (a staged message still queued at the
    // kill was marked by whoever took it later, and is not counted twice).
    int64_t staged_delivered = 0;
    for (const Msg& m : staged_) {
      if (m.len <= kMaxPayload && valid(m, kHeader + m.len) && mark(b_, m)) ++staged_delivered;
    }
    int64_t lost = 0, unsent_arrived = 0, in_doubt = 0, in_doubt_delivered = 0, acked = 0;
    for (int p = 0; p < kProducers; ++p) {
      const uint32_t tried = b_.producers[p].attempting.load();
      std::vector<bool> doubtful(tried, false);
      for (uint32_t seq : maybe_[p]) doubtful[seq] = true;
      for (uint32_t seq = 0; seq < tried; ++seq) {
        bool got = marked(b_, p, seq);
        if (doubtful[seq]) {
          ++in_doubt;
          in_doubt_delivered += got;
        } else {
          ++acked;
          lost += !got;
        }
      }
      for (uint32_t seq = tried; seq < kMaxSeq; ++seq) unsent_arrived += marked(b_, p, seq);
      if (tried >= kMaxSeq) r.fail("a producer ran out of sequence numbers");
    }
    r.must_equal("kills", killed_producers + killed_consumers, kills);
    r.figure("producers_killed", static_cast<double>(killed_producers));
    r.figure("consumers_killed", static_cast<double>(killed_consumers));
    r.figure("puts_acknowledged", static_cast<double>(acked));
    r.figure("messages_delivered", static_cast<double>(b_.delivered.load() + staged_delivered));
    r.figure("delivered_from_killed_consumers", static_cast<double>(staged_delivered));
    r.figure("puts_interrupted", static_cast<double>(in_doubt));
    r.figure("interrupted_puts_delivered", static_cast<double>(in_doubt_delivered));
    r.must_be_zero("lost", lost);
    r.must_be_zero("duplicated", static_cast<int64_t>(b_.duplicated.load()));
    r.must_be_zero("torn", static_cast<int64_t>(b_.torn.load()));
    r.must_be_zero("never_put_but_arrived", unsent_arrived);
    r.must_be_zero("deadlocks", deadlocks);
    r.must_be_zero("children_not_ended_by_sigkill", unexpected_exits);
    r.must_be_zero("child_errors", b_.child_error.load() != 0);
    if (b_.child_error.load() != 0)
      r.text("child_error", mproc_err_name(b_.child_error.load()));
    r.figure("served_again_max_ms", served.empty() ? 0 : percentile(served, 100));
    r.figure("served_again_p99_ms", percentile(served, 99));
    r.figure("served_again_median_ms", percentile(served, 50));
    r.figure("bound_ms", static_cast<double>(s_.bound_ms));
  }

  const Settings& s_;
  Rng rng_;
  mproc::Queue q_;
  mproc::SharedBlock block_;
  Books& b_;
  std::vector<std::unique_ptr<mproc::Process>> producers_, consumers_;
  uint32_t next_seq_[kProducers] = {};
  std::vector<uint32_t> maybe_[kProducers];
  std::vector<Msg> staged_;
};

}  // namespace

Report queue_kills(const Settings& s) { return QueueSoak(s).run(); }

}  // namespace soak
