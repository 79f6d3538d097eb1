/*
 * mproc/shared_containers.h: a dict and a list in shared memory that every
 * process uses in place (Python's Manager().dict() and Manager().list(),
 * without the manager process).
 *
 * A shared dict maps byte strings to byte strings; a shared list holds a
 * sequence of byte strings. Keys and values are copied in and out: mproc
 * never serialises objects (bindings may). Either may be empty.
 *
 * Speed. Reads (get, contains, len, snapshots) take no lock and write no
 * shared memory: readers never wait for each other, and only look again
 * when the very entry they were copying was replaced meanwhile. Updates
 * take the container's lock, whose uncontended acquire and release are one
 * atomic instruction each: an uncontended get or set of a small entry
 * makes no system call.
 *
 * Size. A container grows as needed up to the limit its creator set (bytes
 * of entries, tables and arrays; mproc_container_opts_set_limit). The
 * limit is address space, not memory: pages are used only as entries fill
 * them. An update that does not fit fails with MPROC_EFULL and changes
 * nothing; memory freed by deleted entries is reused by entries of about
 * the same size.
 *
 * Faults. A process killed at any point of an update (SIGKILL in the middle
 * of copying a value included) leaves the container consistent and usable
 * by everyone at once: the update happened whole or not at all, and the
 * next process to update it finishes the update if it had happened.
 * Readers never see a torn value. A process that finds the shared state
 * corrupt (written by a misbehaving peer) gets MPROC_ECORRUPT, never a
 * crash; mproc_dict_check walks the whole structure.
 *
 * Waiting. Updates wait only for another process's update in progress
 * (microseconds; a holder that died is taken over at once), so these calls
 * take no timeout.
 *
 * Handles are thread-safe and pass to children as arguments
 * (mproc_args_add_dict, mproc_args_add_list) under every start method;
 * named containers (see the options) open from unrelated processes and
 * other languages until mproc_unlink (mproc/sync.h).
 */
#ifndef MPROC_SHARED_CONTAINERS_H
#define MPROC_SHARED_CONTAINERS_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mproc_dict_s mproc_dict_t;
typedef struct mproc_list_s mproc_list_t;
typedef struct mproc_container_opts_s mproc_container_opts_t;
typedef struct mproc_items_s mproc_items_t;

/* ---- Options ------------------------------------------------------------ */

/* The default limit: 1 GiB of address space, not of memory. */
#define MPROC_CONTAINER_DEFAULT_LIMIT ((size_t)1 << 30)

/* Options for mproc_dict_new and mproc_list_new (NULL options: anonymous,
 * the default limit). Errors: EINVAL, ENOMEM. */
MPROC_API int mproc_container_opts_new(mproc_container_opts_t **out);
MPROC_API void mproc_container_opts_free(mproc_container_opts_t *opts);
/* Bytes the container may grow to: its entries (each with a 40-byte
 * header, rounded up to a size class at most 25% larger), and its table or
 * array (16 bytes per dict entry, 8 to 16 per list element). At least 4096;
 * at most 64 GiB less a page. Errors: EINVAL. */
MPROC_API int mproc_container_opts_set_limit(mproc_container_opts_t *opts, size_t bytes);
/* Named containers, as for other shared objects (mproc/sync.h). */
MPROC_API int mproc_container_opts_set_named(mproc_container_opts_t *opts, int named);
MPROC_API int mproc_container_opts_set_name(mproc_container_opts_t *opts, const char *name);

/* ---- Snapshots ---------------------------------------------------------- */

/*
 * A snapshot: a copy of a container's entries taken at one moment (no
 * update was half seen), owned by the caller. Iterate it by index. A
 * dict's entries come in no particular order (not the order of insertion,
 * unlike a Python dict); a list's in the list's order.
 */
/* *count gets the number of entries. Errors: EINVAL. */
MPROC_API int mproc_items_count(const mproc_items_t *items, size_t *count);
/* Entry `index`'s key (empty for a list) and value (empty for a dict's
 * keys-only snapshot). Pointers stay valid while the snapshot lives; never
 * NULL. Errors: EINVAL, ERANGE (no such index). */
MPROC_API int mproc_items_key(const mproc_items_t *items, size_t index, const void **data,
                              size_t *len);
MPROC_API int mproc_items_value(const mproc_items_t *items, size_t index, const void **data,
                                size_t *len);
MPROC_API void mproc_items_free(mproc_items_t *items);

/* ---- Dict ---------------------------------------------------------------- */

/* Errors: ENOMEM, EMFILE, EEXIST (named, name taken), EINVAL. */
MPROC_API int mproc_dict_new(mproc_dict_t **out, const mproc_container_opts_t *opts);
/* Opens a named dict. Errors: ENOENT, ETYPE (the name is another kind of
 * object), ECORRUPT. */
MPROC_API int mproc_dict_open(mproc_dict_t **out, const char *name);

/* Sets `key` to a copy of `value`. Errors: EFULL (over the limit; nothing
 * changed), ETOOBIG (an entry larger than the limit itself, or a key or
 * value of 4 GiB or more), ENOSPC / ENOMEM (no memory to back the next
 * pages: for a named dict /dev/shm is full), ECORRUPT, EINVAL. A set never
 * raises SIGBUS. */
MPROC_API int mproc_dict_set(mproc_dict_t *d, const void *key, size_t klen, const void *value,
                             size_t vlen);
/* Sets `key` only if it is absent (Python's setdefault, without the read).
 * Errors: EEXIST (present; nothing changed), and those of mproc_dict_set. */
MPROC_API int mproc_dict_add(mproc_dict_t *d, const void *key, size_t klen, const void *value,
                             size_t vlen);
/* Sets `key` to `value` only if its value is `expected` now: an atomic
 * compare-and-set, for read-modify-write without a lock. Errors: ESTATE
 * (the value differs; nothing changed), ENOTFOUND (no such key), and those
 * of mproc_dict_set. */
MPROC_API int mproc_dict_replace(mproc_dict_t *d, const void *key, size_t klen,
                                 const void *expected, size_t elen, const void *value,
                                 size_t vlen);
/* The value of `key` in a new library-owned message (mproc_msg_data,
 * mproc_msg_size; free it with mproc_msg_free). Errors: ENOTFOUND,
 * ECORRUPT, ENOMEM, EINVAL. */
MPROC_API int mproc_dict_get(const mproc_dict_t *d, const void *key, size_t klen,
                             mproc_msg_t **out);
/* The value of `key` into `buf`; *len gets its size. ETOOBIG when `cap` is
 * too small (*len is the size needed; mproc/common.h, "Buffers"). Other
 * errors as mproc_dict_get. */
MPROC_API int mproc_dict_get_into(const mproc_dict_t *d, const void *key, size_t klen, void *buf,
                                  size_t cap, size_t *len);
/* *found = 1 if `key` is present. Errors: ECORRUPT, EINVAL. */
MPROC_API int mproc_dict_contains(const mproc_dict_t *d, const void *key, size_t klen,
                                  int *found);
/* Deletes `key`. Errors: ENOTFOUND, ECORRUPT, EINVAL. */
MPROC_API int mproc_dict_delete(mproc_dict_t *d, const void *key, size_t klen);
/* Deletes `key` and hands its value over in a new message (out may be
 * NULL). Errors: as mproc_dict_delete, and ENOMEM. */
MPROC_API int mproc_dict_pop(mproc_dict_t *d, const void *key, size_t klen, mproc_msg_t **out);
/* *n gets the number of entries. Errors: EINVAL. */
MPROC_API int mproc_dict_len(const mproc_dict_t *d, size_t *n);
/* Deletes every entry (at once, for readers). Errors: ECORRUPT, EFULL
 * (a dict filled to its limit has no room for an empty table: delete an
 * entry first), EINVAL. */
MPROC_API int mproc_dict_clear(mproc_dict_t *d);
/* A snapshot of every key and value (free it with mproc_items_free). */
MPROC_API int mproc_dict_items(const mproc_dict_t *d, mproc_items_t **out);
/* A snapshot of the keys only (values empty). */
MPROC_API int mproc_dict_keys(const mproc_dict_t *d, mproc_items_t **out);
/* *used gets the bytes in use now (of what the limit counts), *limit the
 * limit; either may be NULL. Errors: EINVAL. */
MPROC_API int mproc_dict_usage(const mproc_dict_t *d, size_t *used, size_t *limit);
/* Walks the whole structure under the lock and checks it: every block in
 * use or free exactly once, the counts right, every key findable.
 * Errors: ECORRUPT (the message names what is wrong). */
MPROC_API int mproc_dict_check(const mproc_dict_t *d);
/* *name gets the name of a named dict, "" for an anonymous one; valid
 * while the handle lives. Errors: EINVAL. */
MPROC_API int mproc_dict_name(const mproc_dict_t *d, const char **name);
MPROC_API void mproc_dict_free(mproc_dict_t *d);

MPROC_API int mproc_args_add_dict(mproc_args_t *args, mproc_dict_t *d);
MPROC_API int mproc_args_get_dict(const mproc_args_t *args, size_t index, mproc_dict_t **out);

/* ---- List ---------------------------------------------------------------- */

/*
 * Indexes are Python's: 0 is the first element, -1 the last. They are
 * resolved inside the call, under the list's lock for updates, so
 * mproc_list_pop(l, -1, ...) takes the last element even while others
 * append. An index outside the list is MPROC_ERANGE (Python's IndexError).
 */

/* Errors: as mproc_dict_new. */
MPROC_API int mproc_list_new(mproc_list_t **out, const mproc_container_opts_t *opts);
MPROC_API int mproc_list_open(mproc_list_t **out, const char *name);
/* Appends a copy of `value`. Errors: as mproc_dict_set. */
MPROC_API int mproc_list_append(mproc_list_t *l, const void *value, size_t len);
/* Inserts before `index`, clamped to the list as Python's insert does
 * (never ERANGE): index >= length appends. Errors: as mproc_list_append. */
MPROC_API int mproc_list_insert(mproc_list_t *l, int64_t index, const void *value, size_t len);
/* Replaces element `index`. Errors: ERANGE, and those of append. */
MPROC_API int mproc_list_set(mproc_list_t *l, int64_t index, const void *value, size_t len);
/* Element `index` in a new message (free it with mproc_msg_free).
 * Errors: ERANGE, ECORRUPT, ENOMEM, EINVAL. */
MPROC_API int mproc_list_get(const mproc_list_t *l, int64_t index, mproc_msg_t **out);
/* Element `index` into `buf`, as mproc_dict_get_into. */
MPROC_API int mproc_list_get_into(const mproc_list_t *l, int64_t index, void *buf, size_t cap,
                                  size_t *len);
/* Removes element `index` (-1: the last) and hands it over in a new
 * message (out may be NULL). Errors: ERANGE (also for an empty list),
 * ECORRUPT, ENOMEM, EINVAL. */
MPROC_API int mproc_list_pop(mproc_list_t *l, int64_t index, mproc_msg_t **out);
MPROC_API int mproc_list_len(const mproc_list_t *l, size_t *n);
MPROC_API int mproc_list_clear(mproc_list_t *l);
/* A snapshot of every element, in order (keys empty). */
MPROC_API int mproc_list_items(const mproc_list_t *l, mproc_items_t **out);
MPROC_API int mproc_list_usage(const mproc_list_t *l, size_t *used, size_t *limit);
MPROC_API int mproc_list_check(const mproc_list_t *l);
MPROC_API int mproc_list_name(const mproc_list_t *l, const char **name);
MPROC_API void mproc_list_free(mproc_list_t *l);

MPROC_API int mproc_args_add_list(mproc_args_t *args, mproc_list_t *l);
MPROC_API int mproc_args_get_list(const mproc_args_t *args, size_t index, mproc_list_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SHARED_CONTAINERS_H */
