// platform/exec.hpp on Windows: CreateProcessW through winproc::launch,
// with descriptors 3 and up reaching the program as C runtime descriptors
// of the numbers asked for, and a Job object for a group or a child that
// dies with us.
#include "platform/exec.hpp"

#include <io.h>
#include <stdlib.h>

#include <cstring>
#include <cwchar>
#include <memory>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "security.hpp"
#include "winproc.hpp"

namespace mproc::platform {

using winproc::handle_from_int;
using winproc::handle_to_int;

namespace {

// The value of `name` in NAME=value strings, names compared without case
// as Windows does ("Path" is PATH); false when absent.
bool find_variable(const std::vector<std::string>& env, const char* name, std::string* value) {
  size_t n = std::strlen(name);
  bool found = false;
  for (const auto& e : env) {
    if (e.size() > n && e[n] == '=' && _strnicmp(e.c_str(), name, n) == 0) {
      *value = e.substr(n + 1);
      found = true;  // the last one wins, as in the block CreateProcess gets
    }
  }
  return found;
}

}  // namespace

Spawned exec_spawn(const ExecSpec& spec) {
  winproc::LaunchSpec launch;
  launch.program = spec.path;
  launch.argv = spec.argv;
  launch.env = spec.env;
  launch.cwd = spec.cwd;
  launch.new_group = spec.new_group;
  for (const auto& [target, source] : spec.fds) {
    if (target < 0) fail(MPROC_EINVAL, "exec: negative descriptor number");
    if (target <= 2) {
      // own_stream() of a process without that stream is no handle: the
      // program then has none either.
      HANDLE h = handle_from_int(source);
      launch.std_handles[target] = winproc::UniqueHandle::valid(h) ? h : INVALID_HANDLE_VALUE;
    } else {
      launch.extra.push_back(handle_from_int(source));
      launch.extra_crt_fds.push_back(target);
    }
  }
  // A group needs a job to be ended as one; a child dying with us needs
  // one that kills on close (this process holds the only handle, so the
  // system closes it when we die, however we die).
  std::shared_ptr<winproc::Job> job;
  if (spec.new_group || spec.dies_with_parent) {
    job = std::make_shared<winproc::Job>(spec.dies_with_parent);
    launch.job = job.get();
  }
  winproc::LaunchResult started = winproc::launch(launch);
  if (job) winproc::remember_job(started.pid, std::move(job));
  // A pipe end the child got makes it the peer of the end we keep (a
  // socket sent on that end is shared with this pid: fdpass.cpp).
  for (const auto& entry : spec.fds)
    winproc::note_handed_to(entry.second, static_cast<uint32_t>(started.pid));
  Spawned spawned;
  spawned.pid = started.pid;
  spawned.handle.handle = UniqueFd(handle_to_int(started.process.release()));
  return spawned;
}

int own_stream(int which) noexcept {
  static const DWORD ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  if (which < 0 || which > 2) return -1;
  HANDLE h = ::GetStdHandle(ids[which]);
  return winproc::UniqueHandle::valid(h) ? handle_to_int(h) : -1;
}

int adopt_inherited(int number) {
  // The program found it in the C runtime's table at `number`: it is taken
  // out of the table (so the CRT never closes it behind our back) as a
  // handle that programs started from here do not inherit.
  intptr_t os = number < 0 ? -1 : ::_get_osfhandle(number);
  if (os == -1 || os == -2)
    fail(MPROC_EBADF, "descriptor " + std::to_string(number) + " was not inherited");
  winproc::UniqueHandle copy = winproc::duplicate_handle(reinterpret_cast<HANDLE>(os), false);
  ::_close(number);
  return handle_to_int(copy.release());
}

std::string resolve_executable(const std::string& name, const std::vector<std::string>& env) {
  std::string path_var, pathext_var;
  // Without a PATH of its own the program is looked for on ours, as
  // CreateProcess itself would.
  if (!find_variable(env, "PATH", &path_var)) {
    if (const char* ours = std::getenv("PATH")) path_var = ours;
  }
  find_variable(env, "PATHEXT", &pathext_var);
  return winproc::resolve_program(name, path_var, pathext_var);
}

std::string find_program(const std::string& name) {
  // resolve_program checks a path with a directory exists, as well as
  // searching PATH (and PATHEXT) for a bare name.
  return resolve_executable(name, current_environment());
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  wchar_t* block = ::GetEnvironmentStringsW();
  if (block == nullptr) return env;
  for (const wchar_t* e = block; *e != L'\0'; e += std::wcslen(e) + 1) {
    // "=C:=C:\dir" entries are cmd.exe's per-drive directories, not
    // variables (CPython's os.environ leaves them out too).
    if (*e == L'=') continue;
    env.push_back(wide_to_utf8(e));
  }
  ::FreeEnvironmentStringsW(block);
  return env;
}

void unset_environment(const char* name) noexcept {
  try {
    std::wstring wname = utf8_to_wide(name, "an environment variable's name");
    // Both copies: the C runtime's (getenv) and the process's (children).
    ::_wputenv_s(wname.c_str(), L"");
    ::SetEnvironmentVariableW(wname.c_str(), nullptr);
  } catch (...) {
  }
}

}  // namespace mproc::platform
