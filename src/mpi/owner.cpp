#include "mpi/owner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "mpi/runtime.hpp"

// The plug-in's handle for one pool's workers.
struct mproc_mpi_link_s {};

namespace mproc::mpi {
namespace {

// Messages a rank sent before it died may still be on their way when its
// lifeline closes: they are taken for this long after.
constexpr int64_t kLostGraceMs = 20;
// How long the owner lets its ranks take to leave before it closes their
// lifelines, as the process ends.
constexpr int64_t kLeaveTimeoutMs = 10000;

struct Link : mproc_mpi_link_s {
  std::vector<RankSlot*> workers;
  std::vector<MPI_Comm> comms;        // the distinct communicators of the workers
  std::vector<bool> lost;
  std::vector<int64_t> closed_at_ms;  // lifeline seen closed (0: not yet)
  std::vector<std::string> closed_why;
  std::vector<Pending> sends;
  Pending receiving;       // a message coming in (request null: none)
  int receiving_count = 0;
  std::unique_ptr<char[]> inbox;  // the last message delivered
  int64_t lifelines_checked_ms = 0;
};

Link* as_link(mproc_mpi_link_t* l) { return static_cast<Link*>(l); }
const Link* as_link(const mproc_mpi_link_t* l) { return static_cast<const Link*>(l); }

CtrlMsg ctrl(CtrlKind kind) {
  CtrlMsg m{};
  m.magic = kCtrlMagic;
  m.kind = kind;
  return m;
}

// Sends a small control message without waiting: it goes to `into`, whose
// buffer lives until MPI is done with it.
int post_ctrl(MPI_Comm comm, int dest, const CtrlMsg& m, std::vector<Pending>& into) {
  Pending s{};
  s.buffer.reset(new char[sizeof m]);
  std::memcpy(s.buffer.get(), &m, sizeof m);
  int rc = MPI_Isend(s.buffer.get(), sizeof m, MPI_BYTE, dest, kTagCtrl, comm, &s.request);
  if (rc == MPI_SUCCESS) into.push_back(std::move(s));
  return rc;
}

void bury(std::vector<Pending>& pending) {
  Runtime& rt = runtime();
  rt.graveyard.insert(rt.graveyard.end(), std::make_move_iterator(pending.begin()),
                      std::make_move_iterator(pending.end()));
  pending.clear();
}

// Meets ranks dest[] of `comm` on new lifelines: each gets the address
// and the token, connects, and says who it is; each becomes a slot.
int meet(MPI_Comm comm, const std::vector<int>& dest, bool spawned,
         std::unique_lock<std::recursive_mutex>& lock, mproc_mpi_err_t* err) {
  try {
    LifelineListener listener;
    Token token = new_token();
    size_t n = dest.size();
    std::vector<Pending> sends;
    for (size_t i = 0; i < n; ++i) {
      CtrlMsg m = ctrl(kCtrlHello);
      m.index = static_cast<uint32_t>(i);
      m.port = listener.address().port;
      m.naddr = static_cast<uint16_t>(std::min(listener.address().ipv4.size(), kMaxAddresses));
      m.token = token;
      for (size_t k = 0; k < m.naddr; ++k) m.ipv4[k] = listener.address().ipv4[k];
      int rc = post_ctrl(comm, dest[i], m, sends);
      if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Isend: " + mpi_text(rc));
    }
    std::vector<int> fds(n, -1);
    std::vector<RankHello> hellos(n);
    // The ranks need nothing more from MPI meanwhile: other pools may use it.
    int64_t deadline = now_ms() + kMeetTimeoutMs;
    size_t missing = n;
    while (missing > 0 && now_ms() < deadline) {
      progress(sends);
      lock.unlock();
      missing = listener.accept_ranks(token, n, 1, fds, hellos);
      lock.lock();
    }
    bury(sends);
    if (missing > 0) {
      for (int fd : fds)
        if (fd >= 0) ::close(fd);
      std::string where;
      for (uint32_t ip : listener.address().ipv4)
        where += (where.empty() ? "" : ", ") + describe(ip, listener.address().port);
      return report(err, MPROC_ETIMEDOUT,
                    std::to_string(missing) + " of " + std::to_string(n) +
                        " MPI ranks did not reach the pool's lifeline (" + where +
                        ") within " + std::to_string(kMeetTimeoutMs / 1000) +
                        " s: their hosts must be able to open TCP connections to this one");
    }
    for (size_t i = 0; i < n; ++i) {
      auto slot = std::make_unique<RankSlot>();
      slot->comm = comm;
      slot->rank = dest[i];
      slot->lifeline = fds[i];
      slot->pid = hellos[i].pid;
      slot->spawned = spawned;
      slot->name = std::string(spawned ? "spawned rank " : "rank ") + std::to_string(dest[i]) +
                   " on " + (hellos[i].host.empty() ? "?" : hellos[i].host);
      runtime().slots.push_back(std::move(slot));
    }
    return 0;
  } catch (const std::exception& e) {
    return report(err, MPROC_EIO, e.what());
  }
}

// Starts `n` more ranks running `program`, which become slots.
int spawn(const char* program, size_t n, std::unique_lock<std::recursive_mutex>& lock,
          mproc_mpi_err_t* err) {
  MPI_Info info;
  MPI_Info_create(&info);
  std::string env = std::string(MPROC_MPI_WORKER_ENV) + "=1";
  MPI_Info_set(info, "env", env.c_str());
  // A spawn that fails must come back as an error, not abort the program.
  MPI_Errhandler previous;
  MPI_Comm_get_errhandler(MPI_COMM_SELF, &previous);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  std::vector<int> codes(n, MPI_SUCCESS);
  char* no_args[] = {nullptr};
  MPI_Comm comm = MPI_COMM_NULL;
  int rc = MPI_Comm_spawn(program, no_args, static_cast<int>(n), info, 0, MPI_COMM_SELF, &comm,
                          codes.data());
  MPI_Comm_set_errhandler(MPI_COMM_SELF, previous);
  MPI_Errhandler_free(&previous);
  MPI_Info_free(&info);
  if (rc != MPI_SUCCESS) {
    for (int code : codes)
      if (code != MPI_SUCCESS) {
        rc = code;
        break;
      }
    return report(err, MPROC_EAGAIN,
                  "MPI could not start " + std::to_string(n) + " ranks of " + program + ": " +
                      mpi_text(rc));
  }
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  std::vector<int> dest(n);
  for (size_t i = 0; i < n; ++i) dest[i] = static_cast<int>(i);
  return meet(comm, dest, true, lock, err);
}

// The first pool of an mpirun job meets the other ranks (each in its own
// mproc_pool_new).
int meet_world(std::unique_lock<std::recursive_mutex>& lock, mproc_mpi_err_t* err) {
  Runtime& rt = runtime();
  if (rt.world != MPI_COMM_NULL) return 0;
  int rc = MPI_Comm_dup(MPI_COMM_WORLD, &rt.world);
  if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Comm_dup: " + mpi_text(rc));
  MPI_Comm_set_errhandler(rt.world, MPI_ERRORS_RETURN);
  std::vector<int> dest;
  for (int r = 1; r < rt.world_size; ++r) dest.push_back(r);
  return meet(rt.world, dest, false, lock, err);
}

std::vector<RankSlot*> idle_slots() {
  std::vector<RankSlot*> idle;
  for (auto& s : runtime().slots)
    if (s->alive && !s->busy) idle.push_back(s.get());
  return idle;
}

// Marks a worker lost and closes its lifeline; its slot is lost to later
// pools too. Requests with it never complete: MPI keeps their buffers.
void mark_lost(Link* link, size_t i) {
  link->lost[i] = true;
  RankSlot* slot = link->workers[i];
  Runtime& rt = runtime();
  for (size_t k = 0; k < link->sends.size();) {
    if (link->sends[k].worker != i) {
      ++k;
      continue;
    }
    rt.graveyard.push_back(std::move(link->sends[k]));
    link->sends.erase(link->sends.begin() + static_cast<ptrdiff_t>(k));
  }
  if (link->receiving.request != MPI_REQUEST_NULL && link->receiving.worker == i) {
    rt.graveyard.push_back(std::move(link->receiving));
    link->receiving = Pending{};
  }
  slot->alive = false;
  slot->busy = false;
  if (slot->lifeline >= 0) ::close(slot->lifeline);
  slot->lifeline = -1;
}

// Starts taking the next message a worker of the link sent, if one came;
// false when none did (or on an error, with *rc set).
bool start_receiving(Link* link, mproc_mpi_err_t* err, int* rc) {
  for (MPI_Comm comm : link->comms) {
    int flag = 0;
    MPI_Message message;
    MPI_Status status;
    *rc = MPI_Improbe(MPI_ANY_SOURCE, kTagData, comm, &flag, &message, &status);
    if (*rc != MPI_SUCCESS) {
      *rc = report(err, MPROC_EIO, "MPI_Improbe: " + mpi_text(*rc));
      return false;
    }
    if (!flag) continue;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Pending r{};
    r.buffer.reset(new char[count > 0 ? count : 1]);
    r.worker = link->workers.size();  // none of ours, unless found below
    for (size_t i = 0; i < link->workers.size(); ++i)
      if (link->workers[i]->comm == comm && link->workers[i]->rank == status.MPI_SOURCE)
        r.worker = i;
    // Not blocking: a rank that dies while its message is on the way must
    // not hold the owner (its lifeline says so, and the receive is dropped).
    *rc = MPI_Imrecv(r.buffer.get(), count, MPI_BYTE, &message, &r.request);
    if (*rc != MPI_SUCCESS) {
      *rc = report(err, MPROC_EIO, "MPI_Imrecv: " + mpi_text(*rc));
      return false;
    }
    link->receiving = std::move(r);
    link->receiving_count = count;
    return true;
  }
  *rc = 0;
  return false;
}

// Whether the message coming in has arrived: it then becomes the inbox.
bool received(Link* link) {
  int done = 0;
  MPI_Test(&link->receiving.request, &done, MPI_STATUS_IGNORE);
  if (!done) return false;
  link->inbox = std::move(link->receiving.buffer);
  link->receiving.request = MPI_REQUEST_NULL;
  return true;
}

}  // namespace

int owner_open(const char* program, size_t processes, mproc_mpi_link_t** out,
               mproc_mpi_err_t* err) {
  std::unique_lock<std::recursive_mutex> lock(mpi_lock());
  int rc = ensure_up(err);
  if (rc != 0) return rc;
  Runtime& rt = runtime();
  if (rt.role != MPROC_MPI_OWNER)
    return report(err, MPROC_ESTATE, "this process serves an MPI pool; it owns none");
  size_t n = processes;
  if (rt.world_size > 1) {
    rc = meet_world(lock, err);
    if (rc != 0) return rc;
    size_t left = 0;
    for (auto& s : rt.slots) left += s->alive ? 1 : 0;
    std::vector<RankSlot*> idle = idle_slots();
    if (left == 0) return report(err, MPROC_EBROKEN, "every other rank of this mpirun job is gone");
    if (idle.empty())
      return report(err, MPROC_EBUSY,
                    "the ranks of this mpirun job serve another MPI pool; one at a time");
    if (n > idle.size())
      return report(err, MPROC_EINVAL,
                    "this mpirun job has " + std::to_string(idle.size()) +
                        " ranks free to serve a pool, not " + std::to_string(n) +
                        " (mpirun -n N gives N-1)");
    if (n == 0) n = idle.size();
  } else {
    if (n == 0) n = cpu_count();
    size_t idle = idle_slots().size();
    if (idle < n) {
      rc = spawn(program, n - idle, lock, err);
      if (rc != 0) return rc;
    }
  }
  auto link = std::make_unique<Link>();
  for (RankSlot* slot : idle_slots()) {
    if (link->workers.size() == n) break;
    slot->busy = true;
    link->workers.push_back(slot);
    if (std::find(link->comms.begin(), link->comms.end(), slot->comm) == link->comms.end())
      link->comms.push_back(slot->comm);
  }
  link->lost.assign(n, false);
  link->closed_at_ms.assign(n, 0);
  link->closed_why.assign(n, std::string());
  *out = link.release();
  return 0;
}

size_t owner_workers(const mproc_mpi_link_t* link) { return as_link(link)->workers.size(); }

int64_t owner_worker_pid(const mproc_mpi_link_t* link, size_t worker) {
  return as_link(link)->workers.at(worker)->pid;
}

const char* owner_worker_name(const mproc_mpi_link_t* link, size_t worker) {
  return as_link(link)->workers.at(worker)->name.c_str();
}

int owner_send(mproc_mpi_link_t* l, size_t worker, const void* data, size_t len,
               mproc_mpi_err_t* err) {
  Link* link = as_link(l);
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  if (runtime().finalizing)
    return report(err, MPROC_ECLOSED, "MPI was finalized (the process is ending)");
  if (worker >= link->workers.size()) return report(err, MPROC_EINVAL, "no such worker");
  if (link->lost[worker] || link->closed_at_ms[worker] != 0) return 0;  // it is gone
  if (len > static_cast<size_t>(INT32_MAX))
    return report(err, MPROC_ETOOBIG, "an MPI message holds at most 2 GiB");
  Pending s{};
  s.buffer.reset(new char[len == 0 ? 1 : len]);
  s.worker = worker;
  if (len > 0) std::memcpy(s.buffer.get(), data, len);
  const RankSlot* to = link->workers[worker];
  int rc = MPI_Isend(s.buffer.get(), static_cast<int>(len), MPI_BYTE, to->rank, kTagData,
                     to->comm, &s.request);
  if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Isend: " + mpi_text(rc));
  link->sends.push_back(std::move(s));
  return 0;
}

int owner_poll(mproc_mpi_link_t* l, mproc_mpi_event_t* ev, mproc_mpi_err_t* err) {
  Link* link = as_link(l);
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  ev->kind = MPROC_MPI_EVENT_NONE;
  ev->moving = 0;
  if (runtime().finalizing)
    return report(err, MPROC_ECLOSED, "MPI was finalized (the process is ending)");
  progress(link->sends);
  // Messages first: a rank's last replies count, even from one that died.
  for (;;) {
    if (link->receiving.request == MPI_REQUEST_NULL) {
      int rc = 0;
      if (!start_receiving(link, err, &rc)) {
        if (rc != 0) return rc;
        break;
      }
    }
    if (!received(link)) break;
    size_t i = link->receiving.worker;
    if (i >= link->workers.size() || link->lost[i]) continue;  // not ours, or too late
    ev->kind = MPROC_MPI_EVENT_MESSAGE;
    ev->worker = static_cast<uint32_t>(i);
    ev->data = link->inbox.get();
    ev->len = static_cast<size_t>(link->receiving_count);
    ev->moving = static_cast<uint32_t>(link->sends.size());
    return 0;
  }
  ev->moving = static_cast<uint32_t>(link->sends.size()) +
               (link->receiving.request != MPI_REQUEST_NULL ? 1 : 0);
  // Lifelines, at most every millisecond (one poll for all of them).
  int64_t now = now_ms();
  if (now != link->lifelines_checked_ms) {
    link->lifelines_checked_ms = now;
    std::vector<int> fds;
    for (const RankSlot* w : link->workers) fds.push_back(w->lifeline);
    std::vector<bool> closed;
    std::vector<std::string> why;
    lifelines_closed(fds, closed, why);
    for (size_t i = 0; i < closed.size(); ++i) {
      if (!closed[i] || link->closed_at_ms[i] != 0) continue;
      link->closed_at_ms[i] = now;
      link->closed_why[i] = why[i];
    }
  }
  for (size_t i = 0; i < link->workers.size(); ++i) {
    if (link->lost[i] || link->closed_at_ms[i] == 0 || now - link->closed_at_ms[i] < kLostGraceMs)
      continue;
    mark_lost(link, i);
    ev->kind = MPROC_MPI_EVENT_LOST;
    ev->worker = static_cast<uint32_t>(i);
    std::snprintf(ev->why, sizeof ev->why, "%s", link->closed_why[i].c_str());
    return 0;
  }
  return 0;
}

int owner_kill(mproc_mpi_link_t* l, size_t worker) {
  Link* link = as_link(l);
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  // A rank of the mpirun job is never killed (no later pool could have it
  // back); without recovery, Open MPI would end the whole job.
  if (!runtime().recovery || worker >= link->workers.size() || link->lost[worker]) return 0;
  RankSlot* w = link->workers[worker];
  if (!w->spawned || w->lifeline < 0) return 0;
  lifeline_send_kill(w->lifeline);
  return 1;
}

void owner_cancel(mproc_mpi_link_t* l, uint64_t pool) {
  Link* link = as_link(l);
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  for (size_t i = 0; i < link->workers.size(); ++i)
    if (!link->lost[i] && link->workers[i]->lifeline >= 0)
      lifeline_send_cancel(link->workers[i]->lifeline, pool);
}

void owner_close(mproc_mpi_link_t* l) {
  Link* link = as_link(l);
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  // The ranks wait for the owner's next pool.
  for (RankSlot* w : link->workers) w->busy = false;
  Runtime& rt = runtime();
  if (link->receiving.request != MPI_REQUEST_NULL) rt.graveyard.push_back(std::move(link->receiving));
  bury(link->sends);
  delete link;
}

void release_ranks_before_finalize() {
  Runtime& rt = runtime();
  if (rt.finalizing || rt.role != MPROC_MPI_OWNER) return;
  rt.finalizing = true;
  // Every rank still serving is told there will be no other pool, and
  // given a moment to leave: a spawned rank finalizes first (so the job it
  // belongs to ends cleanly), a rank of the mpirun job after (its
  // MPI_Finalize waits for this one's).
  std::vector<MPI_Comm> bereaved;  // communicators of ranks that died
  for (auto& s : rt.slots)
    if (!s->alive) bereaved.push_back(s->comm);
  rt.skip_finalize =
      std::find(bereaved.begin(), bereaved.end(), rt.world) != bereaved.end() &&
      rt.world != MPI_COMM_NULL;
  std::vector<Pending> exits;
  std::vector<int> open;
  for (auto& s : rt.slots) {
    if (!s->alive || s->lifeline < 0) continue;
    CtrlMsg m = ctrl(kCtrlExit);
    if (std::find(bereaved.begin(), bereaved.end(), s->comm) != bereaved.end())
      m.index = kExitSkipFinalize;
    post_ctrl(s->comm, s->rank, m, exits);
    open.push_back(s->lifeline);
  }
  int64_t deadline = now_ms() + kLeaveTimeoutMs;
  while (!open.empty() && now_ms() < deadline) {
    progress(exits);
    lifelines_wait_closed(open, 1);
    std::vector<bool> closed;
    std::vector<std::string> why;
    lifelines_closed(open, closed, why);
    std::vector<int> still;
    for (size_t k = 0; k < open.size(); ++k)
      if (!closed[k]) still.push_back(open[k]);
    open.swap(still);
  }
  for (auto& s : rt.slots) {
    if (s->lifeline >= 0) ::close(s->lifeline);
    s->lifeline = -1;
    s->alive = false;
  }
  bury(exits);
}

}  // namespace mproc::mpi
