// Starting another program (POSIX: posix_spawn; Windows: CreateProcessW
// with an explicit handle list), with every descriptor the caller did not
// name closed in it (close-on-exec or not, inheritable or not), signal
// dispositions and mask reset, and failures to start it (no such file, not
// executable) reported to the caller rather than as an exit status.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "platform/fd.hpp"
#include "platform/process.hpp"

namespace mproc::platform {

struct ExecSpec {
  std::string path;  // absolute or relative path of the executable
  std::vector<std::string> argv;
  std::vector<std::string> env;  // NAME=value
  std::string cwd;               // empty: the parent's
  // Descriptors the program gets: {number in the program, parent's fd}.
  // Numbers 0-2 absent from the map are the parent's own streams. On
  // Windows the number is the C runtime descriptor the program finds the
  // handle at (the CRT's inherited-descriptor table), so a program reads
  // number N as it would on POSIX.
  std::vector<std::pair<int, int>> fds;
  // A new process group: signal_group(pid) reaches the program and all its
  // descendants (POSIX: a process group; Windows: a Job object).
  bool new_group = false;
  // Windows: the program and its descendants die when this process does
  // (a kill-on-close Job object, made before the program runs). POSIX has
  // no such thing at creation: the child asks die_with_parent itself.
  bool dies_with_parent = false;
};

// A started program: its pid and a process handle on it (process.hpp;
// `gone` when it already ended and the system reaped it).
struct Spawned {
  int64_t pid = 0;
  NewChildHandle handle;
};

// Starts the program. Throws with the OS's code and a message naming the
// executable.
Spawned exec_spawn(const ExecSpec& spec);

// This process's own stdin, stdout or stderr (0, 1, 2) as a descriptor,
// for ExecSpec::fds (POSIX: the number itself; Windows: the std handle).
int own_stream(int which) noexcept;

// A descriptor this program was started with at `number` (ExecSpec::fds'
// first member, learnt from the environment): no longer inherited by
// programs this one starts, and returned as a descriptor of this platform
// (POSIX: the number itself; Windows: the handle, taken out of the C
// runtime's table). Throws EBADF when nothing is there.
int adopt_inherited(int number);

// Resolves `name` as the platform's shell would, against the PATH (and on
// Windows PATHEXT) of `env` (NAME=value strings; POSIX falls back to
// /usr/local/bin:/usr/bin:/bin without one). Names with a path separator
// are returned as they are. Throws ENOENT (or EACCES when only
// non-executable matches exist) with a message naming it.
std::string resolve_executable(const std::string& name, const std::vector<std::string>& env);

// The executable `name` names, for starting it later: a bare name is
// resolved against this process's PATH (resolve_executable); a path must
// be an existing executable file. Throws ENOENT or EACCES naming it.
std::string find_program(const std::string& name);

// This process's environment, as NAME=value strings.
std::vector<std::string> current_environment();
// Removes `name` from this process's environment.
void unset_environment(const char* name) noexcept;

}  // namespace mproc::platform
