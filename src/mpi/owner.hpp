// The owner's side of the plug-in: a pool's workers (a link), started with
// MPI_Comm_spawn or taken from the mpirun job's other ranks, messages to and
// from them, and their lifelines.
#pragma once

#include "core/pool/mpi/mpi_plugin.h"

namespace mproc::mpi {

int owner_open(const char* program, size_t processes, mproc_mpi_link_t** out,
               mproc_mpi_err_t* err);
size_t owner_workers(const mproc_mpi_link_t* link);
int64_t owner_worker_pid(const mproc_mpi_link_t* link, size_t worker);
const char* owner_worker_name(const mproc_mpi_link_t* link, size_t worker);
int owner_send(mproc_mpi_link_t* link, size_t worker, const void* data, size_t len,
               mproc_mpi_err_t* err);
int owner_poll(mproc_mpi_link_t* link, mproc_mpi_event_t* event, mproc_mpi_err_t* err);
int owner_kill(mproc_mpi_link_t* link, size_t worker);
void owner_cancel(mproc_mpi_link_t* link, uint64_t pool);
void owner_close(mproc_mpi_link_t* link);

}  // namespace mproc::mpi
