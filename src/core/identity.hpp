// Who this process is in mproc's family tree: its name ("MainProcess" or
// "Process-1:2"), whether it is a daemon, how many children it has named,
// and whether it was spawned by mproc but has not passed mproc_main yet.
#pragma once

#include <mproc/process.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mproc::core {

struct Identity {
  std::string name = "MainProcess";
  std::vector<int64_t> lineage;  // Python's _identity: (1, 2) -> "Process-1:2"
  bool daemon = false;
  bool is_child = false;  // started by mproc (any method)
  int64_t parent_pid = 0;  // the process that started this one (0: none)
};

// The calling process's identity (reset in children by their start path).
Identity& current_identity();
// Becomes the identity of a child numbered by `lineage`.
void become_child(const std::string& name, std::vector<int64_t> lineage, bool daemon,
                  int64_t parent_pid);
// The next child's number and default name ("Process-N", "Process-1:N").
std::vector<int64_t> next_child_lineage();
std::string default_child_name(const std::vector<int64_t>& lineage);

// The process-wide default start method.
mproc_start_method_t default_start_method() noexcept;
void set_default_start_method(mproc_start_method_t m) noexcept;
const char* start_method_name(int m) noexcept;
// Throws MPROC_ENOTSUP, naming spawn, for a start method this platform
// does not have (fork and forkserver where there is no fork), as Python's
// set_start_method refuses a context it does not have.
void require_start_method(mproc_start_method_t m);

// True in a process spawned by mproc whose main() never called mproc_main:
// it must not start children (it would be re-running its parent's program).
bool bootstrap_skipped() noexcept;
void mark_bootstrap_done() noexcept;

}  // namespace mproc::core
