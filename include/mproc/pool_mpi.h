/**
 * @file mproc/pool_mpi.h
 * @brief The same Pool with its workers as MPI ranks, on other machines as
 * well as this one (Open MPI 4.1).
 *
 * A pool option picks the backend; everything else is the pool of
 * mproc/pool.h: the same calls, futures, map and imap, the same task
 * registry (MPROC_POOL_TASK), the same errors.
 *
 * @code
 *   mproc_pool_opts_set_backend(opts, MPROC_POOL_BACKEND_MPI);
 *   mproc_pool_new(&pool, opts);
 * @endcode
 *
 * A pool whose options leave the backend at DEFAULT runs on the one the
 * environment variable MPROC_POOL_BACKEND names ("local", the default, or
 * "mpi"; anything else: mproc_pool_new fails with EINVAL), so the same
 * unchanged program can run either way.
 *
 * Where the workers come from:
 *  - In a program run alone (or as `mpirun -n 1`), mproc_pool_new starts
 *    them with MPI_Comm_spawn, running this program again on the hosts MPI
 *    picks (its usual hostfile, `mpirun --host`/`--hostfile`). As under the
 *    spawn start method, a worker enters through mproc_main and never runs
 *    the program's own code.
 *  - Under `mpirun -n N`, rank 0 owns the pools and ranks 1..N-1 are their
 *    workers. Those ranks run the program like rank 0 up to their own
 *    mproc_pool_new, which on them serves rank 0's pools and ends the
 *    process (status 0) once rank 0 exits: it never returns there. Code
 *    before the pool's creation runs on every rank, as in any MPI program.
 * A rank, once started, serves one pool after another until the owner
 * exits: a later pool takes the ranks an earlier one left (spawning only
 * what it lacks), which also keeps MPI_Comm_spawn, slow and, in Open MPI
 * 4.1 with PMIx 4 (Debian's), now and then hanging for good (openpmix issue
 * 2735), to as few calls as possible. Processes
 * (mproc_pool_opts_set_processes): 0 is mproc_cpu_count() spawned ranks,
 * or every free rank of the mpirun job; under mpirun a pool asking for more
 * ranks than are free fails with EINVAL, and while a pool holds all of
 * them another fails with EBUSY. mproc_pool_processes counts the ranks
 * still alive; mproc_pool_worker_pids gives their pids (on their hosts).
 * MPI is brought up on first use by this library (MPI_THREAD_SERIALIZED),
 * unless the program did it first, which must then be with
 * MPI_THREAD_MULTIPLE (ENOTSUP otherwise); the library finalizes what it
 * brought up when the process exits. In a program run alone it sets, unless
 * the environment already does, OMPI_MCA_rmaps_base_oversubscribe=1 (a pool
 * gets the ranks it asks for, as a local pool gets its workers) and
 * OMPI_MCA_orte_enable_recovery=1 (see Failures).
 *
 * How work travels: a task goes as its registered name and its input
 * bytes; map and imap cut their items into chunks as the local pool does;
 * and many tasks or chunks travel in one MPI message, a batch, cut to take
 * about 2 ms to run by the time tasks have been taking (a slow task goes
 * alone), with at most two batches on their way to each rank. Results come
 * back batched too: a rank sends what it has answered once 2 ms of a batch
 * have run, and at the batch's end. A task must be
 * registered in the workers (MPROC_POOL_TASK registers it in every run of
 * the program); one that is not fails with MPROC_ENOTFOUND, its message
 * saying so, from the worker. A function cannot travel:
 * mproc_pool_apply_async_fn takes registered functions only (ENOTSUP
 * otherwise). The initializer's arguments must be plain values (bytes,
 * strings, integers, floats; EINVAL otherwise).
 *
 * Failures. Open MPI 4.1 without its fault-tolerance extensions (ULFM)
 * tells no survivor that a rank died: tried with MPI_ERRORS_RETURN on the
 * communicator and a spawned rank SIGKILLed mid-task, a receive from the
 * dead rank never completes, a send to it never completes (a blocking one
 * spins for good), and no call returns an error. So mproc keeps a TCP
 * connection of its own to every rank, its lifeline, which the kernel
 * closes when the rank's process ends, on any host; the owner never waits
 * on MPI for a rank it cannot see alive. The ranks' hosts must be able to
 * open TCP connections to the owner's (as MPI's own TCP transport needs).
 * What Open MPI then allows:
 *  - Recovery on (`mpirun --enable-recovery`, or
 *    OMPI_MCA_orte_enable_recovery=1, which mproc sets itself in a program
 *    run alone): a rank that dies fails every task it had been sent and had
 *    not answered (what it ran, and what waited behind it in its batches)
 *    with MPROC_EWORKER, the message naming the rank, its host and pid;
 *    every other task completes, and the pool goes on with the ranks left.
 *    A dead rank is not replaced: a later pool spawns new ones (spawned
 *    ranks) or has fewer (an mpirun job's). When the pool's last rank is
 *    gone, work not done fails, and new work is refused, with
 *    MPROC_EBROKEN. Open MPI prints "PMIX ERROR: BAD-PARAM" on stderr when
 *    it notices the death; it means nothing more. Because Open MPI 4.1's
 *    MPI_Finalize can then wait for the dead rank for good, the processes
 *    of a job that lost a rank end without it (mpirun still exits 0).
 *  - Recovery off, under mpirun: Open MPI ends the whole job when any rank
 *    dies, the pool's owner included (mpirun exits 137). There is nothing
 *    left to report to.
 *  - Recovery off, in a program run alone: Open MPI aborts the spawn job
 *    the dead rank was started in, which may end its other ranks too: each
 *    counts as a rank that died.
 *  - The owner dying ends its ranks: each sees its lifeline close and exits.
 * terminate fails every task not done with ECLOSED at once; the ranks drop
 * what was sent to them (told through their lifelines) and finish the task
 * each is running. Spawned ranks still running a task a second later are
 * killed (with recovery on; a killed rank is gone for later pools); an
 * mpirun job's ranks cannot be killed without ending the job, so join
 * waits for their tasks to end. Per-task timeouts and maxtasksperchild need
 * a worker killed or replaced at any moment: an MPI pool refuses them with
 * ENOTSUP, and start methods do not apply (ENOTSUP for any but DEFAULT).
 *
 * Why a plug-in. libmproc.so.0 links no MPI library: the MPI side is a
 * plug-in, `<libdir>/mproc/mproc-mpi.so`, that the library opens (with its
 * libmpi) the first time a pool asks for MPI; MPROC_MPI_PLUGIN names
 * another file (an uninstalled build: the library also looks in mpi/
 * beside itself, where the build tree has it). So the library's
 * dependencies do not change, a program needs no other link flags (the same
 * binary runs unchanged with or without MPI pools, as the examples do),
 * and where the plug-in or Open MPI is missing an MPI pool fails with
 * ENOTSUP, saying why. The plug-in only moves messages and watches
 * lifelines; batching, futures and jobs are the library's own, behind a
 * private C interface (src/core/pool/mpi/mpi_plugin.h) rather than the
 * library's C++ internals. Builds without MPI (Meson option -Dmpi=disabled,
 * Windows, sanitizer builds) have no plug-in.
 */
#ifndef MPROC_POOL_MPI_H
#define MPROC_POOL_MPI_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Where a pool's workers run. */
typedef enum {
  /** MPROC_POOL_BACKEND from the environment; else LOCAL. */
  MPROC_POOL_BACKEND_DEFAULT = 0,
  /** Worker processes on this machine (mproc/pool.h). */
  MPROC_POOL_BACKEND_LOCAL = 1,
  /** MPI ranks (this header). */
  MPROC_POOL_BACKEND_MPI = 2
} mproc_pool_backend_t;

/**
 * Picks the pool's backend.
 * @param opts pool options.
 * @param backend the backend.
 * @return 0, or MPROC_EINVAL (not a backend, opts not options).
 */
MPROC_API int mproc_pool_opts_set_backend(mproc_pool_opts_t *opts, mproc_pool_backend_t backend);
/**
 * The backend a pool runs on.
 * @param pool the pool.
 * @param backend receives MPROC_POOL_BACKEND_LOCAL or MPROC_POOL_BACKEND_MPI.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_get_backend(const mproc_pool_t *pool, mproc_pool_backend_t *backend);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_POOL_MPI_H */
