// Start/exit soak: under each start method, many cycles of starting a
// child, handing it a new Event and one end of a new connection, hearing
// from it on both, and joining it. Afterwards what this process holds --
// descriptors, shared-memory objects (mapped or held open), zombies,
// live descendants and their descriptors -- must be back where it was
// after the first cycle (which starts what a method keeps for good: the
// runtime, a forkserver).
#include <mproc/mproc.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "soak.hpp"
#include "soak_proc.hpp"

// args: event to set, connection end to answer on.
MPROC_TASK(soak_cycle_child) {
  mproc::ArgsView a(args);
  a.event(0).set();
  a.conn(1).send("here");
  return 0;
}

namespace soak {
namespace {

// One cycle; false (with the reason in `r`) if the child misbehaved.
// `during`, if given, gets what this process holds while the child runs.
bool cycle(Report& r, mproc_start_method_t method, int64_t bound_ms,
           Holdings* during = nullptr) {
  const std::chrono::milliseconds bound(bound_ms);
  mproc::Event started;
  auto [mine, theirs] = mproc::Pipe();
  mproc::Process p("soak_cycle_child", mproc::Args() << started << theirs,
                   mproc::ProcessOptions().start_method(method));
  p.start();
  theirs.close();
  bool ok = started.wait(bound);
  if (ok && during != nullptr) *during = holdings();
  ok = ok && mine.try_recv(bound).has_value() && p.join(bound) && p.exitcode() == 0;
  if (!ok) {
    r.fail(std::string("a ") + mproc_start_method_name(method) + " child did not run through");
    p.kill();
    p.join();
  }
  return ok;
}

void compare(Report& r, const std::string& method, const char* what, int64_t before,
             int64_t after) {
  r.figure(method + "_" + what + "_start", static_cast<double>(before));
  r.must_equal(method + "_" + what + "_end", after, before);
}

// What is held once the forkserver has caught up. A join returns when the
// child's own handle says it ended; the forkserver learns it on its own
// handle and only then closes the socket it kept to report that child, so
// for a moment after the last join it may still hold one more descriptor.
// Looks again for up to 5 s until the counts are back where they were, and
// returns the last look (a real leak stays and fails the comparison).
Holdings settled_holdings(const Holdings& before) {
  Holdings now = holdings();
  const int64_t give_up = now_ns() + int64_t{5} * 1000 * 1000 * 1000;
  while (now.descendant_fds != before.descendant_fds && now_ns() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = holdings();
  }
  return now;
}

}  // namespace

Report start_cycles(const Settings& s) {
  Report r("start_cycles");
  const int64_t cycles = s.count(10000);
  r.figure("cycles_per_method", static_cast<double>(cycles));
  for (auto method : {MPROC_START_SPAWN, MPROC_START_FORK, MPROC_START_FORKSERVER}) {
    const std::string name = mproc_start_method_name(method);
    Holdings during;
    if (!cycle(r, method, s.bound_ms, &during)) continue;
    const Holdings before = holdings();
    // The counts see what a cycle holds (its Event's memory, its
    // connection): they would see it left behind.
    if (during.shm_objects <= before.shm_objects || during.fds <= before.fds)
      r.fail(name + ": a cycle's Event or connection was not seen in /proc");
    r.figure(name + "_shm_objects_during_a_cycle", static_cast<double>(during.shm_objects));
    r.figure(name + "_fds_during_a_cycle", static_cast<double>(during.fds));
    const int64_t started = now_ns();
    int64_t done = 1;
    for (; done < cycles; ++done)
      if (!cycle(r, method, s.bound_ms)) break;
    const double seconds = (now_ns() - started) / 1e9;
    const Holdings after = settled_holdings(before);
    r.must_equal(name + "_cycles", done, cycles);
    compare(r, name, "fds", before.fds, after.fds);
    compare(r, name, "shm_objects", before.shm_objects, after.shm_objects);
    compare(r, name, "zombies", before.zombies, after.zombies);
    compare(r, name, "descendants", before.descendants, after.descendants);
    compare(r, name, "descendant_fds", before.descendant_fds, after.descendant_fds);
    r.must_be_zero(name + "_active_children", static_cast<int64_t>(mproc::active_children().size()));
    if (done > 1) r.figure(name + "_ms_per_cycle", seconds * 1000 / static_cast<double>(done - 1));
  }
  return r;
}

}  // namespace soak
