// Starting another program with posix_spawn, with every descriptor the
// caller did not name closed in it (close-on-exec or not), signal
// dispositions and mask reset, and exec failures (no such file, not
// executable) reported to the caller rather than as an exit status.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mproc::platform {

struct ExecSpec {
  std::string path;  // absolute or relative path of the executable
  std::vector<std::string> argv;
  std::vector<std::string> env;  // NAME=value
  std::string cwd;               // empty: the parent's
  // Descriptors the program gets: {number in the program, parent's fd}.
  // Numbers 0-2 absent from the map are the parent's own streams.
  std::vector<std::pair<int, int>> fds;
  bool new_group = false;
};

// Starts the program; returns its pid. Throws with errno's code and a
// message naming the executable.
int64_t exec_spawn(const ExecSpec& spec);

// Resolves `name` as execvp would, against the PATH value `path_var`.
// Names with a '/' are returned as they are. Throws ENOENT (or EACCES when
// only non-executable matches exist) with a message naming it.
std::string resolve_executable(const std::string& name, const std::string& path_var);

// This process's environment, as NAME=value strings.
std::vector<std::string> current_environment();
// Removes `name` from this process's environment.
void unset_environment(const char* name) noexcept;

}  // namespace mproc::platform
