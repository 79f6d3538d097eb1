#include "core/pool/pool.hpp"

#include <algorithm>
#include <system_error>

#include "core/launch/children.hpp"
#include "core/fault.hpp"
#include "core/identity.hpp"
#include "core/pool/pool_worker.hpp"
#include "core/tasks.hpp"
#include "platform/signals.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// A worker slot holds at most this much in flight: 128 tasks, or 2 chunks.
constexpr uint32_t kMaxLoad = 128;
constexpr uint32_t kChunkWeight = 64;
// How often the collector looks at running tasks when some have timeouts.
constexpr int64_t kTimeoutPollMs = 5;
// How long the collector sleeps otherwise. Within this it finds an exit
// notice that could not be queued, a wake-up that was lost, and work a
// failed put left pending.
constexpr int64_t kIdlePollMs = 100;
// The longest per-task timeout counted in nanoseconds without overflow;
// longer ones never expire (they are longer than any process lives).
constexpr int64_t kMaxTimeoutMs = INT64_MAX / 1000000;
// How long a dead worker's task queue may take to settle (its lock to be
// found orphaned and recovered).
constexpr int64_t kSettleMs = 5000;

}  // namespace

struct Pool::Worker {
  std::shared_ptr<Queue> tasks;
  std::shared_ptr<Process> process;
  uint64_t generation = 0;
  uint64_t sent = 0;  // units ever put into `tasks` (the next unit's id)
  std::deque<std::unique_ptr<Unit>> inflight;
  uint32_t load = 0;
  bool running = false;
  // From its worker's exit until its repair has decided the unit the
  // worker held and started a replacement (or not).
  bool repairing = false;
  std::thread repairer;
};

// Exit notices that could not be put into the reply queue. At most one per
// worker slot is ever outstanding (a slot's next worker starts only after
// its last one's notice was handled), so the room reserved up front is
// always enough: recording a notice cannot fail.
struct Pool::ExitNotices {
  struct Notice {
    size_t index;
    uint64_t generation;
  };
  std::mutex mu;
  std::vector<Notice> missed;

  // On the reactor, once a worker was reaped.
  void post(Queue& replies, size_t index, uint64_t generation) noexcept {
    ReplyHeader h{};
    h.kind = static_cast<uint32_t>(ReplyKind::kWorkerExited);
    h.worker = static_cast<uint32_t>(index);
    h.generation = generation;
    bool queued = false;
    if (!fault_due(FaultSite::kPoolNotice)) {
      try {
        queued = replies.put(&h, sizeof h, Deadline::after_ms(0)) == 0;
      } catch (...) {
      }
    }
    if (queued) return;
    std::lock_guard<std::mutex> lock(mu);
    if (missed.size() < missed.capacity()) missed.push_back({index, generation});
  }

  // Appends the notices kept aside to `into`.
  void take(std::vector<Notice>& into) {
    std::lock_guard<std::mutex> lock(mu);
    into.insert(into.end(), missed.begin(), missed.end());
    missed.clear();
  }
};

// ---- Creation ------------------------------------------------------------------

Pool::Pool(const PoolOptions& options, size_t processes)
    : options_(options),
      method_(options.method == MPROC_START_DEFAULT ? default_start_method() : options.method) {
  workers_ = std::vector<Worker>(processes);
}

Pool::~Pool() = default;

size_t Pool::processes() const noexcept { return workers_.size(); }

std::shared_ptr<Pool> Pool::create(const PoolOptions& options) {
  ensure_pool_worker_registered();
  size_t n = options.processes > 0 ? options.processes
                                   : static_cast<size_t>(platform::cpu_count());
  if (n > 4096) fail(MPROC_EINVAL, "pool: at most 4096 workers");
  if (!options.initializer.empty()) (void)require_task(options.initializer, "pool: initializer");
  auto pool = std::make_shared<Pool>(options, n);
  pool->start();
  return pool;
}

void Pool::start() {
  QueueOptions q;
  replies_ = Queue::create(q);
  slots_ = SharedBlock::create(sizeof(WorkerSlotState) * workers_.size(), SharedOptions{});
  notices_ = std::make_shared<ExitNotices>();
  notices_->missed.reserve(workers_.size());
  for (auto& w : workers_) w.tasks = Queue::create(q);
  std::lock_guard<std::mutex> lock(mu_);
  // Every worker starts, or no pool is made: a pool smaller than asked
  // for would surprise its user, and the workers already started must not
  // linger.
  auto stop_started = [this] {
    kill_workers_locked();
    for (auto& w : workers_)
      if (w.running) w.process->join(Deadline::never());
  };
  for (size_t i = 0; i < workers_.size(); ++i) {
    try {
      publish_worker_locked(i, launch_worker(i, ++workers_started_, false));
    } catch (const Error& e) {
      stop_started();
      fail(e.code(), "pool: worker " + std::to_string(i + 1) + " of " +
                         std::to_string(workers_.size()) +
                         " could not start, so no pool was made: " + e.what());
    } catch (...) {
      stop_started();
      throw;
    }
  }
  // The collector keeps the pool alive until it has seen the end.
  std::thread collector([self = shared_from_this()] { self->collect(); });
  collector_id_ = collector.get_id();
  collector.detach();
}

std::shared_ptr<Process> Pool::launch_worker(size_t index, uint64_t number, bool replacing) {
  WorkerArgs args;
  args.tasks = workers_[index].tasks;  // set at creation, never changed
  args.replies = replies_;
  args.slots = slots_;
  args.index = static_cast<int64_t>(index);
  args.maxtasks = static_cast<int64_t>(options_.maxtasks);
  args.initializer = options_.initializer;
  args.initializer_args = options_.initializer_args;
  ProcessOptions po;
  po.daemon = true;  // as Python's pool workers: they end with the pool's process
  po.method = method_;
  po.name = "PoolWorker-" + std::to_string(number);
  inject_fault(replacing ? FaultSite::kPoolReplace : FaultSite::kPoolStart);
  auto process = std::make_shared<Process>(kPoolWorkerTask, find_task(kPoolWorkerTask),
                                           encode_worker_args(args), po);
  process->start();
  return process;
}

void Pool::publish_worker_locked(size_t index, std::shared_ptr<Process> process) {
  Worker& w = workers_[index];
  w.process = std::move(process);
  w.running = true;
  uint64_t generation = ++w.generation;
  // The exit notice joins the replies, after everything the worker itself
  // put there: the collector sees a worker's results before its death.
  w.process->on_exit([replies = replies_, notices = notices_, index, generation](Child&) {
    notices->post(*replies, index, generation);
  });
}

// ---- Submission ------------------------------------------------------------------

void Pool::resolve(const TaskRef& task, TaskHeader& header, std::string& name) {
  if (!task.name.empty()) {
    (void)require_pool_task(task.name, "pool");
    name = task.name;
    return;
  }
  name = pool_task_name_of(task.fn);
  if (!name.empty()) return;
  if (method_ != MPROC_START_FORK)
    fail(MPROC_ENOTSUP, std::string("pool: an unregistered function can run only in a fork "
                                    "pool; this pool uses ") +
                            start_method_name(method_));
  header.fn = reinterpret_cast<uint64_t>(task.fn);
}

void Pool::submit(std::vector<std::unique_ptr<Unit>> units) {
  uint64_t limit = workers_.front().tasks->max_message();
  for (const auto& u : units)
    if (u->message_len() > limit)
      fail(MPROC_ETOOBIG, "pool: an input of " + std::to_string(u->payload_len()) +
                              " bytes is over the limit of " + std::to_string(limit));
  std::lock_guard<std::mutex> lock(mu_);
  check_open_locked();
  for (auto& u : units) {
    if (u->timeout_ms >= 0) ++timed_units_;
    pending_.push_back(std::move(u));
  }
  dispatch_locked();
}

void Pool::dispatch_locked() {
  bool timed_before = timed_units_ > 0;
  while (!pending_.empty()) {
    Worker* best = &workers_.front();
    for (auto& w : workers_)
      if (w.load < best->load) best = &w;
    Unit& u = *pending_.front();
    if (best->load > 0 && best->load + u.weight > kMaxLoad) break;
    u.header.id = best->sent;
    u.header.name_len = static_cast<uint32_t>(u.name.size());
    Part parts[] = {{&u.header, sizeof u.header},
                    {u.name.data(), u.name.size()},
                    {u.payload(), u.payload_len()}};
    if (best->tasks->put_parts(parts, 3, Deadline::after_ms(0)) != 0) break;
    best->sent++;
    best->load += u.weight;
    best->inflight.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  // A collector asleep without a timeout must start watching the clock.
  if (!timed_before && timed_units_ > 0) wake_collector();
}

std::shared_ptr<Future> Pool::apply_async(const TaskRef& task, const void* in, size_t len,
                                          const TaskOptions& options) {
  TaskHeader header{};
  std::string name;
  resolve(task, header, name);
  auto future = std::make_shared<Future>(options.callback);
  auto unit = single_unit(header, name, in, len, future);
  unit->timeout_ms = options.timeout_ms;
  std::vector<std::unique_ptr<Unit>> units;
  units.push_back(std::move(unit));
  submit(std::move(units));
  return future;
}

int Pool::map(const TaskRef& task, const void* inputs, size_t in_size, size_t count,
              void* outputs, size_t out_size, size_t chunksize, const Deadline& deadline,
              uint64_t* failed, std::string* message) {
  if (count == 0) return 0;
  // A chunk must fit in a task queue message.
  uint64_t limit = workers_.front().tasks->max_message() - sizeof(TaskHeader) - 256;
  chunksize = map_chunksize(chunksize, count, workers_.size(), in_size, out_size, limit);
  size_t chunks = count / chunksize + (count % chunksize != 0 ? 1 : 0);
  auto job = std::make_shared<MapJob>(outputs, out_size, chunks);
  TaskHeader base{};
  base.kind = static_cast<uint32_t>(TaskKind::kFixedChunk);
  base.in_size = in_size;
  base.out_size = out_size;
  std::string name;
  resolve(task, base, name);
  submit(map_units(base, name, inputs, count, chunksize, job, kChunkWeight));
  int rc = job->wait(deadline, failed, message);
  if (rc == MPROC_ETIMEDOUT) {
    // Units still pending point into the caller's inputs: drop them now.
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                  [&](const std::unique_ptr<Unit>& u) { return u->map == job; }),
                   pending_.end());
  }
  return rc;
}

std::shared_ptr<ImapJob> Pool::imap(const TaskRef& task, const void* const* inputs,
                                    const size_t* lens, size_t count, size_t chunksize,
                                    bool ordered) {
  if (chunksize == 0) chunksize = 1;
  auto job = std::make_shared<ImapJob>(count, ordered);
  TaskHeader base{};
  base.kind = static_cast<uint32_t>(TaskKind::kVarChunk);
  std::string name;
  resolve(task, base, name);
  std::vector<std::unique_ptr<Unit>> units =
      imap_units(base, name, inputs, lens, count, chunksize, job, kChunkWeight);
  if (!units.empty()) submit(std::move(units));
  return job;
}

// ---- The collector -----------------------------------------------------------------

void Pool::wake_collector() {
  ReplyHeader h{};
  h.kind = static_cast<uint32_t>(ReplyKind::kWake);
  replies_->put(&h, sizeof h, Deadline::after_ms(0));
}

void Pool::collect() {
  std::vector<std::function<void()>> after;
  try {
    collect_replies();
  } catch (const std::exception& e) {
    // Nothing can finish the pool's work any more: fail it all, loudly,
    // rather than take the program down from a detached thread.
    break_down(std::string("the pool's result collector failed: ") + e.what(), MPROC_EBROKEN,
               after);
  }
  // Repairs still under way end on their own (a pool that is over starts
  // no worker); what they failed is completed here.
  for (auto& w : workers_) {
    std::thread repairer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      repairer = std::move(w.repairer);
    }
    if (repairer.joinable()) repairer.join();
  }
  complete_failures(after);
  for (auto& f : after) {
    try {
      f();
    } catch (...) {
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  collector_done_ = true;
  collector_done_cv_.notify_all();
}

void Pool::complete_failures(std::vector<std::function<void()>>& after) {
  std::vector<Failure> failures;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failures.swap(failures_);
  }
  for (auto& f : failures) fail_units(std::move(f.units), f.code, f.why, after);
}

void Pool::collect_replies() {
  std::vector<char> buf(64 * 1024);
  // Exit notices kept aside, each with the number of replies put when it
  // was taken up: the worker's own replies are among those, so once that
  // many have been read, its exit can be handled.
  struct Held {
    ExitNotices::Notice notice;
    uint64_t replies_before;
  };
  std::vector<Held> held;
  std::vector<ExitNotices::Notice> fresh;
  auto handle_held = [&](bool all) {
    uint64_t read = replies_->taken();
    for (size_t i = 0; i < held.size();) {
      if (all || read >= held[i].replies_before) {
        Held h = held[i];
        held.erase(held.begin() + static_cast<ptrdiff_t>(i));
        on_worker_exit(h.notice.index, h.notice.generation);
      } else {
        ++i;
      }
    }
  };
  for (;;) {
    std::vector<std::function<void()>> after;
    complete_failures(after);
    for (auto& f : after) f();
    after.clear();
    int64_t wait_ms;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wait_ms = timed_units_ > 0 ? kTimeoutPollMs : kIdlePollMs;
    }
    notices_->take(fresh);
    if (!fresh.empty()) {
      // The collector is the queue's only reader: taken + qsize is the
      // count of replies put so far.
      uint64_t put = replies_->taken() + replies_->qsize();
      for (const auto& n : fresh) held.push_back({n, put});
      fresh.clear();
    }
    size_t len = 0;
    int rc = replies_->get_into(buf.data(), buf.size(), &len, Deadline::after_ms(wait_ms));
    if (rc == MPROC_ETOOBIG) {
      buf.resize(len);
      continue;
    }
    if (rc == MPROC_EEMPTY) {
      // Nothing arrived while we waited, so every reply the workers in
      // `held` put before they ended has been read: their exits can be
      // handled now, as if their notices had come.
      handle_held(true);
      std::lock_guard<std::mutex> lock(mu_);
      check_timeouts_locked();
      dispatch_locked();  // a put that failed for a moment left work pending
      continue;
    }
    if (rc == MPROC_ECLOSED) break;  // the pool is over
    if (rc != 0) fail(rc, std::string("the pool's reply queue failed: ") + error_text(rc));
    ReplyView reply;
    if (!decode_reply(std::string_view(buf.data(), len), &reply)) continue;
    on_reply(reply, after);
    for (auto& f : after) f();
    if (!held.empty()) handle_held(false);
    std::lock_guard<std::mutex> lock(mu_);
    if (timed_units_ > 0) check_timeouts_locked();
  }
}

void Pool::break_down(std::string why, int code, std::vector<std::function<void()>>& after) {
  std::vector<std::unique_ptr<Unit>> units;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kTerminated || state_ == State::kBroken) return;
    state_ = State::kBroken;
    broken_why_ = std::move(why);
    units = take_all_locked();
    kill_workers_locked();
    maybe_finish_locked();
  }
  fail_units(std::move(units), code, broken_why_, after);
}

void Pool::on_reply(const ReplyView& reply, std::vector<std::function<void()>>& after) {
  const ReplyHeader& h = reply.header;
  switch (static_cast<ReplyKind>(h.kind)) {
    case ReplyKind::kResult: {
      std::unique_ptr<Unit> unit;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (h.worker >= workers_.size()) return;
        Worker& w = workers_[h.worker];
        auto it = std::find_if(w.inflight.begin(), w.inflight.end(),
                               [&](const std::unique_ptr<Unit>& u) { return u->header.id == h.id; });
        if (it == w.inflight.end()) return;  // failed already (terminate)
        unit = std::move(*it);
        w.inflight.erase(it);
        w.load -= unit->weight;
        if (unit->timeout_ms >= 0) --timed_units_;
        dispatch_locked();
        maybe_finish_locked();
      }
      finish_unit(*unit, reply, after);
      return;
    }
    case ReplyKind::kInitFailed: {
      std::string why(reply.message);
      break_down("the pool's initializer failed in a worker: " + why,
                 h.code < 0 ? h.code : MPROC_ETASK, after);
      return;
    }
    case ReplyKind::kWorkerExited:
      if (h.worker < workers_.size()) on_worker_exit(h.worker, h.generation);
      return;
    case ReplyKind::kWake:
      return;
  }
}

void Pool::on_worker_exit(size_t index, uint64_t generation) {
  std::thread previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Worker& w = workers_[index];
    if (generation != w.generation || !w.running) return;  // seen already
    w.running = false;
    if (state_ != State::kRunning && state_ != State::kClosed) {
      // Terminated, broken or stopping: its units were failed already (or
      // there were none), and nothing replaces it.
      maybe_finish_locked();
      return;
    }
    w.repairing = true;
    // The slot's last repair published this worker under the lock: that
    // thread is past its work and only returning.
    previous = std::move(w.repairer);
  }
  if (previous.joinable()) previous.join();
  std::thread repairer;
  try {
    repairer = std::thread([self = shared_from_this(), index] { self->repair(index); });
  } catch (const std::system_error&) {
    repair(index);  // no thread to be had: repair here, holding up results meanwhile
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  workers_[index].repairer = std::move(repairer);
}

void Pool::repair(size_t index) {
  std::shared_ptr<Queue> tasks;
  std::shared_ptr<Process> dead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks = workers_[index].tasks;
    dead = workers_[index].process;
  }
  // The worker may have died inside its get: the settled count says
  // whether that get happened. Settling can take seconds (the lock the
  // worker held is found orphaned and recovered), so no pool lock is held.
  stall_at_fault(FaultSite::kPoolSettle);
  uint64_t taken = 0;
  if (tasks->taken_settled(&taken, Deadline::after_ms(kSettleMs)) != 0)
    taken = tasks->taken();  // a live process holds the lock: it is no worker of ours
  int exitcode = 0;
  bool known = false;
  try {
    known = dead->exitcode(&exitcode);
  } catch (const Error&) {
  }

  Failure died{{}, MPROC_EWORKER, std::string()};
  uint64_t number = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Worker& w = workers_[index];
    // At most one unit was taken and not answered: the one it was running.
    // (Units put into the queue since its death are neither.)
    uint64_t answered = w.sent - w.inflight.size();
    if (taken > answered && !w.inflight.empty()) {
      auto unit = std::move(w.inflight.front());
      w.inflight.pop_front();
      w.load -= unit->weight;
      if (unit->timeout_ms >= 0) --timed_units_;
      if (unit->timed_out) {
        died.code = MPROC_ETIMEDOUT;
        died.why = "the task ran past its timeout of " + std::to_string(unit->timeout_ms) +
                   " ms; its worker was killed and replaced";
      } else {
        died.why = "worker process " + std::to_string(dead->pid()) + " died (" +
                   (!known ? std::string("exit status unknown")
                    : exitcode < 0 ? "killed by " + platform::signal_name(-exitcode)
                                   : "exit status " + std::to_string(exitcode)) +
                   ") while running this task";
      }
      died.units.push_back(std::move(unit));
    }
    bool replace = !Children::exiting() &&
                   (state_ == State::kRunning || (state_ == State::kClosed && any_work_locked()));
    if (!replace) {
      w.repairing = false;
      if (!died.units.empty()) failures_.push_back(std::move(died));
      maybe_finish_locked();
      wake_collector();
      return;
    }
    number = ++workers_started_;
  }

  std::shared_ptr<Process> process;
  std::string why_not;
  try {
    process = launch_worker(index, number, true);
  } catch (const std::exception& e) {
    why_not = e.what();
  }

  std::lock_guard<std::mutex> lock(mu_);
  Worker& w = workers_[index];
  w.repairing = false;
  if (!died.units.empty()) failures_.push_back(std::move(died));
  if (process) {
    try {
      publish_worker_locked(index, process);
    } catch (const std::exception& e) {
      // Unwatched, it could die unnoticed: it must not run at all.
      try {
        process->signal(platform::kSignalKill);
      } catch (const Error&) {
      }
      why_not = e.what();
      process.reset();
    }
  }
  if (process && (state_ == State::kTerminated || state_ == State::kBroken)) {
    try {
      process->signal(platform::kSignalKill);  // the pool ended while it started
    } catch (const Error&) {
    }
  } else if (!process && (state_ == State::kRunning || state_ == State::kClosed)) {
    // A pool short of a worker would leave that slot's tasks waiting for
    // good: it breaks instead, and says why.
    state_ = State::kBroken;
    broken_why_ = "a worker could not be replaced: " + why_not;
    kill_workers_locked();
    failures_.push_back({take_all_locked(), MPROC_EBROKEN, "pool is broken: " + broken_why_});
  }
  maybe_finish_locked();
  wake_collector();
}

void Pool::check_timeouts_locked() {
  int64_t now = platform::monotonic_ns();
  auto* slots = static_cast<WorkerSlotState*>(slots_->data());
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = workers_[i];
    if (!w.running || w.inflight.empty()) continue;
    Unit& u = *w.inflight.front();
    if (u.timeout_ms < 0 || u.timed_out) continue;
    if (slots[i].running.load(std::memory_order_acquire) != u.header.id + 1) continue;
    int64_t started = slots[i].started_ns.load(std::memory_order_relaxed);
    if (u.timeout_ms <= kMaxTimeoutMs && now - started > u.timeout_ms * 1000000) {
      u.timed_out = true;
      try {
        w.process->signal(platform::kSignalKill);
      } catch (const Error&) {
      }
    }
  }
}

bool Pool::any_work_locked() const {
  if (!pending_.empty()) return true;
  for (const auto& w : workers_)
    if (!w.inflight.empty()) return true;
  return false;
}

void Pool::maybe_finish_locked() {
  if (state_ == State::kClosed && !any_work_locked()) {
    TaskHeader stop{};
    stop.kind = static_cast<uint32_t>(TaskKind::kStop);
    // A slot under repair gets one too: its replacement, if one is
    // already starting, reads it from the same queue.
    for (auto& w : workers_)
      if (w.running || w.repairing) w.tasks->put(&stop, sizeof stop, Deadline::after_ms(0));
    state_ = State::kStopping;
  }
  if (state_ == State::kRunning || state_ == State::kClosed) return;
  for (const auto& w : workers_)
    if (w.running || w.repairing) return;
  replies_->close();
}

std::vector<std::unique_ptr<Pool::Unit>> Pool::take_all_locked() {
  std::vector<std::unique_ptr<Unit>> units;
  for (auto& u : pending_) units.push_back(std::move(u));
  pending_.clear();
  for (auto& w : workers_) {
    for (auto& u : w.inflight) units.push_back(std::move(u));
    w.inflight.clear();
    w.load = 0;
  }
  timed_units_ = 0;
  return units;
}

// ---- Shutting down ---------------------------------------------------------------------

void Pool::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kRunning) return;
  state_ = State::kClosed;
  maybe_finish_locked();
}

void Pool::kill_workers_locked() noexcept {
  for (auto& w : workers_) {
    if (!w.running) continue;
    try {
      w.process->signal(platform::kSignalKill);
    } catch (const Error&) {
    }
  }
}

void Pool::terminate() {
  std::vector<std::unique_ptr<Unit>> units;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kTerminated) return;
    if (state_ != State::kBroken) state_ = State::kTerminated;
    units = take_all_locked();
    kill_workers_locked();
    maybe_finish_locked();
  }
  // Tasks failed here have their callbacks run here, on the caller's thread.
  std::vector<std::function<void()>> after;
  fail_units(std::move(units), MPROC_ECLOSED, "pool was terminated", after);
  for (auto& f : after) f();
}

std::vector<int64_t> Pool::worker_pids() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> pids;
  for (const auto& w : workers_)
    if (w.running) pids.push_back(w.process->pid());
  return pids;
}

Pool::View Pool::view() {
  View v{};
  {
    std::lock_guard<std::mutex> lock(notices_->mu);
    v.missed_notices = notices_->missed.size();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& w : workers_)
    v.slots.push_back({w.generation, w.sent, w.inflight.size(), w.load, w.running, w.repairing});
  v.pending = pending_.size();
  v.timed = timed_units_;
  return v;
}

}  // namespace mproc::core
