// mproc.hpp: the C++ layer, as a program using only the public headers.
#include <gtest/gtest.h>
#include <mproc/mproc.hpp>

#include <atomic>
#include <limits>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;

namespace {

// Tasks in the Python style: a function with arguments...
MPROC_TASK(hpp_add) {
  mproc::ArgsView a(args);
  mproc::Queue out = a.queue(0);
  int64_t sum = a.i64(1) + a.i64(2);
  out.put(mproc::bytes_of(sum));
  return static_cast<int>(a.str(3).size());
}

// ...and a class with run().
class Reporter : public mproc::ProcessClass<Reporter> {
 public:
  Reporter(std::string who, mproc::Queue& out) : who_(std::move(who)), out_(&out) {}
  explicit Reporter(const mproc::ArgsView& a) : who_(a.str(0)), owned_(a.queue(1)) {
    out_ = &*owned_;
  }
  mproc::Args args() const { return std::move(mproc::Args() << who_ << *out_); }
  int run() override {
    out_->put(who_ + " is running in " + mproc::current_process_name());
    return 7;
  }

 private:
  std::string who_;
  std::optional<mproc::Queue> owned_;
  mproc::Queue* out_;
};
MPROC_PROCESS_CLASS(Reporter);

MPROC_POOL_TASK(hpp_triple) {
  int64_t v;
  if (len != sizeof v) return mproc_result_error(out, MPROC_EINVAL, "want an int64");
  std::memcpy(&v, in, sizeof v);
  v *= 3;
  return mproc_result_set(out, &v, sizeof v);
}

// a * x + b, from a starmap item of three fields.
MPROC_POOL_TASK(hpp_axpb) {
  auto [a, x, b] = mproc::unpack<int64_t, double, int32_t>(in, len);
  double y = static_cast<double>(a) * x + b;
  return mproc_result_set(out, &y, sizeof y);
}

MPROC_TASK(hpp_hold_lock) {
  mproc::ArgsView a(args);
  mproc::Lock lock = a.lock(0);
  mproc::Event held = a.event(1);
  lock.lock();
  held.set();
  for (;;) std::this_thread::sleep_for(1h);
}

TEST(Hpp, ProcessRunsATaskWithArguments) {
  mproc::Queue results;
  mproc::Process p("hpp_add", mproc::Args() << results << 40 << 2 << "four",
                   mproc::ProcessOptions().name("adder"));
  EXPECT_EQ(p.name(), "adder");
  EXPECT_FALSE(p.exitcode().has_value());
  p.start();
  EXPECT_EQ(results.get().as<int64_t>(), 42);
  EXPECT_TRUE(p.join(60s));
  ASSERT_TRUE(p.exitcode().has_value());
  EXPECT_EQ(*p.exitcode(), 4);
  EXPECT_FALSE(p.is_alive());
}

TEST(Hpp, ASubclassedProcessRunsItsRun) {
  mproc::Queue results;
  Reporter r("reporter", results);
  r.start(mproc::ProcessOptions().name("Reporter-1"));
  EXPECT_EQ(results.get().str(), "reporter is running in Reporter-1");
  r.join();
  EXPECT_EQ(r.exitcode(), 7);
}

TEST(Hpp, ErrorsCarryCodeAndMessage) {
  try {
    mproc::Process p("no_such_task_anywhere");
    FAIL() << "no exception";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_ENOTFOUND);
    EXPECT_STREQ(e.name(), "ENOTFOUND");
    EXPECT_NE(std::string(e.what()).find("no_such_task_anywhere"), std::string::npos);
  }
}

TEST(Hpp, QueueTryFormsReportTimeoutsWithoutThrowing) {
  mproc::Queue q(2);
  EXPECT_TRUE(q.try_put("a"));
  q.put("b");
  EXPECT_TRUE(q.full());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.try_put("c", 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 90ms);
  EXPECT_EQ(q.get().str(), "a");
  EXPECT_EQ(q.try_get()->str(), "b");
  EXPECT_FALSE(q.try_get(50ms).has_value());
  q.close();
  try {
    q.get();
    FAIL() << "no exception";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_ECLOSED);
  }
}

// A duration too long for int64_t milliseconds is a very long wait, not an
// overflow into a negative (now refused) timeout.
TEST(Hpp, HugeTimeoutsAreLongWaitsNotOverflows) {
  mproc::Lock lock;
  EXPECT_EQ(lock.acquire(std::chrono::hours::max()), mproc::Acquired::kYes);
  lock.unlock();
  mproc::Queue q;
  q.put("x");
  auto m = q.try_get(std::chrono::nanoseconds::max());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->str(), "x");
  mproc::Event e;
  e.set();
  EXPECT_TRUE(e.wait(std::chrono::duration<double>(1e300)));
  EXPECT_TRUE(e.wait(std::chrono::duration<int64_t, std::ratio<86400>>::max()));
  // wait_for waits for the notification, rather than finding a deadline
  // of now() + hours::max() (an overflow) already past. The notifier can
  // take the lock only once the waiter is waiting.
  mproc::Condition c;
  bool flag = false;
  std::unique_lock<mproc::Condition> held(c);
  std::thread notifier([&] {
    std::unique_lock<mproc::Condition> g(c);
    flag = true;
    c.notify();
  });
  EXPECT_TRUE(c.wait_for([&] { return flag; }, std::chrono::hours::max()));
  held.unlock();
  notifier.join();
  try {
    e.wait(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));
    FAIL() << "a NaN timeout was accepted";
  } catch (const mproc::Error& err) {
    EXPECT_EQ(err.code(), MPROC_EINVAL);
  }
}

TEST(Hpp, JoinableQueueJoinsOnceEveryItemIsDone) {
  mproc::JoinableQueue q;
  q.put("job");
  EXPECT_FALSE(q.join(20ms));
  std::thread worker([&] {
    q.get();
    q.task_done();
  });
  EXPECT_TRUE(q.join(60s));
  worker.join();
  EXPECT_THROW(q.task_done(), mproc::Error);
}

TEST(Hpp, LocksWorkWithStandardGuards) {
  mproc::Lock lock;
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::lock_guard<mproc::Lock> guard(lock);
        ++counter;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter, 80000);
  std::unique_lock<mproc::Lock> held(lock);
  std::thread other([&] {
    std::unique_lock<mproc::Lock> attempt(lock, std::defer_lock);
    EXPECT_FALSE(attempt.try_lock_for(50ms));
  });
  other.join();
  held.unlock();

  mproc::RLock rlock;
  {
    std::lock_guard<mproc::RLock> a(rlock);
    std::lock_guard<mproc::RLock> b(rlock);
    EXPECT_EQ(rlock.depth(), 2u);
  }
  EXPECT_EQ(rlock.depth(), 0u);
}

TEST(Hpp, ALockFromADeadOwnerSaysSo) {
  mproc::Lock lock;
  mproc::Event held;
  mproc::Process p("hpp_hold_lock", mproc::Args() << lock << held);
  p.start();
  ASSERT_TRUE(held.wait(60s));
  p.kill();
  p.join();
  EXPECT_EQ(lock.acquire(10s), mproc::Acquired::kOwnerDied);
  EXPECT_TRUE(lock.owner_died());
  lock.unlock();
  std::lock_guard<mproc::Lock> again(lock);
  EXPECT_FALSE(lock.owner_died());
}

TEST(Hpp, SemaphoreEventConditionBarrier) {
  mproc::Semaphore rooms(2);
  EXPECT_TRUE(rooms.try_acquire());
  EXPECT_TRUE(rooms.acquire(0ms));
  EXPECT_FALSE(rooms.try_acquire());
  rooms.release();
  {
    std::lock_guard<mproc::Semaphore> room(rooms);
    EXPECT_EQ(rooms.value(), 0u);
  }
  auto bounded = mproc::Semaphore::bounded(1);
  EXPECT_THROW(bounded.release(), mproc::Error);

  mproc::Event ev;
  EXPECT_FALSE(ev.wait(10ms));
  std::thread setter([&] { ev.set(); });
  EXPECT_TRUE(ev.wait(60s));
  setter.join();

  mproc::Condition cond;
  int value = 0;
  std::thread producer([&] {
    for (int i = 1; i <= 5; ++i) {
      std::lock_guard<mproc::Condition> g(cond);
      value = i;
      cond.notify_all();
    }
  });
  {
    std::unique_lock<mproc::Condition> g(cond);
    EXPECT_TRUE(cond.wait_for([&] { return value == 5; }, 60s));
  }
  producer.join();
  {
    std::unique_lock<mproc::Condition> g(cond);
    EXPECT_FALSE(cond.wait_for([&] { return value == 6; }, 30ms));
  }

  mproc::Barrier barrier(2);
  std::atomic<uint32_t> other_index{99};
  std::thread t([&] { other_index = barrier.wait(60s); });
  uint32_t mine = barrier.wait(60s);
  t.join();
  EXPECT_EQ(mine + other_index.load(), 1u);
  barrier.abort();
  EXPECT_THROW(barrier.wait(0ms), mproc::BrokenBarrier);
}

TEST(Hpp, SharedBlocksAndNamedObjects) {
  mproc::SharedBlock block(sizeof(int64_t), mproc::Shared::named());
  block.as<int64_t>() = 1234;
  auto same = mproc::SharedBlock::open(block.name());
  EXPECT_EQ(same.as<int64_t>(), 1234);
  mproc::Lock guard_of_block = block.lock();
  {
    std::lock_guard<mproc::Lock> g(guard_of_block);
    EXPECT_TRUE(same.lock().locked());  // one lock, whichever handle
  }
  mproc::unlink(block.name());
  EXPECT_THROW(mproc::SharedBlock::open(block.name()), mproc::Error);
}

TEST(Hpp, PipesSendAndReceive) {
  auto [a, b] = mproc::Pipe();
  a.send("hello");
  EXPECT_TRUE(b.poll(1s));
  EXPECT_EQ(b.recv().str(), "hello");
  EXPECT_FALSE(b.try_recv(10ms).has_value());
  a.close();
  try {
    b.recv();
    FAIL() << "no exception";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_EOF);
  }
}

TEST(Hpp, PoolAppliesAndMaps) {
  mproc::Pool pool(2);
  int64_t five = 5;
  EXPECT_EQ(pool.apply("hpp_triple", mproc::bytes_of(five)).as<int64_t>(), 15);
  auto f = pool.apply_async("hpp_triple", mproc::bytes_of(five));
  EXPECT_TRUE(f.wait(60s));
  EXPECT_TRUE(f.successful());
  EXPECT_EQ(f.get().as<int64_t>(), 15);
  std::vector<int64_t> in = {1, 2, 3, 4, 5, 6, 7};
  auto out = pool.map<int64_t>("hpp_triple", in);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], 3 * in[i]);
  auto bad = pool.apply_async("hpp_triple", "x");
  try {
    bad.get();
    FAIL() << "no exception";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_EINVAL);
    EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos);
  }
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

TEST(Hpp, StarmapPacksEachItemsFields) {
  mproc::Pool pool(mproc::PoolOptions().processes(2).backend(MPROC_POOL_BACKEND_LOCAL));
  EXPECT_EQ(pool.backend(), MPROC_POOL_BACKEND_LOCAL);
  std::vector<std::tuple<int64_t, double, int32_t>> items;
  for (int i = 0; i < 100; ++i) items.emplace_back(i, 0.5, -i);
  auto out = pool.starmap<double>("hpp_axpb", items, 7);
  ASSERT_EQ(out.size(), items.size());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(out[i], i * 0.5 - i);
  // A task given the wrong shape fails with its exception as ETASK.
  try {
    pool.starmap<double>("hpp_axpb", std::vector<std::tuple<int32_t>>{{1}});
    FAIL() << "no exception";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_ETASK);
  }
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

TEST(Hpp, CommandsCaptureTheirOutput) {
#ifdef _WIN32  // no sh: the test tool's actions do the same (tests/helpers/test_tool.c)
  auto done = mproc::run({TEST_TOOL_PATH, "cat", "err", "err", "exit", "2"}, "in");
#else
  auto done = mproc::run({"sh", "-c", "cat; echo err >&2; exit 2"}, "in");
#endif
  EXPECT_EQ(done.out, "in");
  EXPECT_EQ(done.err, "err\n");
  EXPECT_EQ(done.exitcode, 2);
}

TEST(Hpp, ListenerClientAndWaitSet) {
  mproc::Listener server("tcp:127.0.0.1:0");
  mproc::Connection client = mproc::connect(server.address());
  mproc::Connection served = server.accept();
  mproc::WaitSet w;
  size_t slot = w.add(served);
  EXPECT_TRUE(w.wait(std::chrono::milliseconds(0)).empty());
  client.send("hello");
  auto ready = w.wait(std::chrono::seconds(30));
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0], slot);
  EXPECT_EQ(served.recv().str(), "hello");
  // Another key: both sides refuse.
  try {
    mproc::connect(server.address(), mproc::NetOptions().authkey("not the key"));
    ADD_FAILURE() << "connected with the wrong key";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_EAUTH);
  }
  try {
    server.accept();
    ADD_FAILURE() << "accepted a peer with the wrong key";
  } catch (const mproc::Error& e) {
    EXPECT_EQ(e.code(), MPROC_EAUTH);
  }
}

TEST(Hpp, AuthkeysOfTheProcessAndOfAChild) {
  std::string mine = mproc::authkey();
  EXPECT_EQ(mine.size(), 32u);
  mproc::Process p("hpp_add", mproc::Args() << 1 << 2,
                   mproc::ProcessOptions().authkey("for the child"));
  EXPECT_EQ(p.authkey(), "for the child");
  p.set_authkey("changed");
  EXPECT_EQ(p.authkey(), "changed");
  EXPECT_EQ(mproc::authkey(), mine);
}

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
