/**
 * @file mproc/mproc.h
 * @brief mproc: multiprocessing for native code. The one header a program
 * includes; every part of the C API is reachable from here.
 *
 * Start with mproc/common.h (the conventions every call follows) and
 * mproc/process.h (the library's process-wide effects).
 */
#ifndef MPROC_MPROC_H
#define MPROC_MPROC_H

#include <mproc/common.h>
#include <mproc/args.h>
#include <mproc/task.h>
#include <mproc/process.h>
#include <mproc/connection.h>
#include <mproc/command.h>
#include <mproc/sync.h>
#include <mproc/shm.h>
#include <mproc/queue.h>
#include <mproc/shared_containers.h>
#include <mproc/pool.h>
#include <mproc/pool_mpi.h>
#include <mproc/authkey.h>
#include <mproc/listener.h>
#include <mproc/wait.h>

#endif /* MPROC_MPROC_H */
