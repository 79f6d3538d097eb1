// The plug-in's state in this process: MPI brought up once, every MPI call
// made under one lock (MPI_THREAD_SERIALIZED), the job's other ranks when
// they serve (mpirun -n N), and what must happen before MPI is finalized.
#pragma once

#include <mpi.h>
#include <mproc/common.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/pool/mpi/mpi_plugin.h"
#include "mpi/lifeline.hpp"

namespace mproc::mpi {

// How long the owner and a new rank may take to meet (MPI started the
// rank; it gets the owner's hello and reaches its lifeline).
inline constexpr int64_t kMeetTimeoutMs = 30000;

// Message tags on the plug-in's communicators.
enum Tag : int { kTagData = 1, kTagCtrl = 3 };

// The owner's control messages (kTagCtrl).
inline constexpr uint32_t kCtrlMagic = 0x6d706963;  // "mpic"
enum CtrlKind : uint32_t { kCtrlHello = 1, kCtrlExit = 2 };
inline constexpr size_t kMaxAddresses = 32;
// kCtrlExit's flags: a rank of the job the receiver belongs to died, and
// Open MPI 4.1's MPI_Finalize may wait for it for good (its fence counts
// every rank): the receiver ends without it (with recovery on, mpirun
// takes that as it takes a finalized rank).
inline constexpr uint32_t kExitSkipFinalize = 1;
struct CtrlMsg {
  uint32_t magic;
  uint32_t kind;
  uint32_t index;  // hello: the rank's index in its pool; exit: flags
  uint16_t port;   // hello: the owner's lifeline
  uint16_t naddr;
  Token token;
  uint32_t ipv4[kMaxAddresses];
};

// A message on its way out (or in), and its buffer, kept until MPI is done
// with it; `worker` is the peer's index in its pool, for the owner.
struct Pending {
  MPI_Request request = MPI_REQUEST_NULL;
  std::unique_ptr<char[]> buffer;
  size_t worker = 0;
};

// Drops the requests MPI is done with.
void progress(std::vector<Pending>& pending);

// A rank the owner has met: spawned by one of its pools, or another rank of
// the mpirun job. Once met, a rank serves pool after pool until the owner
// ends (MPI_Comm_spawn is slow, and Open MPI 4.1 with PMIx 4 now and then
// hangs in it for good: spawning again for every pool would court that).
struct RankSlot {
  MPI_Comm comm = MPI_COMM_NULL;  // shared by the ranks met together
  int rank = 0;                   // in comm's remote group (spawned) or in it (the job's)
  int lifeline = -1;
  int64_t pid = 0;
  std::string name;               // "rank 2 on host-a", for messages
  bool spawned = false;           // can be killed (with recovery) without ending the job
  bool alive = true;
  bool busy = false;              // serving a pool now
};

struct Runtime {
  bool up = false;
  int pid = 0;  // the process that brought MPI up here
  bool we_initialized = false;
  bool finalizing = false;  // MPI_Finalize has begun: no more calls
  bool skip_finalize = false;  // a rank of this job died: end without MPI_Finalize
  bool recovery = false;    // Open MPI goes on when a rank dies
  mproc_mpi_role_t role = MPROC_MPI_OWNER;
  MPI_Comm parent = MPI_COMM_NULL;  // a spawned worker's link to its owner
  int world_rank = 0;
  int world_size = 1;
  std::string host;

  // The job's communicator (a duplicate of MPI_COMM_WORLD), once the first
  // pool of an mpirun job met the other ranks.
  MPI_Comm world = MPI_COMM_NULL;
  // The owner's ranks, met so far (never removed: links point at them).
  std::vector<std::unique_ptr<RankSlot>> slots;
  // Requests with ranks that died never complete: their buffers are kept
  // here for good, since MPI may still use them.
  std::vector<Pending> graveyard;
};

// The lock every MPI call is made under. Recursive: MPI_Finalize, called
// with it held, calls back into the plug-in (finalize_hook).
std::recursive_mutex& mpi_lock();
// The state; use with mpi_lock() held.
Runtime& runtime();

// Brings MPI up (first call) and fills the runtime. 0 or an error.
int ensure_up(mproc_mpi_err_t* err);

// Sets *err and returns `code`.
int report(mproc_mpi_err_t* err, int code, const std::string& text);
// MPI's own words for an MPI error code.
std::string mpi_text(int rc);

// What the owner does as MPI_Finalize begins (owner.cpp): tells every rank
// still serving it to leave, and waits a little for them to.
void release_ranks_before_finalize();

// The number of CPUs this process may run on.
size_t cpu_count();

// Waits (a short, growing nap) between polls that found nothing.
class Backoff {
 public:
  void reset() noexcept { nap_ns_ = 0; }
  // Naps, each time twice as long, up to `limit_ns`.
  void nap(int64_t limit_ns = 1000000) noexcept;

 private:
  int64_t nap_ns_ = 0;
};

}  // namespace mproc::mpi
