// The forkserver start method. On first use the program is re-executed once
// in server mode: it enters mproc_main before any user code, stays
// single-threaded, and forks a child per request. Its control socket is a
// private socket pair, never a named socket.
//
// The server is the children's parent, so it reaps them and reports each
// exit status on a socket made for that child; it also hands this process a
// pidfd for each child, so signals reach exactly that process.
//
// A start that fails talking to the server fails alone: the server is
// retired, not stopped. Its socket is closed, so it takes no more requests,
// but it lives on until every child it started has ended and been
// reported: their exit status and sentinel stay as they were (and its
// daemon children, which die with it, live on). The next start brings up
// a new server.
#pragma once

namespace mproc::core {

// The server's loop; never returns. `control` is the inherited socket.
[[noreturn]] void forkserver_main(int control);

}  // namespace mproc::core
