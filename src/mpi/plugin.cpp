// The plug-in's one exported symbol: its table of entry points
// (core/pool/mpi/mpi_plugin.h).
#include "core/pool/mpi/mpi_plugin.h"
#include "mpi/owner.hpp"
#include "mpi/runtime.hpp"
#include "mpi/serve.hpp"

namespace {

int role(mproc_mpi_role_t* role, mproc_mpi_err_t* err) {
  std::lock_guard<std::recursive_mutex> lock(mproc::mpi::mpi_lock());
  int rc = mproc::mpi::ensure_up(err);
  if (rc == 0) *role = mproc::mpi::runtime().role;
  return rc;
}

const mproc_mpi_plugin_t table = {
    MPROC_MPI_PLUGIN_ABI,
    role,
    mproc::mpi::owner_open,
    mproc::mpi::owner_workers,
    mproc::mpi::owner_worker_pid,
    mproc::mpi::owner_worker_name,
    mproc::mpi::owner_send,
    mproc::mpi::owner_poll,
    mproc::mpi::owner_kill,
    mproc::mpi::owner_cancel,
    mproc::mpi::owner_close,
    mproc::mpi::serve_open,
    mproc::mpi::serve_recv,
    mproc::mpi::serve_send,
    mproc::mpi::serve_cancelled,
    mproc::mpi::serve_close,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const mproc_mpi_plugin_t*
mproc_mpi_plugin_v1(void) {
  return &table;
}
