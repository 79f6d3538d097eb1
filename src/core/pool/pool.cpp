#include "core/pool/pool.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cstring>

#include "core/children.hpp"
#include "core/identity.hpp"
#include "core/pool/pool_worker.hpp"
#include "core/tasks.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// A worker slot holds at most this much in flight: 128 tasks, or 2 chunks.
constexpr uint32_t kMaxLoad = 128;
constexpr uint32_t kChunkWeight = 64;
// How often the collector looks at running tasks when some have timeouts.
constexpr int64_t kTimeoutPollMs = 5;
// How long a dead worker's task queue may take to settle (its lock to be
// found orphaned and recovered).
constexpr int64_t kSettleMs = 5000;

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (const char* abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#endif
  return "signal " + std::to_string(sig);
}

}  // namespace

struct Pool::Unit {
  TaskHeader header{};
  std::string name;
  std::string owned;
  const void* borrowed = nullptr;
  size_t borrowed_len = 0;
  uint32_t weight = 1;
  int64_t timeout_ms = -1;
  bool timed_out = false;
  std::shared_ptr<Future> future;
  std::shared_ptr<MapJob> map;
  std::shared_ptr<ImapJob> imap;
  uint64_t first = 0;  // index of a chunk's first item

  const void* payload() const { return borrowed != nullptr ? borrowed : owned.data(); }
  size_t payload_len() const { return borrowed != nullptr ? borrowed_len : owned.size(); }
  size_t message_len() const { return sizeof header + name.size() + payload_len(); }
};

struct Pool::Worker {
  std::shared_ptr<Queue> tasks;
  std::shared_ptr<Process> process;
  uint64_t generation = 0;
  uint64_t sent = 0;  // units ever put into `tasks` (the next unit's id)
  std::deque<std::unique_ptr<Unit>> inflight;
  uint32_t load = 0;
  bool running = false;
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
  if (!options.initializer.empty() && find_task(options.initializer) == nullptr)
    fail(MPROC_ENOTFOUND, "pool: initializer task '" + options.initializer +
                              "' is not registered");
  auto pool = std::make_shared<Pool>(options, n);
  pool->start();
  return pool;
}

void Pool::start() {
  QueueOptions q;
  replies_ = Queue::create(q);
  slots_ = SharedBlock::create(sizeof(WorkerSlotState) * workers_.size(), SharedOptions{});
  std::lock_guard<std::mutex> lock(mu_);
  try {
    for (size_t i = 0; i < workers_.size(); ++i) {
      workers_[i].tasks = Queue::create(q);
      start_worker_locked(i);
    }
  } catch (...) {
    // No pool comes of it: the workers already started must not linger.
    kill_workers_locked();
    for (auto& w : workers_)
      if (w.running) w.process->join(Deadline::never());
    throw;
  }
  // The collector keeps the pool alive until it has seen the end.
  std::thread collector([self = shared_from_this()] { self->collect(); });
  collector_id_ = collector.get_id();
  collector.detach();
}

void Pool::start_worker_locked(size_t index) {
  Worker& w = workers_[index];
  WorkerArgs args;
  args.tasks = w.tasks;
  args.replies = replies_;
  args.slots = slots_;
  args.index = static_cast<int64_t>(index);
  args.maxtasks = static_cast<int64_t>(options_.maxtasks);
  args.initializer = options_.initializer;
  args.initializer_args = options_.initializer_args;
  ProcessOptions po;
  po.daemon = true;  // as Python's pool workers: they end with the pool's process
  po.method = method_;
  po.name = "PoolWorker-" + std::to_string(++workers_started_);
  auto process = std::make_shared<Process>(kPoolWorkerTask, find_task(kPoolWorkerTask),
                                           encode_worker_args(args), po);
  process->start();
  w.process = process;
  w.running = true;
  uint64_t generation = ++w.generation;
  // The exit notice joins the replies, after everything the worker itself
  // put there: the collector sees a worker's results before its death.
  process->on_exit([replies = replies_, index, generation](Child&) {
    ReplyHeader h{};
    h.kind = static_cast<uint32_t>(ReplyKind::kWorkerExited);
    h.worker = static_cast<uint32_t>(index);
    h.generation = generation;
    replies->put(&h, sizeof h, Deadline::after_ms(0));
  });
}

// ---- Submission ------------------------------------------------------------------

void Pool::resolve(const TaskRef& task, TaskHeader& header, std::string& name) {
  if (!task.name.empty()) {
    if (find_pool_task(task.name) == nullptr)
      fail(MPROC_ENOTFOUND, "pool task '" + task.name +
                                "' is not registered (define it with MPROC_POOL_TASK)");
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

void Pool::check_open_locked() {
  switch (state_) {
    case State::kRunning:
      return;
    case State::kBroken:
      fail(MPROC_ESTATE, "pool is broken: " + broken_why_);
    case State::kTerminated:
      fail(MPROC_ESTATE, "pool was terminated");
    default:
      fail(MPROC_ESTATE, "pool is closed");
  }
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
  auto unit = std::make_unique<Unit>();
  unit->header.kind = static_cast<uint32_t>(TaskKind::kSingle);
  unit->header.count = 1;
  resolve(task, unit->header, unit->name);
  if (len > 0) unit->owned.assign(static_cast<const char*>(in), len);
  unit->timeout_ms = options.timeout_ms;
  auto future = std::make_shared<Future>(options.callback);
  unit->future = future;
  std::vector<std::unique_ptr<Unit>> units;
  units.push_back(std::move(unit));
  submit(std::move(units));
  return future;
}

int Pool::map(const TaskRef& task, const void* inputs, size_t in_size, size_t count,
              void* outputs, size_t out_size, size_t chunksize, const Deadline& deadline,
              uint64_t* failed, std::string* message) {
  if (count == 0) return 0;
  if (chunksize == 0) {
    // Python's choice: four chunks per worker.
    size_t parts = workers_.size() * 4;
    chunksize = count / parts + (count % parts != 0 ? 1 : 0);
  }
  // A chunk must fit in a task queue message.
  uint64_t limit = workers_.front().tasks->max_message() - sizeof(TaskHeader) - 256;
  if (in_size > 0 && chunksize > limit / in_size) chunksize = std::max<size_t>(1, limit / in_size);
  if (out_size > 0 && chunksize > limit / out_size) chunksize = std::max<size_t>(1, limit / out_size);
  size_t chunks = count / chunksize + (count % chunksize != 0 ? 1 : 0);
  auto job = std::make_shared<MapJob>(outputs, out_size, chunks);
  TaskHeader base{};
  base.kind = static_cast<uint32_t>(TaskKind::kFixedChunk);
  base.in_size = in_size;
  base.out_size = out_size;
  std::string name;
  resolve(task, base, name);
  std::vector<std::unique_ptr<Unit>> units;
  units.reserve(chunks);
  for (size_t first = 0; first < count; first += chunksize) {
    auto u = std::make_unique<Unit>();
    u->header = base;
    u->header.count = std::min(chunksize, count - first);
    u->name = name;
    u->borrowed = static_cast<const char*>(inputs) + first * in_size;
    u->borrowed_len = u->header.count * in_size;
    u->weight = chunks > 1 ? kChunkWeight : 1;
    u->map = job;
    u->first = first;
    units.push_back(std::move(u));
  }
  submit(std::move(units));
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
  std::vector<std::unique_ptr<Unit>> units;
  for (size_t first = 0; first < count; first += chunksize) {
    auto u = std::make_unique<Unit>();
    u->header = base;
    u->header.count = std::min(chunksize, count - first);
    u->name = name;
    for (size_t i = first; i < first + u->header.count; ++i) {
      uint64_t len = lens[i];
      u->owned.append(reinterpret_cast<const char*>(&len), sizeof len);
      if (len > 0) u->owned.append(static_cast<const char*>(inputs[i]), len);
    }
    u->weight = u->header.count > 1 ? kChunkWeight : 1;
    u->imap = job;
    u->first = first;
    units.push_back(std::move(u));
  }
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
  try {
    collect_replies();
  } catch (const std::exception& e) {
    // Nothing can finish the pool's work any more: fail it all, loudly,
    // rather than take the program down from a detached thread.
    std::vector<std::function<void()>> after;
    break_down(std::string("the pool's result collector failed: ") + e.what(), MPROC_ESTATE,
               after);
    for (auto& f : after) {
      try {
        f();
      } catch (...) {
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  collector_done_ = true;
  collector_done_cv_.notify_all();
}

void Pool::collect_replies() {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    int64_t wait_ms;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wait_ms = timed_units_ > 0 ? kTimeoutPollMs : -1;
    }
    size_t len = 0;
    int rc = replies_->get_into(buf.data(), buf.size(), &len, Deadline::after_ms(wait_ms));
    if (rc == MPROC_ETOOBIG) {
      buf.resize(len);
      continue;
    }
    if (rc == MPROC_EEMPTY) {
      std::lock_guard<std::mutex> lock(mu_);
      check_timeouts_locked();
      continue;
    }
    if (rc != 0) break;  // closed (or corrupt): the pool is over
    if (len < sizeof(ReplyHeader)) continue;
    ReplyHeader h;
    std::memcpy(&h, buf.data(), sizeof h);
    std::vector<std::function<void()>> after;
    on_reply(h, buf.data() + sizeof h, len - sizeof h, after);
    for (auto& f : after) f();
    if (timed_units_ > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      check_timeouts_locked();
    }
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

void Pool::on_reply(const ReplyHeader& h, const char* body, size_t len,
                    std::vector<std::function<void()>>& after) {
  switch (static_cast<ReplyKind>(h.kind)) {
    case ReplyKind::kResult: {
      if (h.message_len > len) return;
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
      finish_unit(*unit, h, body, body + h.message_len, len - h.message_len, after);
      return;
    }
    case ReplyKind::kInitFailed: {
      std::string why(body, std::min<size_t>(h.message_len, len));
      break_down("the pool's initializer failed in a worker: " + why,
                 h.code < 0 ? h.code : MPROC_ETASK, after);
      return;
    }
    case ReplyKind::kWorkerExited:
      if (h.worker < workers_.size()) on_worker_exit(h.worker, h.generation, after);
      return;
    case ReplyKind::kWake:
      return;
  }
}

void Pool::on_worker_exit(size_t index, uint64_t generation,
                          std::vector<std::function<void()>>& after) {
  std::vector<std::unique_ptr<Unit>> failed;
  int code = MPROC_EWORKER;
  std::string why;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Worker& w = workers_[index];
    if (generation != w.generation || !w.running) return;
    w.running = false;
    int exitcode = 0;
    bool known = false;
    try {
      known = w.process->exitcode(&exitcode);
    } catch (const Error&) {
    }
    // At most one unit was taken and not answered: the one it was running.
    // The worker may have died inside its get; the settled count says
    // whether that get happened.
    uint64_t answered = w.sent - w.inflight.size();
    uint64_t taken = 0;
    if (w.tasks->taken_settled(&taken, Deadline::after_ms(kSettleMs)) != 0)
      taken = w.tasks->taken();  // a live process holds the lock: it is no worker of ours
    if (taken > answered && !w.inflight.empty()) {
      auto unit = std::move(w.inflight.front());
      w.inflight.pop_front();
      w.load -= unit->weight;
      if (unit->timeout_ms >= 0) --timed_units_;
      if (unit->timed_out) {
        code = MPROC_ETIMEDOUT;
        why = "the task ran past its timeout of " + std::to_string(unit->timeout_ms) +
              " ms; its worker was killed and replaced";
      } else {
        why = "worker process " + std::to_string(w.process->pid()) + " died (" +
              (!known ? std::string("exit status unknown")
               : exitcode < 0 ? "killed by " + signal_name(-exitcode)
                              : "exit status " + std::to_string(exitcode)) +
              ") while running this task";
      }
      failed.push_back(std::move(unit));
    }
    bool replace = !Children::exiting() &&
                   (state_ == State::kRunning || (state_ == State::kClosed && any_work_locked()));
    if (replace) {
      try {
        start_worker_locked(index);
      } catch (const Error& e) {
        state_ = State::kBroken;
        broken_why_ = std::string("a worker could not be replaced: ") + e.what();
        kill_workers_locked();  // a broken pool runs nothing more
        auto rest = take_all_locked();
        for (auto& u : rest) failed.push_back(std::move(u));
      }
    }
    maybe_finish_locked();
  }
  // The unit that died with the worker fails; if the pool broke, so does
  // everything else, with the reason.
  std::vector<std::unique_ptr<Unit>> first;
  if (!failed.empty() && !why.empty()) {
    first.push_back(std::move(failed.front()));
    failed.erase(failed.begin());
    fail_units(std::move(first), code, why, after);
  }
  if (!failed.empty()) fail_units(std::move(failed), MPROC_ESTATE, broken_why_, after);
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
    if (now - started > u.timeout_ms * 1000000) {
      u.timed_out = true;
      try {
        w.process->signal(SIGKILL);
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
    for (auto& w : workers_)
      if (w.running) w.tasks->put(&stop, sizeof stop, Deadline::after_ms(0));
    state_ = State::kStopping;
  }
  if (state_ == State::kRunning || state_ == State::kClosed) return;
  for (const auto& w : workers_)
    if (w.running) return;
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

void Pool::fail_units(std::vector<std::unique_ptr<Unit>> units, int code, const std::string& why,
                      std::vector<std::function<void()>>& after) {
  for (auto& u : units) {
    if (u->future) {
      auto callback = u->future->complete(code, why, std::string());
      if (callback) after.push_back([callback, f = u->future] { callback(f); });
    } else if (u->map) {
      u->map->complete_chunk(u->first, nullptr, 0, code, 0, why);
    } else if (u->imap) {
      for (uint64_t i = 0; i < u->header.count; ++i) u->imap->complete_item(u->first + i, code, why);
    }
  }
}

void Pool::finish_unit(Unit& unit, const ReplyHeader& h, const char* message,
                       const char* payload, size_t payload_len,
                       std::vector<std::function<void()>>& after) {
  std::string why(message, h.message_len);
  if (unit.future) {
    auto callback = unit.future->complete(
        h.code, why, h.code == 0 ? std::string(payload, payload_len) : std::string());
    if (callback) after.push_back([callback, f = unit.future] { callback(f); });
    return;
  }
  if (unit.map) {
    uint64_t expected = unit.header.count * unit.header.out_size;
    if (payload_len > expected || (h.code == 0 && payload_len != expected)) {
      unit.map->complete_chunk(unit.first, nullptr, 0, MPROC_ECORRUPT, 0,
                               "pool: a worker's reply does not match its chunk");
      return;
    }
    unit.map->complete_chunk(unit.first, payload, payload_len, h.code, h.failed_index, why);
    return;
  }
  if (unit.imap) {
    size_t at = 0;
    for (uint64_t i = 0; i < unit.header.count; ++i) {
      VarItemHeader ih;
      if (payload_len - at < sizeof ih) {
        unit.imap->complete_item(unit.first + i, MPROC_ECORRUPT,
                                 "pool: a worker's reply does not match its chunk");
        continue;
      }
      std::memcpy(&ih, payload + at, sizeof ih);
      at += sizeof ih;
      if (ih.len > payload_len - at) {
        at = payload_len;
        unit.imap->complete_item(unit.first + i, MPROC_ECORRUPT,
                                 "pool: a worker's reply does not match its chunk");
        continue;
      }
      unit.imap->complete_item(unit.first + i, ih.code,
                               std::string(payload + at, static_cast<size_t>(ih.len)));
      at += ih.len;
    }
  }
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
      w.process->signal(SIGKILL);
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

void Pool::terminate_unless_closed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed || state_ == State::kStopping) return;
  }
  terminate();
}

int Pool::join(const Deadline& deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (state_ == State::kRunning)
    fail(MPROC_ESTATE, "pool: join needs close or terminate first");
  if (std::this_thread::get_id() == collector_id_)
    fail(MPROC_ESTATE, "pool: join from one of its own callbacks would wait for itself");
  return wait_until(collector_done_cv_, lock, deadline, [this] { return collector_done_; })
             ? 0
             : MPROC_ETIMEDOUT;
}

std::vector<pid_t> Pool::worker_pids() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<pid_t> pids;
  for (const auto& w : workers_)
    if (w.running) pids.push_back(w.process->pid());
  return pids;
}

}  // namespace mproc::core
