// mproc.hpp's pool and future calls beyond apply and map (issue 19): task
// options on apply_async, imap, a Future's error read without an
// exception, the C handle behind every C++ object, and a pool task that
// leaves its `out` alone compiling under -Wall -Wextra -Werror (this file
// is built with warnings as errors whatever the build's setting).
#include <gtest/gtest.h>
#include <mproc/mproc.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <future>
#include <set>
#include <thread>

using namespace std::chrono_literals;

namespace {

// Uppercases its input; fails with EINVAL on the input "bad".
MPROC_POOL_TASK(gaps_upper) {
  std::string s(static_cast<const char*>(in), len);
  if (s == "bad") return mproc_result_error(out, MPROC_EINVAL, "gaps_upper: bad input");
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return mproc_result_set(out, s.data(), s.size());
}

// Never returns: only a task timeout ends it (its worker is killed).
MPROC_POOL_TASK(gaps_forever) {
  for (;;) std::this_thread::sleep_for(1h);
}

// Uses neither its input nor its output: the macro must not leave `out`
// unused (this file compiles with -Wextra -Werror).
MPROC_POOL_TASK(gaps_nothing) { return 0; }

// An int32 in, its half as a double out: map<Out> with In deduced.
MPROC_POOL_TASK(gaps_half) {
  int32_t v;
  if (len != sizeof v) return mproc_result_error(out, MPROC_EINVAL, "want an int32");
  std::memcpy(&v, in, sizeof v);
  double h = v / 2.0;
  return mproc_result_set(out, &h, sizeof h);
}

TEST(HppPool, ATaskTimeoutFromTaskOptionsFailsOnlyThatTask) {
  mproc::Pool pool(2);
  auto slow = pool.apply_async("gaps_forever", "", mproc::TaskOptions().timeout(300ms));
  auto fine = pool.apply_async("gaps_upper", "ok");
  std::optional<mproc::Error> err = slow.error();
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), MPROC_ETIMEDOUT);
  EXPECT_EQ(fine.get().str(), "OK");
  pool.terminate();
  EXPECT_TRUE(pool.join(60s));
}

TEST(HppPool, ACallbackFromTaskOptionsGetsTheDoneFuture) {
  mproc::Pool pool(2);
  std::promise<std::string> output;
  std::promise<int> failure;
  auto good = pool.apply_async("gaps_upper", "abc", mproc::TaskOptions().callback([&](mproc::Future& f) {
    output.set_value(f.get().str());
  }));
  auto bad = pool.apply_async("gaps_upper", "bad", mproc::TaskOptions().callback([&](mproc::Future& f) {
    std::optional<mproc::Error> e = f.error();
    failure.set_value(e ? e->code() : 0);
  }));
  EXPECT_EQ(output.get_future().get(), "ABC");
  EXPECT_EQ(failure.get_future().get(), MPROC_EINVAL);
  // The callbacks read the lent future; the caller's own stays usable.
  EXPECT_EQ(good.get().str(), "ABC");
  EXPECT_FALSE(bad.successful());
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

// What mproc_task_opts_set_callback_owned did with one userdata.
struct Owned {
  std::atomic<int> ran{0};
  std::atomic<int> released{0};
};
void owned_ran(mproc_future_t*, void* userdata) { static_cast<Owned*>(userdata)->ran++; }
void owned_released(void* userdata) { static_cast<Owned*>(userdata)->released++; }

// Options with an owned callback over `owned`; the caller frees them.
mproc_task_opts_t* owned_opts(Owned* owned) {
  mproc_task_opts_t* opts = nullptr;
  EXPECT_EQ(mproc_task_opts_new(&opts), 0);
  EXPECT_EQ(mproc_task_opts_set_callback_owned(opts, owned_ran, owned, owned_released), 0);
  return opts;
}

TEST(HppPool, AnOwnedCallbacksUserdataIsReleasedExactlyOnceInEveryPath) {
  // Refused: the userdata stays the caller's.
  Owned refused;
  mproc_task_opts_t* opts = nullptr;
  ASSERT_EQ(mproc_task_opts_new(&opts), 0);
  EXPECT_EQ(mproc_task_opts_set_callback_owned(opts, nullptr, &refused, owned_released),
            MPROC_EINVAL);
  EXPECT_EQ(mproc_task_opts_set_callback_owned(opts, owned_ran, &refused, nullptr), MPROC_EINVAL);
  mproc_task_opts_free(opts);
  EXPECT_EQ(refused.released, 0);

  // Never submitted: released when the options go, or are given another
  // callback.
  Owned unused, replaced;
  opts = owned_opts(&replaced);
  ASSERT_EQ(mproc_task_opts_set_callback_owned(opts, owned_ran, &unused, owned_released), 0);
  EXPECT_EQ(replaced.released, 1);
  mproc_task_opts_free(opts);
  EXPECT_EQ(unused.released, 1);
  EXPECT_EQ(unused.ran + replaced.ran, 0);

  // Two tasks sharing it, and a submission refused by a closed pool:
  // released once, after both callbacks ran.
  Owned shared;
  {
    mproc::Pool pool(1);
    opts = owned_opts(&shared);
    mproc_future_t* f[2] = {nullptr, nullptr};
    ASSERT_EQ(mproc_pool_apply_async(pool.native(), "gaps_upper", "a", 1, opts, &f[0]), 0);
    ASSERT_EQ(mproc_pool_apply_async(pool.native(), "gaps_upper", "b", 1, opts, &f[1]), 0);
    pool.close();
    mproc_future_t* refused_future = nullptr;
    EXPECT_EQ(mproc_pool_apply_async(pool.native(), "gaps_upper", "c", 1, opts, &refused_future),
              MPROC_ESTATE);
    mproc_task_opts_free(opts);
    for (mproc_future_t* one : f) {
      EXPECT_EQ(mproc_future_wait(one, MPROC_FOREVER), 0);
      mproc_future_free(one);
    }
    EXPECT_TRUE(pool.join(60s));
  }
  EXPECT_EQ(shared.ran, 2);
  EXPECT_EQ(shared.released, 1);

  // The pool freed first, with a task running for ever and one queued
  // behind it: each userdata released once all the same.
  Owned running, queued;
  {
    mproc::Pool pool(1);
    for (Owned* owned : {&running, &queued}) {
      opts = owned_opts(owned);
      mproc_future_t* f = nullptr;
      ASSERT_EQ(mproc_pool_apply_async(pool.native(), "gaps_forever", "", 0, opts, &f), 0);
      mproc_task_opts_free(opts);
      mproc_future_free(f);
    }
    EXPECT_EQ(running.released + queued.released, 0);
  }
  EXPECT_EQ(running.released, 1);
  EXPECT_EQ(queued.released, 1);
}

TEST(HppPool, ATaskOptionsCallbackIsFreedWhenThePoolGoesFirstOrRefusesTheTask) {
  // Every copy of the callback holds the token: use_count 1 means none of
  // them leaked.
  auto token = std::make_shared<int>(0);
  {
    mproc::TaskOptions options;
    options.callback([token](mproc::Future&) {});
    {
      mproc::Pool pool(1);
      mproc::Future running = pool.apply_async("gaps_forever", "", options);
      mproc::Future queued = pool.apply_async("gaps_forever", "", options);
      EXPECT_EQ(token.use_count(), 4);  // the test, the options, two tasks
    }
    mproc::Pool closed(1);
    closed.close();
    EXPECT_THROW(closed.apply_async("gaps_upper", "x", options), mproc::Error);
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(HppPool, ImapTryNextReportsATimeoutAFailureAndTheEndWithoutThrowing) {
  mproc::Pool pool(1);
  std::vector<std::string> in = {"a", "bad", "c"};
  mproc::Imap it = pool.imap("gaps_upper", in);
  mproc::ImapResult r{};
  ASSERT_EQ(it.try_next(r, 60s), 0);
  EXPECT_EQ(r.index, 0u);
  EXPECT_EQ(r.output.str(), "A");
  EXPECT_EQ(it.try_next(r, 60s), MPROC_EINVAL);  // the item's own code
  EXPECT_EQ(r.index, 1u);
  EXPECT_NE(std::string(mproc_last_error()).find("bad input"), std::string::npos);
  ASSERT_EQ(it.try_next(r, 60s), 0);
  EXPECT_EQ(r.output.str(), "C");
  EXPECT_EQ(it.try_next(r, 60s), MPROC_EOF);

  // A task that never ends: no result within the timeout, and r is left
  // alone.
  std::vector<std::string> one = {""};
  mproc::Imap never = pool.imap("gaps_forever", one);
  r.index = 7;
  EXPECT_EQ(never.try_next(r, 0ms), MPROC_ETIMEDOUT);
  EXPECT_EQ(never.try_next(r, 50ms), MPROC_ETIMEDOUT);
  EXPECT_EQ(r.index, 7u);
  pool.terminate();
}

TEST(HppPool, AFuturesErrorIsReadWithoutAnException) {
  mproc::Pool pool(1);
  auto ok = pool.apply_async("gaps_upper", "x");
  auto bad = pool.apply_async("gaps_upper", "bad");
  EXPECT_FALSE(ok.error().has_value());
  std::optional<mproc::Error> e = bad.error(60s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code(), MPROC_EINVAL);
  EXPECT_NE(std::string(e->what()).find("bad input"), std::string::npos);
  // Not done within the timeout: the wait, not the task, throws.
  auto slow = pool.apply_async("gaps_forever", "");
  try {
    (void)slow.error(0ms);
    FAIL() << "no exception";
  } catch (const mproc::Error& err) {
    EXPECT_EQ(err.code(), MPROC_ETIMEDOUT);
  }
  pool.terminate();
}

TEST(HppPool, ImapGivesResultsInInputOrderAndGoesOnAfterAFailure) {
  mproc::Pool pool(2);
  std::vector<std::string> in = {"a", "bb", "bad", "ccc", "dddd"};
  mproc::Imap it = pool.imap("gaps_upper", in);
  std::vector<std::string> got;
  for (size_t i = 0; i < in.size(); ++i) {
    try {
      std::optional<mproc::ImapResult> r = it.next(60s);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->index, i);
      got.push_back(r->output.str());
    } catch (const mproc::Error& e) {
      EXPECT_EQ(i, 2u);
      EXPECT_EQ(e.code(), MPROC_EINVAL);
      got.push_back("<failed>");
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"A", "BB", "<failed>", "CCC", "DDDD"}));
  EXPECT_FALSE(it.next().has_value());
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

TEST(HppPool, ImapUnorderedGivesEveryResultOnce) {
  mproc::Pool pool(3);
  std::vector<std::string_view> in = {"p", "q", "r", "s", "t", "u"};
  mproc::Imap it = pool.imap_unordered("gaps_upper", in, 2);
  std::set<size_t> seen;
  while (std::optional<mproc::ImapResult> r = it.next(60s)) {
    EXPECT_TRUE(seen.insert(r->index).second);
    std::string upper(in[r->index]);
    upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
    EXPECT_EQ(r->output.str(), upper);
  }
  EXPECT_EQ(seen.size(), in.size());
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

TEST(HppPool, MapNamesTheOutputTypeAndDeducesTheInput) {
  mproc::Pool pool(2);
  std::vector<int32_t> in = {1, 2, 3};
  std::vector<double> halves = pool.map<double>("gaps_half", in);
  EXPECT_EQ(halves, (std::vector<double>{0.5, 1.0, 1.5}));
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

TEST(HppPool, APoolTaskThatIgnoresItsOutputReturnsNothing) {
  mproc::Pool pool(1);
  EXPECT_EQ(pool.apply("gaps_nothing", "ignored").size(), 0u);
  pool.close();
  EXPECT_TRUE(pool.join(60s));
}

// Each C++ object hands out the C handle behind it, which the C API
// accepts; the object keeps owning it.
TEST(HppNative, EveryObjectReachesItsCHandle) {
  mproc::Lock lock;
  ASSERT_EQ(mproc_lock_try_acquire(lock.native()), 0);
  EXPECT_TRUE(lock.locked());
  lock.unlock();  // taken through the C handle, released through C++
  int locked = 1;
  EXPECT_EQ(mproc_lock_is_locked(lock.native(), &locked), 0);
  EXPECT_EQ(locked, 0);

  mproc::RLock rlock;
  uint32_t depth = 7;
  EXPECT_EQ(mproc_rlock_depth(rlock.native(), &depth), 0);
  EXPECT_EQ(depth, 0u);

  mproc::Semaphore sem(3);
  uint32_t value = 0;
  EXPECT_EQ(mproc_sem_value(sem.native(), &value), 0);
  EXPECT_EQ(value, 3u);

  mproc::Event event;
  EXPECT_EQ(mproc_event_set(event.native()), 0);
  EXPECT_TRUE(event.is_set());

  mproc::Condition cond;
  const char* name = nullptr;
  EXPECT_EQ(mproc_cond_name(cond.native(), &name), 0);

  mproc::Barrier barrier(4);
  uint32_t parties = 0;
  EXPECT_EQ(mproc_barrier_parties(barrier.native(), &parties), 0);
  EXPECT_EQ(parties, 4u);

  mproc::SharedBlock block(64);
  size_t size = 0;
  EXPECT_EQ(mproc_shm_size(block.native(), &size), 0);
  EXPECT_EQ(size, 64u);

  mproc::Queue queue;
  ASSERT_EQ(mproc_queue_put(queue.native(), "hi", 2, 0), 0);
  mproc_msg_t* raw = nullptr;
  ASSERT_EQ(mproc_queue_get(queue.native(), &raw, 0), 0);
  mproc::Message msg(raw);
  size_t msg_size = 0;
  EXPECT_EQ(mproc_msg_size(msg.native(), &msg_size), 0);
  EXPECT_EQ(msg_size, 2u);

  auto [a, b] = mproc::Pipe();
  ASSERT_EQ(mproc_conn_send(a.native(), "x", 1, 0), 0);
  EXPECT_EQ(b.recv().str(), "x");

  mproc::Args args;
  args << 1 << "two";
  size_t count = 0;
  EXPECT_EQ(mproc_args_count(args.native(), &count), 0);
  EXPECT_EQ(count, 2u);
  mproc::ArgsView view(args.native());
  EXPECT_EQ(view.native(), args.native());

  mproc::SharedDict dict;
  ASSERT_EQ(mproc_dict_set(dict.native(), "k", 1, "v", 1), 0);
  mproc::Items items = dict.items();
  size_t n = 0;
  EXPECT_EQ(mproc_items_count(items.native(), &n), 0);
  EXPECT_EQ(n, 1u);
  mproc::SharedList list;
  ASSERT_EQ(mproc_list_append(list.native(), "e", 1), 0);
  EXPECT_EQ(list.size(), 1u);

  mproc::NetOptions net;
  EXPECT_EQ(mproc_net_opts_set_backlog(net.native(), 4), 0);
  mproc::Listener listener("", net);
  const char* address = nullptr;
  EXPECT_EQ(mproc_listener_address(listener.native(), &address), 0);
  mproc::WaitSet waitset;
  size_t slot = 0;
  EXPECT_EQ(mproc_waitset_add_listener(waitset.native(), listener.native(), &slot), 0);

  mproc::Pool pool(1);
  size_t workers = 0;
  EXPECT_EQ(mproc_pool_processes(pool.native(), &workers), 0);
  EXPECT_EQ(workers, 1u);
  mproc::Future future = pool.apply_async("gaps_upper", "f");
  EXPECT_EQ(mproc_future_wait(future.native(), MPROC_FOREVER), 0);
  std::vector<std::string> in = {"i"};
  mproc::Imap it = pool.imap("gaps_upper", in);
  size_t index = 9;
  mproc_msg_t* out = nullptr;
  ASSERT_EQ(mproc_imap_next(it.native(), &index, &out, MPROC_FOREVER), 0);
  EXPECT_EQ(index, 0u);
  mproc_msg_free(out);
  pool.close();
  EXPECT_TRUE(pool.join(60s));

  mproc::Process proc("hpp_gaps_exit_3");
  proc.start();
  proc.join();
  int code = 0;
  EXPECT_EQ(mproc_process_exitcode(proc.native(), &code), 0);
  EXPECT_EQ(code, 3);
}

MPROC_TASK(hpp_gaps_exit_3) { return 3; }

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
