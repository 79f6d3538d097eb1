// C entry points that pick and name a pool's backend (mproc/pool_mpi.h).
#include <mproc/pool_mpi.h>

#include "api/guard.hpp"
#include "api/handles.hpp"

extern "C" {

int mproc_pool_opts_set_backend(mproc_pool_opts_t* opts, mproc_pool_backend_t backend) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(backend == MPROC_POOL_BACKEND_DEFAULT || backend == MPROC_POOL_BACKEND_LOCAL ||
                    backend == MPROC_POOL_BACKEND_MPI,
                "not a pool backend (DEFAULT, LOCAL or MPI)");
  o.backend = backend;
  return 0;
  MPROC_API_END
}

int mproc_pool_get_backend(const mproc_pool_t* pool, mproc_pool_backend_t* backend) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(backend != nullptr, "backend is NULL");
  *backend = MPROC_UNWRAP(pool).backend();
  return 0;
  MPROC_API_END
}

}  // extern "C"
