#include "mpi/runtime.hpp"

#include <sched.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mproc::mpi {
namespace {

// Whether an environment variable holds one of Open MPI's words for true.
bool env_true(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return false;
  for (const char* yes : {"1", "true", "yes", "t", "y", "on", "enabled"})
    if (strcasecmp(v, yes) == 0) return true;
  return false;
}

// A program run alone (no launcher set up its environment).
bool run_alone() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMIX_RANK") == nullptr &&
         std::getenv("PMI_RANK") == nullptr;
}

// Called by MPI when it frees MPI_COMM_SELF's attributes, first thing in
// MPI_Finalize, whoever calls it.
int finalize_hook(MPI_Comm, int, void*, void*) {
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  if (::getpid() != runtime().pid) return MPI_SUCCESS;  // a forked copy: not its ranks
  release_ranks_before_finalize();
  runtime().finalizing = true;
  return MPI_SUCCESS;
}

// At exit, when this plug-in brought MPI up: mpirun reports a rank that
// exits without MPI_Finalize as a failure of the whole job.
void finalize_at_exit() {
  std::lock_guard<std::recursive_mutex> lock(mpi_lock());
  // A child forked after MPI came up (the fork start method) inherits this
  // handler, not MPI: it must leave the parent's MPI alone.
  if (::getpid() != runtime().pid) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  // The ranks go first (MPI_Finalize would not come back if one of this
  // job's ranks died: see kExitSkipFinalize).
  release_ranks_before_finalize();
  if (!runtime().skip_finalize) MPI_Finalize();
}

}  // namespace

std::recursive_mutex& mpi_lock() {
  static auto* mu = new std::recursive_mutex;  // used at exit
  return *mu;
}

Runtime& runtime() {
  static auto* rt = new Runtime;  // used at exit
  return *rt;
}

int report(mproc_mpi_err_t* err, int code, const std::string& text) {
  if (err != nullptr) std::snprintf(err->text, sizeof err->text, "%s", text.c_str());
  return code;
}

std::string mpi_text(int rc) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(rc);
  return std::string(text, static_cast<size_t>(len));
}

size_t cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<size_t>(CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<size_t>(n) : 1;
}

void progress(std::vector<Pending>& pending) {
  if (pending.empty()) return;
  std::vector<MPI_Request> requests;
  requests.reserve(pending.size());
  for (auto& p : pending) requests.push_back(p.request);
  std::vector<int> done(pending.size());
  int count = 0;
  if (MPI_Testsome(static_cast<int>(requests.size()), requests.data(), &count, done.data(),
                   MPI_STATUSES_IGNORE) != MPI_SUCCESS ||
      count == MPI_UNDEFINED)
    return;
  std::vector<bool> finished(pending.size(), false);
  for (int i = 0; i < count; ++i) finished[static_cast<size_t>(done[i])] = true;
  size_t kept = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (finished[i]) continue;
    pending[i].request = requests[i];
    if (kept != i) pending[kept] = std::move(pending[i]);
    ++kept;
  }
  pending.resize(kept);
}

void Backoff::nap(int64_t limit_ns) noexcept {
  // Short naps first (a reply is often a moment away), then longer ones:
  // MPI offers nothing to sleep on, and spinning would take a CPU from the
  // other processes of the pool.
  nap_ns_ = std::min<int64_t>(nap_ns_ == 0 ? 1000 : nap_ns_ * 2, limit_ns);
  timespec ts{0, static_cast<long>(nap_ns_)};
  nanosleep(&ts, nullptr);
}

int ensure_up(mproc_mpi_err_t* err) {
  Runtime& rt = runtime();
  if (rt.finalizing) return report(err, MPROC_ECLOSED, "MPI was finalized (the process is ending)");
  if (rt.up) return 0;
  rt.pid = ::getpid();
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) return report(err, MPROC_ESTATE, "MPI was finalized already in this process");
  if (!initialized) {
    if (run_alone()) {
      // A program run alone asks for its workers as a local pool would:
      // as many as it says, even more than the cores (Open MPI would
      // refuse them), and a worker's death must not end the others
      // (Open MPI would end its whole job). The environment has the last
      // word.
      setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0);
      setenv("OMPI_MCA_orte_enable_recovery", "1", 0);
    }
    int provided = 0;
    int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) return report(err, MPROC_ENOTSUP, "MPI_Init_thread: " + mpi_text(rc));
    if (provided < MPI_THREAD_SERIALIZED)
      return report(err, MPROC_ENOTSUP, "this MPI offers no MPI_THREAD_SERIALIZED");
    rt.we_initialized = true;
    std::atexit(finalize_at_exit);
  } else {
    int level = 0;
    MPI_Query_thread(&level);
    if (level < MPI_THREAD_MULTIPLE)
      return report(err, MPROC_ENOTSUP,
                    "the program brought MPI up without MPI_THREAD_MULTIPLE; an MPI pool calls "
                    "MPI from its own threads (bring MPI up with MPI_THREAD_MULTIPLE, or let "
                    "mproc do it)");
  }
  int keyval = MPI_KEYVAL_INVALID;
  MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, finalize_hook, &keyval, nullptr);
  MPI_Comm_set_attr(MPI_COMM_SELF, keyval, nullptr);
  rt.recovery = env_true("OMPI_MCA_orte_enable_recovery");
  MPI_Comm_rank(MPI_COMM_WORLD, &rt.world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &rt.world_size);
  char host[MPI_MAX_PROCESSOR_NAME] = "";
  int len = 0;
  MPI_Get_processor_name(host, &len);
  rt.host.assign(host, static_cast<size_t>(len));
  MPI_Comm_get_parent(&rt.parent);
  rt.role = rt.parent != MPI_COMM_NULL || rt.world_rank > 0 ? MPROC_MPI_SERVER : MPROC_MPI_OWNER;
  rt.up = true;
  return 0;
}

}  // namespace mproc::mpi
