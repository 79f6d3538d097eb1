// Finding and opening the MPI plug-in (mproc-mpi.so) on first use.
#pragma once

#include "core/pool/mpi/mpi_plugin.h"

namespace mproc::core {

// The plug-in's table, opened once per process. Throws ENOTSUP, saying
// where it looked and why nothing there would do.
const mproc_mpi_plugin_t& mpi_plugin();

// Throws the error a plug-in call reported (`rc` and its sentence),
// prefixed with `context`.
[[noreturn]] void fail_mpi(int rc, const mproc_mpi_err_t& err, const char* context);

}  // namespace mproc::core
