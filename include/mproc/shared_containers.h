/**
 * @file mproc/shared_containers.h
 * @brief A dict and a list in shared memory that every process uses in
 * place (Python's Manager().dict() and Manager().list(), without the
 * manager process).
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
 * other languages until mproc_unlink (mproc/sync.h). No call starts a
 * thread. Every call may also give MPROC_EINVAL (a NULL, freed or
 * wrong-type handle or out-parameter; NULL data with a non-zero length).
 */
#ifndef MPROC_SHARED_CONTAINERS_H
#define MPROC_SHARED_CONTAINERS_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A dict of byte strings in shared memory. */
typedef struct mproc_dict_s mproc_dict_t;
/** A list of byte strings in shared memory. */
typedef struct mproc_list_s mproc_list_t;
/** Options for creating a dict or a list. */
typedef struct mproc_container_opts_s mproc_container_opts_t;
/** A snapshot of a container's entries, owned by the caller. */
typedef struct mproc_items_s mproc_items_t;

/* ---- Options ------------------------------------------------------------ */

/** The default limit: 1 GiB of address space, not of memory. */
#define MPROC_CONTAINER_DEFAULT_LIMIT ((size_t)1 << 30)

/**
 * Creates options for mproc_dict_new and mproc_list_new (NULL options:
 * anonymous, the default limit).
 * @param out receives the options, the caller's: free with
 *            mproc_container_opts_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_container_opts_new(mproc_container_opts_t **out);
/**
 * Frees container options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_container_opts_free(mproc_container_opts_t *opts);
/**
 * Sets the bytes the container may grow to: its entries (each with a
 * 40-byte header, rounded up to a size class at most 25% larger), and its
 * table or array (16 bytes per dict entry, 8 to 16 per list element).
 * @param opts the options.
 * @param bytes at least 4096, at most 64 GiB less a page.
 * @return 0, or MPROC_EINVAL (out of that range).
 */
MPROC_API int mproc_container_opts_set_limit(mproc_container_opts_t *opts, size_t bytes);
/**
 * Makes the container named, under an unguessable name, as for other
 * shared objects (mproc_shared_opts_set_named).
 * @param opts the options.
 * @param named 1 for named, 0 for anonymous.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_container_opts_set_named(mproc_container_opts_t *opts, int named);
/**
 * Makes the container named `name` (rules of mproc_shared_opts_set_name).
 * @param opts the options.
 * @param name the name, copied.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_container_opts_set_name(mproc_container_opts_t *opts, const char *name);

/* ---- Snapshots ---------------------------------------------------------- */

/*
 * A snapshot: a copy of a container's entries taken at one moment (no
 * update was half seen), owned by the caller. Iterate it by index. A
 * dict's entries come in no particular order (not the order of insertion,
 * unlike a Python dict); a list's in the list's order.
 */
/**
 * The number of entries in a snapshot.
 * @param items the snapshot.
 * @param count receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_items_count(const mproc_items_t *items, size_t *count);
/**
 * An entry's key (empty for a list).
 * @param items the snapshot.
 * @param index the entry's index.
 * @param data receives the bytes, owned by the snapshot, valid while it
 *             lives; never NULL.
 * @param len receives their number.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_EINVAL.
 */
MPROC_API int mproc_items_key(const mproc_items_t *items, size_t index, const void **data,
                              size_t *len);
/**
 * An entry's value (empty for a dict's keys-only snapshot).
 * @param items the snapshot.
 * @param index the entry's index.
 * @param data receives the bytes, owned by the snapshot, valid while it
 *             lives; never NULL.
 * @param len receives their number.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_EINVAL.
 */
MPROC_API int mproc_items_value(const mproc_items_t *items, size_t index, const void **data,
                                size_t *len);
/**
 * Frees a snapshot. Accepts NULL.
 * @param items the snapshot, or NULL.
 */
MPROC_API void mproc_items_free(mproc_items_t *items);

/* ---- Dict ---------------------------------------------------------------- */

/**
 * Creates an empty dict.
 * @param out receives it, the caller's: free with mproc_dict_free.
 * @param opts options, or NULL (anonymous, the default limit).
 * @return 0, or MPROC_ENOMEM, MPROC_EMFILE, MPROC_ENOSPC, MPROC_EEXIST
 *         (named, name taken), MPROC_EINVAL.
 */
MPROC_API int mproc_dict_new(mproc_dict_t **out, const mproc_container_opts_t *opts);
/**
 * Opens a named dict.
 * @param out receives a handle, the caller's: free with mproc_dict_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT, MPROC_ETYPE (the name is another kind of
 *         object), MPROC_ECORRUPT, MPROC_EACCES, MPROC_EINVAL,
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_dict_open(mproc_dict_t **out, const char *name);

/**
 * Sets `key` to a copy of `value`. A set never raises SIGBUS.
 * @param d the dict.
 * @param key the key's bytes, copied.
 * @param klen their number.
 * @param value the value's bytes, copied.
 * @param vlen their number.
 * @return 0, or MPROC_EFULL (over the limit; nothing
 *         changed), MPROC_ETOOBIG (an entry larger than the limit itself,
 *         or a key or value of 4 GiB or more), MPROC_ENOSPC / MPROC_ENOMEM
 *         (no memory to back the next pages: for a named container
 *         /dev/shm is full), MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_dict_set(mproc_dict_t *d, const void *key, size_t klen, const void *value,
                             size_t vlen);
/**
 * Sets `key` only if it is absent (Python's setdefault, without the read).
 * @param d the dict.
 * @param key the key's bytes, copied.
 * @param klen their number.
 * @param value the value's bytes, copied.
 * @param vlen their number.
 * @return 0, or MPROC_EEXIST (present; nothing changed), and those of
 *         mproc_dict_set.
 */
MPROC_API int mproc_dict_add(mproc_dict_t *d, const void *key, size_t klen, const void *value,
                             size_t vlen);
/**
 * Sets `key` to `value` only if its value is `expected` now: an atomic
 * compare-and-set, for read-modify-write without a lock.
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @param expected the value it must have now.
 * @param elen its size.
 * @param value the new value, copied.
 * @param vlen its size.
 * @return 0, or MPROC_ESTATE (the value differs; nothing changed),
 *         MPROC_ENOTFOUND (no such key), and those of mproc_dict_set.
 */
MPROC_API int mproc_dict_replace(mproc_dict_t *d, const void *key, size_t klen,
                                 const void *expected, size_t elen, const void *value,
                                 size_t vlen);
/**
 * The value of `key`.
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @param out receives a new message holding the value, the caller's:
 *            read with mproc_msg_data and mproc_msg_size, free with
 *            mproc_msg_free.
 * @return 0, or MPROC_ENOTFOUND, MPROC_ECORRUPT, MPROC_ENOMEM,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_dict_get(const mproc_dict_t *d, const void *key, size_t klen,
                             mproc_msg_t **out);
/**
 * The value of `key` into the caller's buffer, whole or not at all
 * (mproc/common.h, "Buffers").
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @param buf the buffer; NULL only with cap 0.
 * @param cap its size.
 * @param len receives the value's size.
 * @return 0, or MPROC_ETOOBIG (cap too small; *len is the size needed),
 *         and as mproc_dict_get.
 */
MPROC_API int mproc_dict_get_into(const mproc_dict_t *d, const void *key, size_t klen, void *buf,
                                  size_t cap, size_t *len);
/**
 * Whether `key` is present.
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @param found receives 1 if present, else 0.
 * @return 0, or MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_dict_contains(const mproc_dict_t *d, const void *key, size_t klen,
                                  int *found);
/**
 * Deletes `key`.
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @return 0, or MPROC_ENOTFOUND, MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_dict_delete(mproc_dict_t *d, const void *key, size_t klen);
/**
 * Deletes `key` and hands its value over.
 * @param d the dict.
 * @param key the key's bytes.
 * @param klen their number.
 * @param out receives a new message holding the value, the caller's (free
 *            with mproc_msg_free); may be NULL.
 * @return 0, or as mproc_dict_delete, and MPROC_ENOMEM.
 */
MPROC_API int mproc_dict_pop(mproc_dict_t *d, const void *key, size_t klen, mproc_msg_t **out);
/**
 * The number of entries.
 * @param d the dict.
 * @param n receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_dict_len(const mproc_dict_t *d, size_t *n);
/**
 * Deletes every entry (at once, for readers).
 * @param d the dict.
 * @return 0, or MPROC_ECORRUPT, MPROC_EFULL (a dict filled to its limit has
 *         no room for an empty table: delete an entry first),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_dict_clear(mproc_dict_t *d);
/**
 * A snapshot of every key and value.
 * @param d the dict.
 * @param out receives the snapshot, the caller's: free with
 *            mproc_items_free.
 * @return 0, or MPROC_ECORRUPT, MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_dict_items(const mproc_dict_t *d, mproc_items_t **out);
/**
 * A snapshot of the keys only (values empty).
 * @param d the dict.
 * @param out receives the snapshot, the caller's: free with
 *            mproc_items_free.
 * @return 0, or MPROC_ECORRUPT, MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_dict_keys(const mproc_dict_t *d, mproc_items_t **out);
/**
 * How much of its limit the dict uses.
 * @param d the dict.
 * @param used receives the bytes in use now (of what the limit counts);
 *             may be NULL.
 * @param limit receives the limit; may be NULL.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_dict_usage(const mproc_dict_t *d, size_t *used, size_t *limit);
/**
 * Walks the whole structure under the lock and checks it: every block in
 * use or free exactly once, the counts right, every key findable. Blocks
 * updates while it runs.
 * @param d the dict.
 * @return 0, or MPROC_ECORRUPT (the message names what is wrong),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_dict_check(const mproc_dict_t *d);
/**
 * The name of a named dict, "" for an anonymous one.
 * @param d the dict.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_dict_name(const mproc_dict_t *d, const char **name);
/**
 * Releases this process's reference; the dict lives on in others.
 * Accepts NULL.
 * @param d the handle, or NULL.
 */
MPROC_API void mproc_dict_free(mproc_dict_t *d);

/**
 * Appends a dict to a child's argument list (mproc/args.h); the list
 * keeps its own reference.
 * @param args the list.
 * @param d the dict; not taken.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_dict(mproc_args_t *args, mproc_dict_t *d);
/**
 * Reads a dict from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_dict_free.
 * @return 0, or MPROC_ERANGE, MPROC_ETYPE, MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_dict(const mproc_args_t *args, size_t index, mproc_dict_t **out);

/* ---- List ---------------------------------------------------------------- */

/*
 * Indexes are Python's: 0 is the first element, -1 the last. They are
 * resolved inside the call, under the list's lock for updates, so
 * mproc_list_pop(l, -1, ...) takes the last element even while others
 * append. An index outside the list is MPROC_ERANGE (Python's IndexError).
 */

/**
 * Creates an empty list.
 * @param out receives it, the caller's: free with mproc_list_free.
 * @param opts options, or NULL (anonymous, the default limit).
 * @return 0, or MPROC_ENOMEM, MPROC_EMFILE, MPROC_ENOSPC, MPROC_EEXIST
 *         (named, name taken), MPROC_EINVAL.
 */
MPROC_API int mproc_list_new(mproc_list_t **out, const mproc_container_opts_t *opts);
/**
 * Opens a named list.
 * @param out receives a handle, the caller's: free with mproc_list_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT, MPROC_ETYPE (the name is another kind of
 *         object), MPROC_ECORRUPT, MPROC_EACCES, MPROC_EINVAL,
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_list_open(mproc_list_t **out, const char *name);
/**
 * Appends a copy of `value`.
 * @param l the list.
 * @param value the bytes, copied.
 * @param len their number.
 * @return 0, or MPROC_EFULL (over the limit; nothing
 *         changed), MPROC_ETOOBIG (an entry larger than the limit itself,
 *         or a key or value of 4 GiB or more), MPROC_ENOSPC / MPROC_ENOMEM
 *         (no memory to back the next pages: for a named container
 *         /dev/shm is full), MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_list_append(mproc_list_t *l, const void *value, size_t len);
/**
 * Inserts before `index`, clamped to the list as Python's insert does
 * (never MPROC_ERANGE): index >= length appends.
 * @param l the list.
 * @param index where to insert (negative counts from the end).
 * @param value the bytes, copied.
 * @param len their number.
 * @return 0, or as mproc_list_append.
 */
MPROC_API int mproc_list_insert(mproc_list_t *l, int64_t index, const void *value, size_t len);
/**
 * Replaces element `index`.
 * @param l the list.
 * @param index the element (negative counts from the end).
 * @param value the bytes, copied.
 * @param len their number.
 * @return 0, or MPROC_ERANGE, and as mproc_list_append.
 */
MPROC_API int mproc_list_set(mproc_list_t *l, int64_t index, const void *value, size_t len);
/**
 * Element `index`.
 * @param l the list.
 * @param index the element (negative counts from the end).
 * @param out receives a new message holding it, the caller's: free with
 *            mproc_msg_free.
 * @return 0, or MPROC_ERANGE, MPROC_ECORRUPT, MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_list_get(const mproc_list_t *l, int64_t index, mproc_msg_t **out);
/**
 * Element `index` into the caller's buffer, as mproc_dict_get_into.
 * @param l the list.
 * @param index the element (negative counts from the end).
 * @param buf the buffer; NULL only with cap 0.
 * @param cap its size.
 * @param len receives the element's size.
 * @return 0, or MPROC_ETOOBIG (cap too small), and as mproc_list_get.
 */
MPROC_API int mproc_list_get_into(const mproc_list_t *l, int64_t index, void *buf, size_t cap,
                                  size_t *len);
/**
 * Removes element `index` and hands it over.
 * @param l the list.
 * @param index the element (-1: the last).
 * @param out receives a new message holding it, the caller's (free with
 *            mproc_msg_free); may be NULL.
 * @return 0, or MPROC_ERANGE (also for an empty list), MPROC_ECORRUPT,
 *         MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_list_pop(mproc_list_t *l, int64_t index, mproc_msg_t **out);
/**
 * The number of entries.
 * @param l the list.
 * @param n receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_list_len(const mproc_list_t *l, size_t *n);
/**
 * Removes every element.
 * @param l the list.
 * @return 0, or MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_list_clear(mproc_list_t *l);
/**
 * A snapshot of every element, in order (keys empty).
 * @param l the list.
 * @param out receives the snapshot, the caller's: free with
 *            mproc_items_free.
 * @return 0, or MPROC_ECORRUPT, MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_list_items(const mproc_list_t *l, mproc_items_t **out);
/**
 * How much of its limit the list uses.
 * @param l the list.
 * @param used receives the bytes in use now; may be NULL.
 * @param limit receives the limit; may be NULL.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_list_usage(const mproc_list_t *l, size_t *used, size_t *limit);
/**
 * Walks the whole structure under the lock and checks it, as
 * mproc_dict_check.
 * @param l the list.
 * @return 0, or MPROC_ECORRUPT (the message names what is wrong),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_list_check(const mproc_list_t *l);
/**
 * The name of a named list, "" for an anonymous one.
 * @param l the list.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_list_name(const mproc_list_t *l, const char **name);
/**
 * Releases this process's reference; the list lives on in others.
 * Accepts NULL.
 * @param l the handle, or NULL.
 */
MPROC_API void mproc_list_free(mproc_list_t *l);

/**
 * Appends a list to a child's argument list (mproc/args.h); the list
 * keeps its own reference.
 * @param args the list.
 * @param l the list; not taken.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_list(mproc_args_t *args, mproc_list_t *l);
/**
 * Reads a list from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_list_free.
 * @return 0, or MPROC_ERANGE, MPROC_ETYPE, MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_list(const mproc_args_t *args, size_t index, mproc_list_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SHARED_CONTAINERS_H */
