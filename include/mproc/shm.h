/**
 * @file mproc/shm.h
 * @brief Raw shared memory blocks (Python's Value, Array and
 * shared_memory.SharedMemory).
 *
 * A block is `size` zero-filled bytes every process that has it sees at
 * once (at its own address), page-aligned, plus a lock of its own for
 * guarding what it holds (Value's get_lock()). Anonymous blocks reach
 * children as arguments and vanish with their last user; named ones (see
 * mproc/sync.h for the options) can be opened by unrelated processes until
 * mproc_unlink (on Windows, also only while some process holds it: see
 * mproc_unlink). The memory is mapped lazily by the kernel: a large block
 * costs only the pages that are touched. A peer can not shrink the
 * memory under the others (it is sealed against shrinking).
 *
 * The handle is thread-safe; the bytes are the caller's to guard. No call
 * blocks or starts a thread.
 */
#ifndef MPROC_SHM_H
#define MPROC_SHM_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Creates a block.
 * @param out receives the block, the caller's: free with mproc_shm_free.
 * @param size its size in bytes, at least 1.
 * @param opts options (mproc/sync.h), or NULL for anonymous.
 * @return 0, or MPROC_EINVAL (size 0), MPROC_ENOMEM, MPROC_EMFILE,
 *         MPROC_ENOSPC, MPROC_EEXIST (named, name taken).
 */
MPROC_API int mproc_shm_new(mproc_shm_t **out, size_t size, const mproc_shared_opts_t *opts);
/**
 * Opens a named block.
 * @param out receives a handle, the caller's: free with mproc_shm_free.
 * @param name the block's name.
 * @return 0, or MPROC_ENOENT, MPROC_ETYPE (another kind of object),
 *         MPROC_ECORRUPT, MPROC_EACCES, MPROC_EINVAL, MPROC_ENOMEM,
 *         MPROC_ENOSYS (Windows without NtQuerySection, which gives a
 *         block's size).
 */
MPROC_API int mproc_shm_open(mproc_shm_t **out, const char *name);
/**
 * The block's first byte.
 * @param shm the block.
 * @param data receives the address, valid while the handle lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_shm_data(const mproc_shm_t *shm, void **data);
/**
 * The block's size.
 * @param shm the block.
 * @param size receives the size asked for at creation.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_shm_size(const mproc_shm_t *shm, size_t *size);
/**
 * The block's lock: the same lock in every process that has the block.
 * @param shm the block.
 * @param out receives a new handle, the caller's: free with
 *            mproc_lock_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_shm_lock(const mproc_shm_t *shm, mproc_lock_t **out);
/**
 * The name of a named block, "" for an anonymous one.
 * @param shm the block.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_shm_name(const mproc_shm_t *shm, const char **name);
/**
 * Releases this process's reference and unmaps the block here (pointers
 * from mproc_shm_data become invalid). Accepts NULL.
 * @param shm the block, or NULL.
 */
MPROC_API void mproc_shm_free(mproc_shm_t *shm);

/**
 * Appends a block to a child's argument list (mproc/args.h); the list
 * keeps its own reference.
 * @param args the list.
 * @param shm the block; not taken.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_shm(mproc_args_t *args, mproc_shm_t *shm);
/**
 * Reads a block from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_shm_free.
 * @return 0, or MPROC_ERANGE, MPROC_ETYPE, MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_shm(const mproc_args_t *args, size_t index, mproc_shm_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SHM_H */
