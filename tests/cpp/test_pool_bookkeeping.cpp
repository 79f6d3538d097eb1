// The pool's bookkeeping from inside (Pool::view): what each worker slot
// has in flight and its load, what waits for room, the generation of the
// worker in each slot, and exit notices kept aside until the dead worker's
// own replies have been read. The pools here run plain functions in
// fork()ed workers; Windows has no fork (and its spawned workers would need
// this program to enter through mproc_main), so there every case skips.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "core/fault.hpp"
#include "core/pool/pool.hpp"
#include "core/pool/pool_tasks.hpp"
#include "core/sync/event.hpp"
#include "platform/deadline.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

using mproc::core::Event;
using mproc::core::Future;
using mproc::core::Pool;
using mproc::core::PoolOptions;
using mproc::core::Queue;
using mproc::core::ReplyHeader;
using mproc::core::ReplyKind;
using mproc::core::TaskOptions;
using mproc::core::TaskRef;
using mproc::platform::Deadline;

namespace {

#define SKIP_WITHOUT_FORK()                                                              \
  if (!mproc::platform::fork_supported())                                                \
  GTEST_SKIP() << "these pools run plain functions in fork()ed workers; this platform " \
                  "has no fork"

// What the workers wait for before they answer (set once per test). A
// forked worker shares its memory with the test.
std::shared_ptr<Event>& gate() {
  static std::shared_ptr<Event> event;
  return event;
}

int echo(const void* in, size_t len, mproc_result_t* out) {
  out->output.assign(static_cast<const char*>(in), len);
  return 0;
}

int wait_for_gate(const void* in, size_t len, mproc_result_t* out) {
  int rc = gate()->wait(Deadline::after_ms(60000));
  if (rc != 0) return rc;
  return echo(in, len, out);
}

[[noreturn]] int end_worker(const void*, size_t, mproc_result_t*) {
  mproc::platform::exit_immediately(3);
}

std::shared_ptr<Pool> fork_pool(size_t processes, size_t maxtasks = 0) {
  PoolOptions options;
  options.processes = processes;
  options.method = MPROC_START_FORK;
  options.maxtasks = maxtasks;
  return Pool::create(options);
}

std::shared_ptr<Future> submit(Pool& pool, mproc_pool_fn fn, const std::string& in,
                               TaskOptions options = {}) {
  TaskRef task;
  task.fn = fn;
  return pool.apply_async(task, in.data(), in.size(), options);
}

// The future's outcome: its output, or "<error N>".
std::string outcome(Future& f) {
  if (f.wait(Deadline::after_ms(60000)) != 0) return "<hung>";
  return f.code() == 0 ? f.output() : "<error " + std::to_string(f.code()) + ">";
}

// Waits (at most 30 s) until `ready(view)` holds; false if it never did.
template <class Ready>
bool wait_for_view(Pool& pool, Ready ready) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ready(pool.view())) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void finish(Pool& pool) {
  pool.close();
  EXPECT_EQ(pool.join(Deadline::after_ms(60000)), 0);
}

class PoolBookkeeping : public ::testing::Test {
 protected:
  void SetUp() override { gate() = Event::create({}); }
  void TearDown() override {
    mproc::core::fault_plan_set("");
    gate().reset();
  }
};

// Two workers, each held on its first task: the next 300 single tasks
// fill both slots to their limit of 128 units, least loaded first, and
// the rest wait; once the workers go on, everything drains to zero.
TEST_F(PoolBookkeeping, InflightAndLoadFollowDispatchAndReplies) {
  SKIP_WITHOUT_FORK();
  auto pool = fork_pool(2);
  std::vector<std::shared_ptr<Future>> futures;
  for (int i = 0; i < 2; ++i) futures.push_back(submit(*pool, wait_for_gate, "held"));
  TaskOptions timed;
  timed.timeout_ms = 600000;
  for (int i = 0; i < 300; ++i)
    futures.push_back(submit(*pool, echo, std::to_string(i), i % 3 == 0 ? timed : TaskOptions{}));
  Pool::View v = pool->view();
  ASSERT_EQ(v.slots.size(), 2u);
  for (const auto& slot : v.slots) {
    EXPECT_EQ(slot.load, 128u);
    EXPECT_EQ(slot.inflight, 128u);
    EXPECT_EQ(slot.sent, 128u);
    EXPECT_EQ(slot.generation, 1u);
  }
  EXPECT_EQ(v.pending, 302u - 256u);
  EXPECT_EQ(v.timed, 100u);  // every timed unit, dispatched or waiting

  gate()->set();
  for (size_t i = 2; i < futures.size(); ++i)
    EXPECT_EQ(outcome(*futures[i]), std::to_string(i - 2));
  EXPECT_EQ(outcome(*futures[0]), "held");
  EXPECT_EQ(outcome(*futures[1]), "held");
  v = pool->view();
  uint64_t sent = 0;
  for (const auto& slot : v.slots) {
    EXPECT_EQ(slot.load, 0u);
    EXPECT_EQ(slot.inflight, 0u);
    EXPECT_EQ(slot.generation, 1u);
    sent += slot.sent;
  }
  EXPECT_EQ(sent, 302u);
  EXPECT_EQ(v.pending, 0u);
  EXPECT_EQ(v.timed, 0u);
  finish(*pool);
}

// A worker that dies fails exactly the unit it ran; the units queued
// behind it stay in flight for its replacement, the next generation.
TEST_F(PoolBookkeeping, ADeadWorkersSlotKeepsItsQueueAndStartsTheNextGeneration) {
  SKIP_WITHOUT_FORK();
  auto pool = fork_pool(1);
  auto held = submit(*pool, wait_for_gate, "held");
  auto dies = submit(*pool, end_worker, "");
  std::vector<std::shared_ptr<Future>> after;
  for (int i = 0; i < 10; ++i) after.push_back(submit(*pool, echo, std::to_string(i)));
  Pool::View v = pool->view();
  EXPECT_EQ(v.slots[0].inflight, 12u);
  EXPECT_EQ(v.slots[0].load, 12u);
  gate()->set();
  EXPECT_EQ(outcome(*held), "held");
  EXPECT_EQ(outcome(*dies), "<error " + std::to_string(MPROC_EWORKER) + ">");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(outcome(*after[i]), std::to_string(i));
  ASSERT_TRUE(wait_for_view(*pool, [](const Pool::View& now) {
    return now.slots[0].running && !now.slots[0].repairing;
  }));
  v = pool->view();
  EXPECT_EQ(v.slots[0].generation, 2u);
  EXPECT_EQ(v.slots[0].sent, 12u);
  EXPECT_EQ(v.slots[0].inflight, 0u);
  EXPECT_EQ(v.slots[0].load, 0u);
  finish(*pool);
}

// An exit notice for a generation other than the slot's current worker
// (an old one's, seen twice; or one from nowhere) changes nothing: the
// live worker stays and keeps working.
TEST_F(PoolBookkeeping, AnExitNoticeOfAnotherGenerationIsIgnored) {
  SKIP_WITHOUT_FORK();
  auto pool = fork_pool(1);
  auto dies = submit(*pool, end_worker, "");
  EXPECT_EQ(outcome(*dies), "<error " + std::to_string(MPROC_EWORKER) + ">");
  ASSERT_TRUE(wait_for_view(*pool, [](const Pool::View& now) {
    return now.slots[0].running && !now.slots[0].repairing;
  }));
  ASSERT_EQ(pool->view().slots[0].generation, 2u);
  std::vector<int64_t> pids = pool->worker_pids();
  ASSERT_EQ(pids.size(), 1u);
  for (uint64_t generation : {uint64_t{1}, uint64_t{3}}) {
    ReplyHeader h{};
    h.kind = static_cast<uint32_t>(ReplyKind::kWorkerExited);
    h.worker = 0;
    h.generation = generation;
    ASSERT_EQ(pool->replies_for_test().put(&h, sizeof h, Deadline::after_ms(10000)), 0);
  }
  // Its reply comes after the notices: they have been handled by then.
  auto task = submit(*pool, echo, "still here");
  EXPECT_EQ(outcome(*task), "still here");
  Pool::View v = pool->view();
  EXPECT_EQ(v.slots[0].generation, 2u);
  EXPECT_TRUE(v.slots[0].running);
  EXPECT_FALSE(v.slots[0].repairing);
  EXPECT_EQ(pool->worker_pids(), pids);
  finish(*pool);
}

// A worker's replies are queued, unread (the collector is busy in a
// callback), when the worker is killed, and its exit notice could not be
// queued (the pool-notice fault), so it is kept aside. When the collector
// takes the notice up, three replies are unread, the dead worker's last
// one among them: its exit must be handled only after that reply, so its
// task succeeds rather than being failed as the dead worker's. The
// callbacks of the two replies read first watch, for a while each,
// whether the exit is handled early: in a correct pool it cannot be, so
// the watch decides nothing there; it gives a pool that handles the exit
// too early the time to show it.
TEST_F(PoolBookkeeping, AHeldExitNoticeWaitsForTheDeadWorkersOwnReplies) {
  SKIP_WITHOUT_FORK();
  if (!mproc::core::kFaultInjection) GTEST_SKIP() << "built without the fault hook";
  mproc::core::fault_plan_set("pool-notice:1");
  auto pool = fork_pool(2);
  std::promise<void> in_callback, go_on;
  std::shared_future<void> go = go_on.get_future().share();
  TaskOptions blocking;
  blocking.callback = [&in_callback, go](const std::shared_ptr<Future>&) {
    in_callback.set_value();
    go.wait();  // the collector waits here
  };
  std::atomic<bool> handled_early{false};
  TaskOptions watching;
  watching.callback = [&pool, &handled_early](const std::shared_ptr<Future>&) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < until) {
      Pool::View now = pool->view();
      if (!now.slots[0].running) handled_early = true;
      if (handled_early && !now.slots[0].repairing) return;  // and its repair is over
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  auto first = submit(*pool, echo, "one", blocking);
  in_callback.get_future().wait();
  // Dispatch goes to the least loaded slot, the first of equals: x to
  // slot 0, y to slot 1, then the last task to slot 0. Each reply is
  // queued before the next task is sent.
  Queue& replies = pool->replies_for_test();
  std::vector<std::shared_ptr<Future>> queued;
  for (const char* in : {"x", "y", "two"}) {
    queued.push_back(submit(*pool, echo, in, std::string(in) == "two" ? TaskOptions{} : watching));
    ASSERT_TRUE(wait_for_view(*pool, [&](const Pool::View&) {
      return replies.qsize() == queued.size();
    }));
  }
  Pool::View v = pool->view();
  ASSERT_EQ(v.slots[0].inflight, 2u);  // x and two: answered, not yet read
  ASSERT_EQ(v.slots[1].inflight, 1u);  // y
  auto handle = mproc::platform::process_handle_open(pool->worker_pids().at(0));
  ASSERT_EQ(mproc::platform::signal_process(handle.get(), mproc::platform::kSignalKill), 0);
  ASSERT_TRUE(wait_for_view(*pool, [](const Pool::View& now) { return now.missed_notices == 1; }))
      << "the worker's exit notice was never kept aside";
  go_on.set_value();
  EXPECT_EQ(outcome(*first), "one");
  EXPECT_EQ(outcome(*queued[0]), "x");
  EXPECT_EQ(outcome(*queued[1]), "y");
  EXPECT_EQ(outcome(*queued[2]), "two");
  EXPECT_FALSE(handled_early) << "the exit was handled before the worker's replies were read";
  // The notice was handled after all: the slot has its next worker.
  ASSERT_TRUE(wait_for_view(*pool, [](const Pool::View& now) {
    return now.slots[0].generation == 2 && now.slots[0].running && !now.slots[0].repairing;
  }));
  v = pool->view();
  EXPECT_EQ(v.missed_notices, 0u);
  EXPECT_EQ(v.slots[0].inflight, 0u);
  EXPECT_EQ(v.slots[1].generation, 1u);
  finish(*pool);
}

}  // namespace
