#include "mpi/serve.hpp"

#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mpi/runtime.hpp"

// The plug-in's handle for this process as a worker.
struct mproc_mpi_serve_s {};

namespace mproc::mpi {
namespace {

// The owner is rank 0 of the other group (spawned) or of the job.
constexpr int kOwner = 0;
// The longest nap between looks at a message being sent.
constexpr int64_t kSendNapLimitNs = 50000;

struct Serve : mproc_mpi_serve_s {
  MPI_Comm comm = MPI_COMM_NULL;
  std::unique_ptr<LifelineWatch> watch;
  std::vector<char> inbox;
  Backoff backoff;
};

Serve* as_serve(mproc_mpi_serve_t* s) { return static_cast<Serve*>(s); }

// Takes the owner's next message with tag `tag` into the inbox, if one
// has come: 1, 0, or an error.
int take(Serve* s, int tag, size_t* len, mproc_mpi_err_t* err) {
  int flag = 0;
  MPI_Message message;
  MPI_Status status;
  int rc = MPI_Improbe(kOwner, tag, s->comm, &flag, &message, &status);
  if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Improbe: " + mpi_text(rc));
  if (!flag) return 0;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  s->inbox.resize(static_cast<size_t>(std::max(count, 1)));
  rc = MPI_Mrecv(s->inbox.data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Mrecv: " + mpi_text(rc));
  *len = static_cast<size_t>(count);
  return 1;
}

// Waits for the owner's control message; false when none came in time.
int await_ctrl(Serve* s, CtrlMsg* m, int64_t timeout_ms, mproc_mpi_err_t* err) {
  int64_t deadline = now_ms() + timeout_ms;
  Backoff backoff;
  for (;;) {
    size_t len = 0;
    int got;
    {
      std::lock_guard<std::recursive_mutex> lock(mpi_lock());
      got = take(s, kTagCtrl, &len, err);
    }
    if (got < 0) return got;
    if (got == 1) {
      if (len != sizeof *m) return report(err, MPROC_ECORRUPT, "a malformed control message");
      std::memcpy(m, s->inbox.data(), sizeof *m);
      if (m->magic != kCtrlMagic) return report(err, MPROC_ECORRUPT, "a malformed control message");
      return 0;
    }
    if (now_ms() > deadline)
      return report(err, MPROC_ETIMEDOUT, "the pool's owner never said hello");
    backoff.nap();
  }
}

}  // namespace

int serve_open(mproc_mpi_serve_t** out, mproc_mpi_err_t* err) {
  auto s = std::make_unique<Serve>();
  {
    std::lock_guard<std::recursive_mutex> lock(mpi_lock());
    int rc = ensure_up(err);
    if (rc != 0) return rc;
    Runtime& rt = runtime();
    if (rt.role != MPROC_MPI_SERVER)
      return report(err, MPROC_ESTATE, "this process owns MPI pools; it serves none");
    if (rt.parent != MPI_COMM_NULL) {
      s->comm = rt.parent;
    } else {
      // The owner makes the same call in its first MPI pool.
      rc = MPI_Comm_dup(MPI_COMM_WORLD, &rt.world);
      if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Comm_dup: " + mpi_text(rc));
      s->comm = rt.world;
    }
    MPI_Comm_set_errhandler(s->comm, MPI_ERRORS_RETURN);
  }
  CtrlMsg hello{};
  int rc = await_ctrl(s.get(), &hello, kMeetTimeoutMs, err);
  if (rc != 0) return rc;
  if (hello.kind != kCtrlHello || hello.naddr > kMaxAddresses)
    return report(err, MPROC_ECORRUPT, "the pool's owner did not start with hello");
  LifelineAddress to;
  to.port = hello.port;
  to.ipv4.assign(hello.ipv4, hello.ipv4 + hello.naddr);
  RankHello me;
  me.index = hello.index;
  me.pid = static_cast<int64_t>(::getpid());
  {
    std::lock_guard<std::recursive_mutex> lock(mpi_lock());
    me.host = runtime().host;
  }
  try {
    int fd = lifeline_connect(to, hello.token, me, kMeetTimeoutMs);
    s->watch = std::make_unique<LifelineWatch>(fd);
  } catch (const std::exception& e) {
    return report(err, MPROC_ECONNREFUSED, e.what());
  }
  *out = s.release();
  return 0;
}

int serve_recv(mproc_mpi_serve_t* handle, const void** data, size_t* len, mproc_mpi_err_t* err) {
  Serve* s = as_serve(handle);
  s->backoff.reset();
  for (;;) {
    {
      std::lock_guard<std::recursive_mutex> lock(mpi_lock());
      for (int tag : {kTagCtrl, kTagData}) {
        int got = take(s, tag, len, err);
        if (got < 0) return got;
        if (got == 0) continue;
        if (tag == kTagCtrl) {
          CtrlMsg m{};
          if (*len == sizeof m) std::memcpy(&m, s->inbox.data(), sizeof m);
          if (m.magic == kCtrlMagic && m.kind == kCtrlExit) {
            runtime().skip_finalize = (m.index & kExitSkipFinalize) != 0;
            return MPROC_EOF;
          }
          continue;  // nothing else is for a serving rank
        }
        *data = s->inbox.data();
        return 0;
      }
    }
    s->backoff.nap();
  }
}

int serve_send(mproc_mpi_serve_t* handle, const void* data, size_t len, mproc_mpi_err_t* err) {
  Serve* s = as_serve(handle);
  if (len > static_cast<size_t>(INT32_MAX))
    return report(err, MPROC_ETOOBIG, "an MPI message holds at most 2 GiB");
  // Sent before the rank goes on: MPI moves a large message only while
  // both ends make calls, and the rank makes none while its tasks run. It
  // naps between calls rather than spin as MPI_Send would, leaving the CPU
  // to the owner, which must make calls too. (Should the owner die
  // meanwhile, the lifeline ends this process.)
  MPI_Request request;
  int rc;
  {
    std::lock_guard<std::recursive_mutex> lock(mpi_lock());
    rc = MPI_Isend(data, static_cast<int>(len), MPI_BYTE, kOwner, kTagData, s->comm, &request);
  }
  if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Isend: " + mpi_text(rc));
  Backoff backoff;
  for (;;) {
    int done = 0;
    {
      std::lock_guard<std::recursive_mutex> lock(mpi_lock());
      rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    }
    if (rc != MPI_SUCCESS) return report(err, MPROC_EIO, "MPI_Test: " + mpi_text(rc));
    if (done) return 0;
    backoff.nap(kSendNapLimitNs);
  }
}

int serve_cancelled(mproc_mpi_serve_t* handle, uint64_t pool) {
  Serve* s = as_serve(handle);
  return s->watch && s->watch->cancelled(pool) ? 1 : 0;
}

void serve_close(mproc_mpi_serve_t* handle) {
  Serve* s = as_serve(handle);
  std::unique_lock<std::recursive_mutex> lock(mpi_lock());
  // Every reply went out before its send returned. A spawned rank is done
  // with MPI before it closes its lifeline: its owner waits for that, so
  // it starts no other job while this one's ranks are still finalizing
  // (Open MPI 4.1 under mpirun can hang such a spawn). The ranks of an
  // mpirun job close it first: their MPI_Finalize waits for rank 0's,
  // which waits for their lifelines.
  bool spawned = runtime().parent != MPI_COMM_NULL;
  if (!spawned && s->watch) s->watch->leave();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && !runtime().skip_finalize) MPI_Finalize();
  if (s->watch) s->watch->leave();
  delete s;
}

}  // namespace mproc::mpi
