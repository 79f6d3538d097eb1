// Loading a plug-in: a shared object mproc opens at run time (the MPI
// pool's transport, src/mpi/), so that libmproc itself links nothing the
// plug-in needs. Opened plug-ins stay loaded until the process ends (their
// threads and exit handlers may outlive any caller).
#pragma once

#include <string>

namespace mproc::platform {

// The folder holding the mproc library itself (the file this code is
// linked into), without a trailing separator; "" if the OS will not say.
std::string own_library_dir();

// Opens the shared object at `path` with its symbols visible to what it
// loads in turn (MPI's own components need that), and returns the address
// of its symbol `symbol`. Throws ENOENT (no such file) or ENOTSUP (it
// would not load, or lacks the symbol), the message naming the file and
// giving the loader's reason.
void* load_plugin_symbol(const std::string& path, const char* symbol);

}  // namespace mproc::platform
