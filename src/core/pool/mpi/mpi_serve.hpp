// The MPI pool, rank's side: serving the owner's pools. A spawned worker
// gets here from mproc_main, a rank > 0 of an mpirun job from its own
// mproc_pool_new; either way it runs tasks until the owner lets it go, then
// finalizes MPI and exits.
#pragma once

#include "core/pool/mpi/mpi_plugin.h"

namespace mproc::core {

// Serves, then ends the process (status 0; 1 when the link to the owner
// failed, the reason on stderr).
[[noreturn]] void serve_mpi_and_exit(const mproc_mpi_plugin_t& plugin);

// What mproc_main does first: in a process MPI spawned as a pool worker
// (MPROC_MPI_WORKER_ENV set), serves and never returns; elsewhere nothing.
void serve_mpi_if_spawned();

}  // namespace mproc::core
