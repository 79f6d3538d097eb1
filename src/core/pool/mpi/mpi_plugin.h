/*
 * What libmproc and its MPI plug-in (mproc-mpi.so, built from src/mpi)
 * say to each other: a private interface, versioned, of plain C types.
 * The plug-in carries messages between a pool's owner and its ranks and
 * knows which ranks are alive; the library (core/pool/mpi/) decides what
 * the messages say. Nothing here is part of mproc's public ABI.
 *
 * Threads: the plug-in makes MPI calls one at a time (MPI_THREAD_SERIALIZED).
 * The calls on one link or one serve handle come from one thread at a time;
 * different links may be used from different threads.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

// Both sides are C++, but nothing of C++ crosses: plain C types, with C
// linkage.
extern "C" {

/* The plug-in's one exported symbol: a function returning its table. */
#define MPROC_MPI_PLUGIN_SYMBOL "mproc_mpi_plugin_v1"
#define MPROC_MPI_PLUGIN_ABI 1

/* A failure's sentence, for mproc_last_error. */
typedef struct mproc_mpi_err_s {
  char text[512];
} mproc_mpi_err_t;

/* What this process is, once MPI is up. */
typedef enum {
  MPROC_MPI_OWNER = 1, /* run alone, or rank 0 of an mpirun job: it makes pools */
  MPROC_MPI_SERVER = 2 /* a spawned worker, or a rank > 0: it serves rank 0 */
} mproc_mpi_role_t;

/* One pool's workers, on the owner's side. */
typedef struct mproc_mpi_link_s mproc_mpi_link_t;
/* This process as a worker. */
typedef struct mproc_mpi_serve_s mproc_mpi_serve_t;

typedef enum {
  MPROC_MPI_EVENT_NONE = 0,    /* nothing arrived */
  MPROC_MPI_EVENT_MESSAGE = 1, /* worker `worker` sent data/len */
  MPROC_MPI_EVENT_LOST = 2     /* worker `worker` is gone (why says how it was seen) */
} mproc_mpi_event_kind_t;

typedef struct mproc_mpi_event_s {
  int kind;            /* mproc_mpi_event_kind_t */
  uint32_t worker;     /* 0 .. workers-1 */
  const void *data;    /* MESSAGE: valid until the next poll on the link */
  size_t len;
  char why[256];       /* LOST */
  uint32_t moving;     /* messages still being sent or received: poll again soon
                          (MPI moves a large one only while it is polled) */
} mproc_mpi_event_t;

/* Every call that can fail returns 0 or a negative MPROC_E* code, with a
 * sentence in *err. */
typedef struct mproc_mpi_plugin_s {
  uint32_t abi;  /* MPROC_MPI_PLUGIN_ABI */

  /* Brings MPI up in this process if no one has, and says what it is. */
  int (*role)(mproc_mpi_role_t *role, mproc_mpi_err_t *err);

  /* ---- The owner ---- */
  /* The workers of a new pool: `processes` ranks (0: the number of CPUs
   * here) running `program`, those idle since an earlier pool first, the
   * rest spawned; in an mpirun job, that many of the other ranks (0: all
   * that are free). Returns when every one is reachable and watched.
   * Errors: EBUSY (the job's ranks serve another pool), EINVAL, EBROKEN
   * (none is left), EAGAIN (MPI could not start them), ETIMEDOUT. */
  int (*open)(const char *program, size_t processes, mproc_mpi_link_t **out,
              mproc_mpi_err_t *err);
  size_t (*workers)(const mproc_mpi_link_t *link);
  int64_t (*worker_pid)(const mproc_mpi_link_t *link, size_t worker);
  /* "rank 2 on host-a", for messages. */
  const char *(*worker_name)(const mproc_mpi_link_t *link, size_t worker);
  /* Queues a copy of the message for the worker; never blocks. Sending
   * to a worker already lost is not an error (it is dropped). */
  int (*send)(mproc_mpi_link_t *link, size_t worker, const void *data, size_t len,
              mproc_mpi_err_t *err);
  /* Makes progress and reports one event, or NONE; never blocks. */
  int (*poll)(mproc_mpi_link_t *link, mproc_mpi_event_t *event, mproc_mpi_err_t *err);
  /* Ends the worker now, if that cannot end the MPI job (a spawned one,
   * with Open MPI's recovery on): returns 1 when it was told to (it is then
   * reported LOST), 0 when it cannot be. */
  int (*kill)(mproc_mpi_link_t *link, size_t worker);
  /* Tells every worker at once (past the messages queued for it) that the
   * work of pool `pool` (a number the library gives each pool) is
   * cancelled: see serve_cancelled. */
  void (*cancel)(mproc_mpi_link_t *link, uint64_t pool);
  /* Frees the link once every live worker said it is done (or was lost):
   * the workers wait for the owner's next pool, and leave when the
   * process ends. */
  void (*close)(mproc_mpi_link_t *link);

  /* ---- A worker ---- */
  int (*serve_open)(mproc_mpi_serve_t **out, mproc_mpi_err_t *err);
  /* Waits for the owner's next message: 0 with *data and *len (valid until
   * the next call), EOF when the owner is done with this process. */
  int (*serve_recv)(mproc_mpi_serve_t *serve, const void **data, size_t *len,
                    mproc_mpi_err_t *err);
  int (*serve_send)(mproc_mpi_serve_t *serve, const void *data, size_t len,
                    mproc_mpi_err_t *err);
  /* Whether the owner cancelled the work of pool `pool`; cheap enough to
   * ask before every task. */
  int (*serve_cancelled)(mproc_mpi_serve_t *serve, uint64_t pool);
  /* Finalizes MPI; the process then exits. */
  void (*serve_close)(mproc_mpi_serve_t *serve);
} mproc_mpi_plugin_t;

typedef const mproc_mpi_plugin_t *(*mproc_mpi_plugin_fn)(void);

/* The environment variable that marks a process spawned as a worker. */
#define MPROC_MPI_WORKER_ENV "MPROC_MPI_WORKER"

}  // extern "C"
