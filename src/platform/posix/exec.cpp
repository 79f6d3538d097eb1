#include "platform/exec.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "platform/error.hpp"
#include "platform/fd.hpp"
#include "platform/process.hpp"

extern char** environ;

namespace mproc::platform {
namespace {

// RAII for the posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

void check(int rc, const char* what) {
  if (rc != 0) fail_errno(what, rc);
}

}  // namespace

std::string resolve_executable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env)
    if (e.compare(0, 5, "PATH=") == 0) path_var = e.substr(5);
  bool saw_unexecutable = false;
  size_t start = 0;
  for (;;) {
    size_t end = path_var.find(':', start);
    std::string dir = path_var.substr(start, end == std::string::npos ? end : end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      saw_unexecutable = true;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (saw_unexecutable)
    fail(MPROC_EACCES, "command '" + name + "' was found in PATH but is not executable");
  fail(MPROC_ENOENT, "command '" + name + "' not found in PATH");
}

std::string find_program(const std::string& name) {
  if (name.find('/') == std::string::npos) return resolve_executable(name, current_environment());
  struct stat st;
  if (::stat(name.c_str(), &st) != 0) fail_errno("cannot use '" + name + "' as an executable", errno);
  if (!S_ISREG(st.st_mode)) fail(MPROC_EACCES, "'" + name + "' is not a regular file");
  if (::access(name.c_str(), X_OK) != 0)
    fail_errno("'" + name + "' is not executable by this process", errno);
  return name;
}

int own_stream(int which) noexcept { return which; }

int adopt_inherited(int number) {
  if (!fd_is_open(number))
    fail(MPROC_EBADF, "descriptor " + std::to_string(number) + " was not inherited");
  // It arrived without close-on-exec (it was dup2'ed into place); programs
  // this one starts must not inherit it.
  set_cloexec(number);
  return number;
}

Spawned exec_spawn(const ExecSpec& spec) {
  SpawnSetup setup;
  int highest = 2;
  for (const auto& [target, source] : spec.fds) highest = std::max(highest, target);

  // Park every source above all target numbers first, so that no dup2 can
  // clobber a source another one still needs. The parked copies are
  // close-on-exec and closed below in any case.
  std::vector<UniqueFd> parked;
  for (const auto& [target, source] : spec.fds) {
    parked.push_back(dup_cloexec(source, highest + 1));
    check(posix_spawn_file_actions_adddup2(&setup.actions, parked.back().get(), target),
          "posix_spawn_file_actions_adddup2");
  }
  // Everything else is closed: the gaps between the numbers given out, and
  // all descriptors above them, marked close-on-exec or not.
  for (int fd = 3; fd <= highest; ++fd) {
    bool given = std::any_of(spec.fds.begin(), spec.fds.end(),
                             [fd](const auto& m) { return m.first == fd; });
    if (!given)
      check(posix_spawn_file_actions_addclose(&setup.actions, fd),
            "posix_spawn_file_actions_addclose");
  }
  check(posix_spawn_file_actions_addclosefrom_np(&setup.actions, highest + 1),
        "posix_spawn_file_actions_addclosefrom_np");
  if (!spec.cwd.empty())
    check(posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str()),
          "posix_spawn_file_actions_addchdir_np");

  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  check(posix_spawnattr_setsigmask(&setup.attr, &none), "posix_spawnattr_setsigmask");
  check(posix_spawnattr_setsigdefault(&setup.attr, &all), "posix_spawnattr_setsigdefault");
  if (spec.new_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    check(posix_spawnattr_setpgroup(&setup.attr, 0), "posix_spawnattr_setpgroup");
  }
  check(posix_spawnattr_setflags(&setup.attr, flags), "posix_spawnattr_setflags");

  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, spec.path.c_str(), &setup.actions, &setup.attr,
                       argv.data(), envp.data());
  if (rc != 0) fail_errno("cannot run '" + spec.path + "'", rc);
  // Nobody else reaps it (mproc never waits for any child), so the pid
  // still names our child here.
  Spawned spawned;
  spawned.pid = pid;
  spawned.handle = process_handle_of_new_child(pid);
  return spawned;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

void unset_environment(const char* name) noexcept { ::unsetenv(name); }

}  // namespace mproc::platform
