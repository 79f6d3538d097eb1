// The queue ring's commit sequence, killed at each step: a child that is
// this program started again puts (or gets) one message and dies at step
// k of the sequence (core/fault.hpp: QueuePutStep, QueueGetStep), for
// every k, with and without the ring wrapping. The parent then requires
// the queue to be consistent (counts right once the dead holder's lock is
// recovered, every message whole and in order, the queue usable) and the
// message either delivered whole or not at all: not before the commit
// step, yes from it on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "child.hpp"
#include "core/fault.hpp"
#include "core/queue/queue.hpp"
#include "platform/deadline.hpp"
#include "step_kill.hpp"

using mproc::core::kFaultDeathExit;
using mproc::core::Queue;
using mproc::core::QueueGetStep;
using mproc::core::QueueOptions;
using mproc::core::QueuePutStep;
using mproc::core::QueueState;
using mproc::platform::Deadline;
using mproc::testing::ChildOutcome;
using mproc::testing::NamedForTest;
using mproc::testing::open_and_arm;
using mproc::testing::run_step_child;

namespace {

constexpr uint64_t kRing = 4096;  // the smallest ring: easy to wrap
constexpr uint32_t kLastPutStep = static_cast<uint32_t>(QueuePutStep::kUnlocked);
constexpr uint32_t kLastGetStep = static_cast<uint32_t>(QueueGetStep::kUnlocked);

// The message the child puts: large enough to wrap, patterned so that a
// torn copy shows.
std::string message_x() {
  std::string x(1000, '\0');
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<char>('A' + i % 23);
  return x;
}

int put_str(Queue& q, const std::string& s) {
  return q.put(s.data(), s.size(), Deadline::after_ms(10000));
}

// The next message, or "<error N>".
std::string get_str(Queue& q, const Deadline& deadline) {
  std::string buf(kRing, '\0');
  size_t len = 0;
  int rc = q.get_into(buf.data(), buf.size(), &len, deadline);
  if (rc != 0) return "<error " + std::to_string(rc) + ">";
  buf.resize(len);
  return buf;
}

TEST_CHILD(queue_put_dies_at_step) {
  auto q = open_and_arm<Queue>(arg);
  std::string x = message_x();
  return put_str(*q, x) == 0 ? 0 : 1;
}

TEST_CHILD(queue_get_dies_at_step) {
  auto q = open_and_arm<Queue>(arg);
  return get_str(*q, Deadline::after_ms(10000))[0] == '<' ? 1 : 0;
}

// A named ring of kRing bytes. With `wrap`, two messages were put and
// taken first so that the tail stands where a message of message_x()'s
// size, put after `before` bytes of records, must wrap.
struct Ring {
  NamedForTest named;
  std::shared_ptr<Queue> q;
  uint64_t gets_before = 0;

  Ring(bool wrap, uint64_t before) {
    QueueOptions options;
    options.capacity = kRing;
    options.shared = named.options();
    q = Queue::create(options);
    named.adopt(q->name());
    if (!wrap) return;
    // Records take 8 header bytes and pad to 8: these leave the tail at
    // 3576 - before, so that `before` bytes later a 1000-byte message
    // (1008 with its header) no longer fits before the ring's end.
    uint64_t at = 3576 - before;
    for (uint64_t len : {uint64_t{2000}, at - 2008 - 8}) {
      EXPECT_EQ(put_str(*q, std::string(len, 'f')), 0);
      EXPECT_EQ(get_str(*q, Deadline::after_ms(0)), std::string(len, 'f'));
      ++gets_before;
    }
  }
};

// The queue is consistent and holds exactly `expected`, whole and in
// order, with `taken` gets counted; afterwards it still works.
void expect_consistent(Queue& q, std::vector<std::string> expected, uint64_t taken,
                       const std::string& where) {
  SCOPED_TRACE(where);
  auto& s = q.region()->state<QueueState>();
  // Each side's next use takes its lock over from the dead child (if it
  // died holding it) and repairs the count it may have left behind.
  uint64_t settled = 0;
  ASSERT_EQ(q.taken_settled(&settled, Deadline::after_ms(10000)), 0);
  EXPECT_EQ(settled, taken);
  ASSERT_EQ(put_str(q, "end"), 0);
  expected.push_back("end");
  EXPECT_EQ(q.qsize(), expected.size());
  for (const auto& want : expected) EXPECT_EQ(get_str(q, Deadline::after_ms(0)), want);
  EXPECT_EQ(get_str(q, Deadline::after_ms(0)), "<error " + std::to_string(MPROC_EEMPTY) + ">");
  EXPECT_EQ(q.qsize(), 0u);
  EXPECT_EQ(q.taken(), taken + expected.size());
  EXPECT_FALSE(mproc::core::owned_lock_locked(s.tail_lock));
  EXPECT_FALSE(mproc::core::owned_lock_locked(s.head_lock));
  // And it goes on working: a message of each size class round-trips.
  for (const std::string& again : {std::string("again"), message_x()}) {
    ASSERT_EQ(put_str(q, again), 0);
    EXPECT_EQ(get_str(q, Deadline::after_ms(0)), again);
  }
}

// The child's death at `step`: it must have died there if the step is on
// its path, and finished the operation otherwise.
void expect_died_at(const ChildOutcome& outcome, bool on_path, uint32_t step) {
  ASSERT_FALSE(outcome.timed_out) << "step " << step << ": the child hung";
  ASSERT_TRUE(outcome.exited) << "step " << step << ": signal " << outcome.status;
  EXPECT_EQ(outcome.status, on_path ? kFaultDeathExit : 0)
      << "step " << step << (on_path ? ": the step was never reached" : ": the operation failed");
}

void put_killed_at_every_step(bool wrap) {
  const std::vector<std::string> kept = {"m1", "m2", "m3"};  // 16-byte records
  for (uint32_t step = 1; step <= kLastPutStep; ++step) {
    Ring ring(wrap, 16 * kept.size());
    for (const auto& m : kept) ASSERT_EQ(put_str(*ring.q, m), 0);
    auto outcome = run_step_child("queue_put_dies_at_step", ring.q->name(), "queue-put-step", step);
    bool on_path = wrap || step != static_cast<uint32_t>(QueuePutStep::kWrapWritten);
    expect_died_at(outcome, on_path, step);
    std::vector<std::string> expected = kept;
    if (!on_path || step >= static_cast<uint32_t>(QueuePutStep::kCommitted))
      expected.push_back(message_x());
    expect_consistent(*ring.q, expected, ring.gets_before,
                      "put killed at step " + std::to_string(step));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

void get_killed_at_every_step(bool wrap) {
  for (uint32_t step = 1; step <= kLastGetStep; ++step) {
    Ring ring(wrap, 0);
    // With `wrap`, the first message lies past a WRAP record.
    std::vector<std::string> kept = {wrap ? message_x() : "m1", "m2", "m3"};
    for (const auto& m : kept) ASSERT_EQ(put_str(*ring.q, m), 0);
    auto outcome = run_step_child("queue_get_dies_at_step", ring.q->name(), "queue-get-step", step);
    expect_died_at(outcome, true, step);
    bool taken = step >= static_cast<uint32_t>(QueueGetStep::kCommitted);
    if (taken) kept.erase(kept.begin());
    expect_consistent(*ring.q, kept, ring.gets_before + (taken ? 1 : 0),
                      "get killed at step " + std::to_string(step));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(QueueCommit, APutKilledAtEachStepLeavesItWholeOrAbsent) {
  SKIP_WITHOUT_FAULT_INJECTION();
  put_killed_at_every_step(false);
}

TEST(QueueCommit, AWrappingPutKilledAtEachStepLeavesItWholeOrAbsent) {
  SKIP_WITHOUT_FAULT_INJECTION();
  put_killed_at_every_step(true);
}

TEST(QueueCommit, AGetKilledAtEachStepTakesItWholeOrNotAtAll) {
  SKIP_WITHOUT_FAULT_INJECTION();
  get_killed_at_every_step(false);
}

TEST(QueueCommit, AGetAcrossTheWrapKilledAtEachStepTakesItWholeOrNotAtAll) {
  SKIP_WITHOUT_FAULT_INJECTION();
  get_killed_at_every_step(true);
}

// The plan picks the step, not the occurrence: a step that is not planned
// never ends the process, and a plan for one site leaves the others alone.
TEST(QueueCommit, OnlyThePlannedStepOfThePlannedSiteIsDeadly) {
  SKIP_WITHOUT_FAULT_INJECTION();
  NamedForTest named;
  QueueOptions options;
  options.capacity = kRing;
  options.shared = named.options();
  auto q = Queue::create(options);
  named.adopt(q->name());
  ASSERT_EQ(put_str(*q, "m1"), 0);
  // A get planned to die at a put step gets its message and lives.
  auto outcome = run_step_child("queue_get_dies_at_step", q->name(), "queue-put-step", 1);
  expect_died_at(outcome, false, 1);
  expect_consistent(*q, {}, 1, "get under a put plan");
}

}  // namespace
