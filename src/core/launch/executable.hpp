// What a re-executed child runs (spawn children, pool workers under spawn,
// the forkserver): this program itself by default, or what the host set
// with mproc_set_executable -- an interpreter with its arguments, so that a
// Python program's children start Python again and reach mproc_main
// through the script it names.
#pragma once

#include <string>
#include <vector>

namespace mproc::core {

struct SpawnCommand {
  std::string path;               // the executable to start
  std::vector<std::string> argv;  // its whole argument vector, argv[0] included
};

// Sets the command; an empty `path` goes back to this program itself.
// `argv` empty means {path}. A bare name is looked up in PATH now, and a
// path must name an executable file: ENOENT or EACCES otherwise, with a
// message naming it (a child that can not start would only say so later).
void set_spawn_command(const std::string& path, std::vector<std::string> argv);

// The command children run now (a copy: another thread may change it).
SpawnCommand spawn_command();

}  // namespace mproc::core
