// The worker's side of the plug-in: meeting the owner, taking its messages
// and sending replies, hearing of a cancel, and leaving when told to.
#pragma once

#include <cstdint>

#include "core/pool/mpi/mpi_plugin.h"

namespace mproc::mpi {

int serve_open(mproc_mpi_serve_t** out, mproc_mpi_err_t* err);
int serve_recv(mproc_mpi_serve_t* serve, const void** data, size_t* len, mproc_mpi_err_t* err);
int serve_send(mproc_mpi_serve_t* serve, const void* data, size_t len, mproc_mpi_err_t* err);
int serve_cancelled(mproc_mpi_serve_t* serve, uint64_t pool);
void serve_close(mproc_mpi_serve_t* serve);

}  // namespace mproc::mpi
