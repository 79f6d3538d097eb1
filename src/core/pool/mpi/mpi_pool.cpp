#include "core/pool/mpi/mpi_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/launch/start.hpp"
#include "core/pool/mpi/mpi_plugin_loader.hpp"
#include "core/pool/mpi/mpi_serve.hpp"
#include "core/pool/mpi/mpi_wire.hpp"
#include "core/tasks.hpp"
#include "core/wire.hpp"
#include "platform/error.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// Batches on their way to one rank at a time: one being worked on, one
// waiting behind it so the rank never idles for a round trip.
constexpr size_t kWindow = 2;
// A batch holds at most this many units, or this many bytes (a single
// bigger unit goes alone).
constexpr size_t kMaxBatchUnits = 1024;
constexpr size_t kMaxBatchBytes = size_t{4} << 20;
// A map chunk's inputs, or its outputs, stay within this.
constexpr uint64_t kMaxChunkBytes = uint64_t{64} << 20;
// One unit's message (MPI counts bytes in an int).
constexpr uint64_t kMaxUnitBytes = uint64_t{1} << 30;
// A batch is cut to take about this long to run, by the time a unit has
// been taking (while that is not known yet, a batch holds one unit): many
// quick tasks travel together, slow ones one by one, spread over the ranks.
constexpr int64_t kBatchRunNs = 2000000;
// After terminate, how long a rank may take to finish the task it runs
// before it is killed (where that cannot end the MPI job).
constexpr int64_t kTerminateGraceNs = 1000000000;
// Events handled per round before the driver plans again.
constexpr int kEventsPerRound = 64;
// The driver's naps when nothing happens: from the first to the longest.
constexpr int64_t kFirstNapNs = 20000;
constexpr int64_t kLongestNapNs = 1000000;

// The kBegin message: the initializer and its arguments, which must be
// plain values (ranks on other hosts share no descriptors with us).
std::string begin_message(const PoolOptions& options, uint64_t pool) {
  WireWriter w;
  w.i64(static_cast<int64_t>(pool));
  w.str(options.initializer);
  std::string args;
  if (options.initializer_args) {
    for (size_t i = 0; i < options.initializer_args->size(); ++i) {
      int type = options.initializer_args->at(i).type;
      if (type != MPROC_ARG_BYTES && type != MPROC_ARG_STR && type != MPROC_ARG_I64 &&
          type != MPROC_ARG_F64)
        fail(MPROC_EINVAL, std::string("pool: an MPI pool's initializer takes only bytes, "
                                       "strings, integers and floats (argument ") +
                               std::to_string(i) + " is " + arg_type_name(type) +
                               ": ranks on other hosts share no handles)");
    }
    WireWriter a;
    std::vector<int> fds;
    options.initializer_args->encode(a, fds);
    args = a.take();
  }
  w.bytes(args.data(), args.size());
  w.u8(options.initializer_args ? 1 : 0);
  std::string body = w.take();
  MpiMsgWriter msg(MpiMsgKind::kBegin);
  std::string_view part(body);
  msg.record(&part, 1);
  return msg.take();
}

std::string bare_message(MpiMsgKind kind) { return MpiMsgWriter(kind).take(); }

// Each pool's number, for the ranks of an mpirun job that serve one after
// another.
std::atomic<uint64_t> g_pools{0};

}  // namespace

// ---- Creation ------------------------------------------------------------------

std::shared_ptr<PoolBase> MpiPool::create(const PoolOptions& options) {
  const mproc_mpi_plugin_t& plugin = mpi_plugin();
  mproc_mpi_err_t err{};
  mproc_mpi_role_t role{};
  int rc = plugin.role(&role, &err);
  if (rc != 0) fail_mpi(rc, err, "pool: MPI");
  if (role == MPROC_MPI_SERVER) serve_mpi_and_exit(plugin);

  if (options.maxtasks != 0)
    fail(MPROC_ENOTSUP, "pool: an MPI pool cannot replace its ranks, so it has no "
                        "maxtasksperchild");
  if (options.method != MPROC_START_DEFAULT)
    fail(MPROC_ENOTSUP, "pool: an MPI pool's ranks are started by MPI, not by a start method");
  if (options.processes > 4096) fail(MPROC_EINVAL, "pool: at most 4096 workers");
  if (!options.initializer.empty()) (void)require_task(options.initializer, "pool: initializer");
  uint64_t number = ++g_pools;
  std::string begin = begin_message(options, number);

  mproc_mpi_link_t* link = nullptr;
  rc = plugin.open(executable_path().c_str(), options.processes, &link, &err);
  if (rc != 0) fail_mpi(rc, err, "pool: MPI ranks");
  std::shared_ptr<MpiPool> pool;
  try {
    pool = std::make_shared<MpiPool>(plugin, link, number, std::move(begin));
  } catch (...) {
    plugin.close(link);
    throw;
  }
  pool->start();
  return pool;
}

MpiPool::MpiPool(const mproc_mpi_plugin_t& plugin, mproc_mpi_link_t* link, uint64_t number,
                 std::string begin)
    : plugin_(plugin), link_(link), number_(number), begin_(std::move(begin)) {
  ranks_ = std::vector<Rank>(plugin_.workers(link_));
  for (size_t i = 0; i < ranks_.size(); ++i) {
    ranks_[i].pid = plugin_.worker_pid(link_, i);
    ranks_[i].name = plugin_.worker_name(link_, i);
  }
}

MpiPool::~MpiPool() = default;

void MpiPool::start() {
  std::thread driver([self = shared_from_this()] { self->drive(); });
  std::lock_guard<std::mutex> lock(mu_);
  collector_id_ = driver.get_id();
  driver.detach();  // it holds the pool until it has let the ranks go
}

size_t MpiPool::processes() const noexcept {
  std::lock_guard<std::mutex> lock(mu_);
  return alive_locked();
}

std::vector<int64_t> MpiPool::worker_pids() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> pids;
  for (const auto& r : ranks_)
    if (r.alive) pids.push_back(r.pid);
  return pids;
}

// ---- Submission ------------------------------------------------------------------

void MpiPool::resolve(const TaskRef& task, TaskHeader&, std::string& name) const {
  if (!task.name.empty()) {
    (void)require_pool_task(task.name, "pool");
    name = task.name;
    return;
  }
  name = pool_task_name_of(task.fn);
  if (name.empty())
    fail(MPROC_ENOTSUP, "pool: an MPI pool runs registered tasks only (a function cannot "
                        "travel to another process): register it with MPROC_POOL_TASK");
}

void MpiPool::submit(UnitList units) {
  for (const auto& u : units)
    if (u->message_len() > kMaxUnitBytes)
      fail(MPROC_ETOOBIG, "pool: an input of " + std::to_string(u->payload_len()) +
                              " bytes is over an MPI pool's limit of " +
                              std::to_string(kMaxUnitBytes));
  std::lock_guard<std::mutex> lock(mu_);
  check_open_locked();
  for (auto& u : units) pending_.push_back(std::move(u));
  wake_driver_locked();
}

std::shared_ptr<Future> MpiPool::apply_async(const TaskRef& task, const void* in, size_t len,
                                             const TaskOptions& options) {
  if (options.timeout_ms >= 0)
    fail(MPROC_ENOTSUP, "pool: an MPI pool cannot stop a running task, so it takes no "
                        "per-task timeout");
  TaskHeader header{};
  std::string name;
  resolve(task, header, name);
  auto future = std::make_shared<Future>(options.callback);
  UnitList units;
  units.push_back(single_unit(header, name, in, len, future));
  submit(std::move(units));
  return future;
}

int MpiPool::map(const TaskRef& task, const void* inputs, size_t in_size, size_t count,
                 void* outputs, size_t out_size, size_t chunksize, const Deadline& deadline,
                 uint64_t* failed, std::string* message) {
  if (count == 0) return 0;
  TaskHeader base{};
  base.in_size = in_size;
  base.out_size = out_size;
  std::string name;
  resolve(task, base, name);
  size_t workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers = alive_locked();
  }
  chunksize = map_chunksize(chunksize, count, workers, in_size, out_size, kMaxChunkBytes);
  size_t chunks = count / chunksize + (count % chunksize != 0 ? 1 : 0);
  auto job = std::make_shared<MapJob>(outputs, out_size, chunks);
  submit(map_units(base, name, inputs, count, chunksize, job, 1));
  int rc = job->wait(deadline, failed, message);
  if (rc == MPROC_ETIMEDOUT) {
    // Units not yet packed point into the caller's inputs: drop them now
    // (those sent were copied into their batches).
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                  [&](const std::unique_ptr<WorkUnit>& u) { return u->map == job; }),
                   pending_.end());
  }
  return rc;
}

std::shared_ptr<ImapJob> MpiPool::imap(const TaskRef& task, const void* const* inputs,
                                       const size_t* lens, size_t count, size_t chunksize,
                                       bool ordered) {
  TaskHeader base{};
  std::string name;
  resolve(task, base, name);
  auto job = std::make_shared<ImapJob>(count, ordered);
  UnitList units =
      imap_units(base, name, inputs, lens, count, chunksize == 0 ? 1 : chunksize, job, 1);
  if (!units.empty()) submit(std::move(units));
  return job;
}

// ---- The driver ------------------------------------------------------------------

void MpiPool::wake_driver_locked() {
  kicked_ = true;
  if (driver_asleep_) wake_.notify_one();
}

size_t MpiPool::alive_locked() const {
  size_t n = 0;
  for (const auto& r : ranks_) n += r.alive ? 1 : 0;
  return n;
}

bool MpiPool::any_work_locked() const {
  if (!pending_.empty()) return true;
  for (const auto& r : ranks_)
    if (!r.inflight.empty()) return true;
  return false;
}

void MpiPool::batch_locked(Rank& rank, size_t index, size_t units, std::vector<Outgoing>& out) {
  MpiMsgWriter msg(MpiMsgKind::kBatch);
  size_t taken = 0;
  while (taken < units && !pending_.empty()) {
    WorkUnit& u = *pending_.front();
    if (taken > 0 && msg.size() + u.message_len() > kMaxBatchBytes) break;
    u.header.id = rank.sent++;
    u.header.name_len = static_cast<uint32_t>(u.name.size());
    std::string_view parts[] = {
        {reinterpret_cast<const char*>(&u.header), sizeof u.header},
        u.name,
        {static_cast<const char*>(u.payload()), u.payload_len()}};
    msg.record(parts, 3);
    rank.inflight.push_back(std::move(pending_.front()));
    pending_.pop_front();
    ++taken;
  }
  rank.batches.push_back(taken);
  out.push_back({index, msg.take()});
}

bool MpiPool::plan_locked(std::vector<Outgoing>& out) {
  if (state_ == State::kRunning || state_ == State::kClosed) {
    // Batches: to the rank with the fewest on their way, each a share of
    // what waits, so that a few slow tasks spread over every rank and
    // many quick ones travel in large batches.
    size_t alive = alive_locked();
    while (!pending_.empty() && alive > 0) {
      size_t best = ranks_.size();
      for (size_t i = 0; i < ranks_.size(); ++i) {
        const Rank& r = ranks_[i];
        if (!r.alive || r.batches.size() >= kWindow) continue;
        if (best == ranks_.size() || r.batches.size() < ranks_[best].batches.size()) best = i;
      }
      if (best == ranks_.size()) break;
      size_t share = (pending_.size() + kWindow * alive - 1) / (kWindow * alive);
      size_t paced = unit_ns_ <= 0 ? 1 : static_cast<size_t>(kBatchRunNs / unit_ns_);
      batch_locked(ranks_[best], best, std::clamp<size_t>(std::min(share, paced), 1, kMaxBatchUnits),
                   out);
    }
    if (state_ == State::kClosed && !any_work_locked()) {
      for (size_t i = 0; i < ranks_.size(); ++i) {
        if (!ranks_[i].alive || ranks_[i].stop_sent) continue;
        ranks_[i].stop_sent = true;
        out.push_back({i, bare_message(MpiMsgKind::kStop)});
      }
      state_ = State::kStopping;
    }
    return false;
  }
  // Terminated or broken: the driver ends the ranks' work first.
  if (state_ != State::kStopping && !stopping_sent_) return false;
  for (const auto& r : ranks_)
    if (r.alive && !r.said_bye) return false;
  return true;
}

void MpiPool::drive() {
  AfterList after;
  auto run_after = [&after] {
    for (auto& f : after) {
      try {
        f();
      } catch (...) {
      }
    }
    after.clear();
  };
  // A failure of the plug-in itself: nothing more can be said to the
  // ranks, so the pool breaks and lets them go.
  auto transport_failed = [&](int rc, const mproc_mpi_err_t& err) {
    std::string why = std::string("the MPI transport failed (") + error_name(rc) + "): " +
                      std::string(err.text, strnlen(err.text, sizeof err.text));
    std::lock_guard<std::mutex> lock(mu_);
    break_locked(MPROC_EBROKEN, why, after);
    stopping_sent_ = true;
    for (auto& r : ranks_) r.alive = false;
  };
  mproc_mpi_err_t err{};
  for (size_t i = 0; i < ranks_.size(); ++i) {
    int rc = plugin_.send(link_, i, begin_.data(), begin_.size(), &err);
    if (rc != 0) transport_failed(rc, err);
  }
  int64_t nap_ns = kFirstNapNs;
  int64_t ending_since_ns = 0;  // terminate (or a break) asked the ranks to end
  bool killed = false;
  for (;;) {
    std::vector<Outgoing> out;
    bool over;
    bool end_ranks = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      kicked_ = false;
      if ((state_ == State::kTerminated || state_ == State::kBroken) && !stopping_sent_) {
        stopping_sent_ = true;
        end_ranks = true;
      }
      over = plan_locked(out);
    }
    if (end_ranks) {
      // The ranks skip what was sent to them, finish the task they run and
      // say goodbye, ready for the next pool; those that take too long
      // are killed below, if they can be.
      plugin_.cancel(link_, number_);
      ending_since_ns = platform::monotonic_ns();
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < ranks_.size(); ++i) {
        if (!ranks_[i].alive || ranks_[i].stop_sent) continue;
        ranks_[i].stop_sent = true;
        out.push_back({i, bare_message(MpiMsgKind::kStop)});
      }
    } else if (ending_since_ns > 0 && !killed &&
               platform::monotonic_ns() - ending_since_ns > kTerminateGraceNs) {
      // Those still running a task are killed where that is allowed (each
      // is then reported lost); the others wait for the next pool.
      killed = true;
      std::vector<size_t> late;
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (size_t i = 0; i < ranks_.size(); ++i)
          if (ranks_[i].alive && !ranks_[i].said_bye) late.push_back(i);
      }
      for (size_t i : late) plugin_.kill(link_, i);
    }
    bool progressed = !out.empty();
    for (const auto& o : out) {
      int rc = plugin_.send(link_, o.rank, o.message.data(), o.message.size(), &err);
      if (rc != 0) {
        transport_failed(rc, err);
        break;
      }
    }
    run_after();
    if (over) break;
    bool moving = false;
    for (int i = 0; i < kEventsPerRound; ++i) {
      mproc_mpi_event_t ev{};
      int rc = plugin_.poll(link_, &ev, &err);
      if (rc != 0) {
        transport_failed(rc, err);
        break;
      }
      moving = ev.moving > 0;
      if (ev.kind == MPROC_MPI_EVENT_NONE) break;
      progressed = true;
      if (ev.worker >= ranks_.size()) continue;
      if (ev.kind == MPROC_MPI_EVENT_MESSAGE)
        on_message(ev.worker, std::string_view(static_cast<const char*>(ev.data), ev.len), after);
      else if (ev.kind == MPROC_MPI_EVENT_LOST)
        on_lost(ev.worker, std::string(ev.why, strnlen(ev.why, sizeof ev.why)), after);
      run_after();
    }
    if (progressed || moving) {
      // A message on its way moves only while it is polled: short naps.
      nap_ns = kFirstNapNs;
      if (progressed) continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    driver_asleep_ = true;
    wake_.wait_for(lock, std::chrono::nanoseconds(nap_ns), [this] { return kicked_; });
    driver_asleep_ = false;
    nap_ns = std::min(nap_ns * 2, kLongestNapNs);
  }
  plugin_.close(link_);
  link_ = nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  collector_done_ = true;
  collector_done_cv_.notify_all();
}

void MpiPool::on_message(size_t index, std::string_view msg, AfterList& after) {
  MpiMsgView view;
  std::lock_guard<std::mutex> lock(mu_);
  Rank& rank = ranks_[index];
  if (!decode_mpi_msg(msg, &view)) {
    break_locked(MPROC_ECORRUPT, rank.name + " sent a malformed message", after);
    return;
  }
  switch (static_cast<MpiMsgKind>(view.header.kind)) {
    case MpiMsgKind::kReady: {
      std::string_view record;
      ReplyView reply;
      if (!take_mpi_record(&view.body, &record) || !decode_reply(record, &reply)) {
        break_locked(MPROC_ECORRUPT, rank.name + " sent a malformed message", after);
        return;
      }
      if (reply.header.code != 0)
        break_locked(reply.header.code,
                     "the pool's initializer failed in " + rank.name + ": " +
                         std::string(reply.message),
                     after);
      return;
    }
    case MpiMsgKind::kReplies:
      if (view.header.count > 0) {
        // How long a unit takes, smoothed over the last few replies.
        int64_t per_unit = static_cast<int64_t>(
            std::min<uint64_t>(view.header.busy_ns / view.header.count, INT64_MAX / 4));
        unit_ns_ = unit_ns_ <= 0 ? std::max<int64_t>(per_unit, 1)
                                 : std::max<int64_t>((3 * unit_ns_ + per_unit) / 4, 1);
      }
      on_replies(index, view.body, after);
      return;
    case MpiMsgKind::kBye:
      rank.said_bye = true;
      return;
    default:
      break_locked(MPROC_ECORRUPT, rank.name + " sent a message only an owner sends", after);
  }
}

void MpiPool::on_replies(size_t index, std::string_view body, AfterList& after) {
  // Replies to units terminate or a break already failed are dropped.
  if (state_ == State::kTerminated || state_ == State::kBroken) return;
  Rank& rank = ranks_[index];
  std::string_view record;
  while (take_mpi_record(&body, &record)) {
    ReplyView reply;
    if (!decode_reply(record, &reply) || rank.inflight.empty() ||
        reply.header.id != rank.inflight.front()->header.id) {
      break_locked(MPROC_ECORRUPT, rank.name + " answered a task it was not sent", after);
      return;
    }
    std::unique_ptr<WorkUnit> unit = std::move(rank.inflight.front());
    rank.inflight.pop_front();
    if (!rank.batches.empty() && --rank.batches.front() == 0) rank.batches.pop_front();
    finish_unit(*unit, reply, after);
  }
  if (!body.empty()) break_locked(MPROC_ECORRUPT, rank.name + " sent a malformed reply", after);
}

void MpiPool::on_lost(size_t index, const std::string& why, AfterList& after) {
  std::lock_guard<std::mutex> lock(mu_);
  Rank& rank = ranks_[index];
  if (!rank.alive) return;
  rank.alive = false;
  UnitList held(std::make_move_iterator(rank.inflight.begin()),
                std::make_move_iterator(rank.inflight.end()));
  rank.inflight.clear();
  rank.batches.clear();
  fail_units(std::move(held), MPROC_EWORKER,
             rank.name + " (pid " + std::to_string(rank.pid) + ") died holding this task: " + why,
             after);
  if ((state_ == State::kRunning || state_ == State::kClosed) && alive_locked() == 0)
    break_locked(MPROC_EBROKEN, "every rank of the pool is gone (the last, " + rank.name +
                                    ": " + why + ")",
                 after);
}

void MpiPool::break_locked(int code, std::string why, AfterList& after) {
  if (state_ == State::kTerminated || state_ == State::kBroken) return;
  state_ = State::kBroken;
  broken_why_ = std::move(why);
  fail_units(take_all_locked(), code, broken_why_, after);
}

UnitList MpiPool::take_all_locked() {
  UnitList units;
  for (auto& u : pending_) units.push_back(std::move(u));
  pending_.clear();
  for (auto& r : ranks_) {
    for (auto& u : r.inflight) units.push_back(std::move(u));
    r.inflight.clear();
    r.batches.clear();
  }
  return units;
}

// ---- Shutting down ---------------------------------------------------------------

void MpiPool::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kRunning) return;
  state_ = State::kClosed;
  wake_driver_locked();
}

void MpiPool::terminate() {
  UnitList units;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kTerminated) return;
    if (state_ != State::kBroken) state_ = State::kTerminated;
    units = take_all_locked();
    wake_driver_locked();
  }
  // Tasks failed here have their callbacks run here, on the caller's thread.
  AfterList after;
  fail_units(std::move(units), MPROC_ECLOSED, "pool was terminated", after);
  for (auto& f : after) f();
}

}  // namespace mproc::core
