/*
 * mproc: multiprocessing for native code. The one header a program
 * includes; every part of the C API is reachable from here.
 */
#ifndef MPROC_MPROC_H
#define MPROC_MPROC_H

#include <mproc/common.h>

#endif /* MPROC_MPROC_H */
