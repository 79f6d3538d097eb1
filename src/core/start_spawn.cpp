// The spawn start method: the program's own executable runs again (through
// uv_spawn), reads its orders from an inherited socket in mproc_main, and
// acknowledges them before running the task.
#include <signal.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/bootstrap.hpp"
#include "core/runtime.hpp"
#include "core/start.hpp"
#include "platform/error.hpp"
#include "platform/fdpass.hpp"

extern char** environ;

namespace mproc::core {
namespace {

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

// The parent's environment plus the variable naming the bootstrap socket.
std::vector<std::string> child_environment(const char* var, int fd) {
  std::vector<std::string> env;
  std::string prefix = std::string(var) + "=";
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::string(*e).compare(0, prefix.size(), prefix) == 0) continue;
    env.emplace_back(*e);
  }
  env.push_back(prefix + std::to_string(fd));
  return env;
}

}  // namespace

std::shared_ptr<Child> spawn_self(const char* env_var, int child_end, bool group_leader) {
  std::shared_ptr<Child> child;
  Runtime::get().call([&](uv_loop_t* loop) {
    const std::string& exe = executable_path();
    std::string argv0 = program_argv0().empty() ? exe : program_argv0();
    std::vector<char*> argv = {argv0.data(), nullptr};
    std::vector<std::string> env = child_environment(env_var, kBootstrapChildFd);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    // stdin is /dev/null, as in Python's children; stdout and stderr are
    // shared with the parent; the socket lands at a known number.
    uv_stdio_container_t stdio[4];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 1;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    stdio[3].flags = UV_INHERIT_FD;
    stdio[3].data.fd = child_end;

    uv_process_options_t options{};
    options.file = exe.c_str();
    options.args = argv.data();
    options.env = envp.data();
    options.stdio = stdio;
    options.stdio_count = 4;
    // A group leader gets a session of its own: setsid happens before
    // exec, so the group exists before anyone can signal it.
    options.flags = group_leader ? UV_PROCESS_DETACHED : 0;
    child = Child::spawn_with_libuv(loop, options, group_leader);
  });
  return child;
}

std::shared_ptr<Child> start_with_spawn(const LaunchRequest& req) {
  WireWriter request;
  std::vector<int> fds;
  encode_launch(req, request, fds);

  int sv[2];
  int rc = uv_socketpair(SOCK_STREAM, 0, sv, 0, 0);
  if (rc != 0) fail_errno("socketpair", -rc);
  platform::UniqueFd ours(sv[0]), theirs(sv[1]);
  std::shared_ptr<Child> child = spawn_self(kBootstrapEnv, theirs.get(), req.new_group);
  theirs.reset();

  // From here on a failure leaves a child that will exit on its own (its
  // bootstrap socket closes with us); it is still tracked and reaped.
  std::string message;
  int code;
  try {
    platform::send_record(ours.get(), request.data(), fds,
                          platform::Deadline::after_ms(kAckTimeoutMs));
    code = recv_ack(ours.get(), message, kAckTimeoutMs);
  } catch (const Error& e) {
    child->watch({});  // reaped and its libuv handle closed in the background
    child->signal(SIGKILL);
    child->join(platform::Deadline::never());
    int status = 0;
    child->exitcode(&status);
    fail(MPROC_EBOOTSTRAP, std::string("spawned child ended before starting its task "
                                       "(exit status ") +
                               std::to_string(status) + "): " + e.what());
  }
  if (code != 0) {
    child->watch({});
    child->join(platform::Deadline::after_ms(kAckTimeoutMs));
    fail(code, "spawned child could not start its task: " + message);
  }
  return child;
}

}  // namespace mproc::core
