// Which descriptors are pipe ends, and the state each keeps.
//
// A descriptor `int` is a HANDLE value (platform/fd.hpp), but a pipe end
// is more than its handle on Windows: a Pipe (pipe.hpp) remembers a write
// still in flight and the zero-byte read that tells when data arrives. So
// the process keeps one table from descriptor to Pipe. Ends made here
// (make_socket_pair, make_pipe) and received (recv_record) are entered at
// once; a pipe handle that arrived some other way (the bootstrap channel a
// spawned child inherits) is entered the first time it is used. An entry
// goes when UniqueFd::reset closes its descriptor, which must therefore be
// how every registered descriptor is closed.
#pragma once

#include <windows.h>

#include <memory>

#include "pipe.hpp"

namespace mproc::platform::winproc {

// The HANDLE a descriptor stands for. 0, 1 and 2 are never handle values
// (Windows handles are multiples of 4), so they name this process's
// standard input, output and error, as on POSIX.
HANDLE handle_of_fd(int fd) noexcept;
// The descriptor for a handle (handles fit in 32 bits; see fd.hpp).
int fd_of_handle(HANDLE h) noexcept;

// Enters an overlapped pipe handle; returns its descriptor. Throws (and
// closes the handle) when the table can not grow.
int register_pipe(UniqueHandle h);

// The descriptor for a handle just brought into this process (received
// from another): an overlapped pipe is entered in the table, anything else
// only drops a stale entry of the same value. Takes `h`. Throws.
int enter_handle(UniqueHandle h);

// The pipe behind `fd`, entering it if it is an overlapped pipe handle not
// yet known; null when `fd` is not a pipe. Throws ENOTSUP for a pipe
// opened for synchronous I/O (nothing can wait on it with a deadline).
std::shared_ptr<Pipe> pipe_of(int fd);

// Records that ends `a` and `b`, both in the table, are one pipe's two ends.
void link_pipes(int a, int b) noexcept;
// Records that the end `fd` went to process `pid`: the other end, when this
// process holds it, then knows its peer. Nothing for other descriptors.
void note_handed_to(int fd, uint32_t pid) noexcept;

// Forgets `fd` and closes its pipe (a send in flight still completes).
// False, with nothing done, when `fd` is not in the table.
bool close_registered(int fd) noexcept;

}  // namespace mproc::platform::winproc
