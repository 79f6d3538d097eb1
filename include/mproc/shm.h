/*
 * mproc/shm.h: raw shared memory blocks (Python's Value, Array and
 * shared_memory.SharedMemory).
 *
 * A block is `size` zero-filled bytes every process that has it sees at
 * once (at its own address), page-aligned, plus a lock of its own for
 * guarding what it holds (Value's get_lock()). Anonymous blocks reach
 * children as arguments and vanish with their last user; named ones (see
 * mproc/sync.h for the options) can be opened by unrelated processes until
 * mproc_unlink (on Windows, also only while some process holds it: see
 * mproc_unlink). The memory is mapped lazily by the kernel: a large block
 * costs only the pages that are touched.
 *
 * The handle is thread-safe; the bytes are the caller's to guard.
 */
#ifndef MPROC_SHM_H
#define MPROC_SHM_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A new block of `size` bytes (at least 1). Errors: EINVAL, ENOMEM,
 * EMFILE, EEXIST (named, name taken). */
MPROC_API int mproc_shm_new(mproc_shm_t **out, size_t size, const mproc_shared_opts_t *opts);
/* Opens a named block. Errors: ENOENT, ETYPE, ECORRUPT. */
MPROC_API int mproc_shm_open(mproc_shm_t **out, const char *name);
/* *data gets the first byte, valid while the handle lives. Errors:
 * EINVAL. */
MPROC_API int mproc_shm_data(const mproc_shm_t *shm, void **data);
/* *size gets the size asked for at creation. Errors: EINVAL. */
MPROC_API int mproc_shm_size(const mproc_shm_t *shm, size_t *size);
/* The block's lock, a new handle (free it with mproc_lock_free); the same
 * lock in every process that has the block. */
MPROC_API int mproc_shm_lock(const mproc_shm_t *shm, mproc_lock_t **out);
/* *name gets the name of a named block, "" for an anonymous one; valid
 * while the handle lives. Errors: EINVAL. */
MPROC_API int mproc_shm_name(const mproc_shm_t *shm, const char **name);
MPROC_API void mproc_shm_free(mproc_shm_t *shm);

MPROC_API int mproc_args_add_shm(mproc_args_t *args, mproc_shm_t *shm);
MPROC_API int mproc_args_get_shm(const mproc_args_t *args, size_t index, mproc_shm_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SHM_H */
