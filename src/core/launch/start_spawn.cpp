// The spawn start method: the program's own executable runs again, reads
// its orders from an inherited socket in mproc_main, and acknowledges them
// before running the task.
//
// It is started with platform::exec_spawn (posix_spawn; CreateProcessW on
// Windows) rather than uv_spawn: libuv 1.44 leaves every descriptor the host did not mark
// close-on-exec open in the child (the tests caught descriptors inherited
// from the test runner arriving in spawned children), runs no code of ours
// before exec, and installs a process-wide SIGCHLD handler in place of the
// host's. exec_spawn closes everything not passed, and the child is
// watched through its pidfd like every other.
#include <uv.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/launch/bootstrap.hpp"
#include "core/launch/executable.hpp"
#include "core/runtime.hpp"
#include "core/launch/start.hpp"
#include "platform/error.hpp"
#include "platform/exec.hpp"
#include "platform/fdpass.hpp"
#include "platform/pipes.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

namespace mproc::core {
namespace {

// How long a child whose bootstrap socket closed has to finish exiting
// (descriptors close a moment before the process is gone).
constexpr int64_t kExitAfterCloseMs = 5000;

// The parent's environment plus the variable naming the bootstrap socket.
std::vector<std::string> child_environment(const char* var, int fd) {
  std::vector<std::string> env;
  std::string prefix = std::string(var) + "=";
  for (std::string& e : platform::current_environment()) {
    if (e.compare(0, prefix.size(), prefix) == 0) continue;
    env.push_back(std::move(e));
  }
  env.push_back(prefix + std::to_string(fd));
  return env;
}

}  // namespace

const std::string& executable_path() {
  static const std::string path = [] {
    char buf[4096];
    size_t size = sizeof buf;
    int rc = uv_exepath(buf, &size);
    if (rc != 0) fail_errno("cannot find this program's executable", -rc);
    return std::string(buf, size);
  }();
  return path;
}


std::shared_ptr<Child> spawn_self(const char* env_var, int child_end, bool group_leader,
                                  bool dies_with_parent) {
  platform::ExecSpec spec;
  SpawnCommand command = spawn_command();
  spec.path = std::move(command.path);
  spec.argv = std::move(command.argv);
  spec.env = child_environment(env_var, kBootstrapChildFd);
  // stdin is /dev/null, as in Python's children; stdout and stderr are
  // shared with the parent; the socket lands at a known number; nothing
  // else of this process reaches the child.
  platform::UniqueFd devnull = platform::open_null(false);
  // (Numbers 1 and 2 left out of fds are the parent's own streams.)
  spec.fds = {{0, devnull.get()}, {kBootstrapChildFd, child_end}};
  spec.new_group = group_leader;
  spec.dies_with_parent = dies_with_parent;
  platform::Spawned spawned = platform::exec_spawn(spec);
  return std::make_shared<Child>(spawned.pid, std::move(spawned.handle), group_leader);
}

std::shared_ptr<Child> spawn_self_from_reactor(const char* env_var, int child_end,
                                               bool group_leader) {
  std::shared_ptr<Child> child;
  Runtime::get().call(
      [&](uv_loop_t*) { child = spawn_self(env_var, child_end, group_leader, true); });
  return child;
}

std::shared_ptr<Child> start_with_spawn(const LaunchRequest& req) {
  WireWriter request;
  std::vector<int> fds;
  encode_launch(req, request, fds);

  platform::UniqueFd ours, theirs;
  platform::make_socket_pair(&ours, &theirs);
  std::shared_ptr<Child> child = req.daemon
                                     ? spawn_self_from_reactor(kBootstrapEnv, theirs.get(),
                                                               req.new_group)
                                     : spawn_self(kBootstrapEnv, theirs.get(), req.new_group,
                                                  false);
  theirs.reset();

  // From here on a failure leaves a child that will exit on its own (its
  // bootstrap socket closes with us); it is still tracked and reaped.
  const platform::Deadline deadline = platform::Deadline::after_ms(kAckTimeoutMs);
  std::string message;
  int code = 0;
  bool hello = false;
  try {
    std::string unsent;
    try {
      platform::send_record(ours.get(), request.data(), fds, deadline);
    } catch (const Error& e) {
      unsent = e.what();  // whether it said hello before this tells why
    }
    hello = recv_hello(ours.get(), deadline);
    if (!hello) fail(MPROC_EBOOTSTRAP, "the child closed its bootstrap socket unread");
    if (!unsent.empty()) fail(MPROC_EBOOTSTRAP, "sending its task: " + unsent);
    code = recv_ack(ours.get(), message, deadline);
  } catch (const Error& e) {
    // A child whose socket closed is on its way out: its own exit status
    // says more than the one our kill would give it.
    bool ended = e.code() != MPROC_ETIMEDOUT &&
                 child->join(platform::Deadline::after_ms(kExitAfterCloseMs)) == 0;
    if (!ended) {
      child->signal(platform::kSignalKill);
      child->join(platform::Deadline::never());
    }
    if (!hello) fail(MPROC_EBOOTSTRAP, silent_child_message("spawned child", *child, ended));
    int status = 0;
    try {
      child->exitcode(&status);
    } catch (const Error&) {
    }
    fail(MPROC_EBOOTSTRAP, std::string("spawned child ended before starting its task "
                                       "(exit status ") +
                               std::to_string(status) + "): " + e.what());
  }
  if (code != 0) {
    child->join(platform::Deadline::after_ms(kAckTimeoutMs));
    fail(code, "spawned child could not start its task: " + message);
  }
  return child;
}

}  // namespace mproc::core
