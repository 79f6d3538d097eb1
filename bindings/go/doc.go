// Package mproc is the Go binding of mproc, a C library that brings
// Python's multiprocessing model to native code: queues, pipes, locks,
// semaphores, events, conditions, barriers and shared memory that work
// across processes, and commands run with captured output.
//
// # Handles
//
// Every object wraps a C handle. Close releases it; a finalizer releases
// it too if Close was forgotten, but the garbage collector runs late and
// not at all at exit, so call Close. Close is idempotent, and a method
// called after Close returns an error (errors.Is(err, ErrClosed)) without
// reaching C. Close never waits for calls running in other goroutines: the
// C handle is freed when the last of them returns.
//
// Releasing a handle releases this process's reference only. The shared
// object lives on in other processes; a named one keeps its name (in
// /dev/shm) until Unlink.
//
// # Timeouts
//
// Blocking calls take a time.Duration: Forever (or any negative duration)
// waits without limit, 0 does not block, and a positive duration is rounded
// up to whole milliseconds so that it never turns into "do not block".
//
// # Locks and OS threads
//
// mproc locks (Lock, RLock and the lock of a Condition) are owned by an OS
// thread, not a goroutine. A successful Acquire therefore wires the calling
// goroutine to its OS thread (runtime.LockOSThread) until the matching
// Release, which must come from the same goroutine. Do not let a goroutine
// end while it holds a lock: Go usually ends its thread too (the next
// acquirer then gets ErrOwnerDead), but it keeps the process's main
// thread alive, and a lock held by that thread stays held.
//
// # Processes
//
// Starting function processes (mproc_process_*) and pools is not part of
// this binding: Go cannot fork safely, and a spawned child would need Go
// functions exported to C as tasks. Start Go processes with os/exec and
// share named objects with them (OpenQueue, OpenLock, ...), or run other
// programs with Run and Command.
package mproc
