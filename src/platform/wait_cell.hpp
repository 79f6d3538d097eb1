// The per-word state a wait needs, laid out in shared memory beside the
// word. With futexes the kernel keeps all of it; the POSIX fallback keeps a
// process-shared semaphore and a count of sleepers there.
//
// Each wait backend defines `struct WaitCell` in its own
// wait_cell_impl.hpp (linux/: futex, posix/: semaphore); the build puts
// exactly one of those folders on the include path (src/meson.build,
// option sync_backend), so no preprocessor conditional picks it here.
#pragma once

#include "wait_cell_impl.hpp"
