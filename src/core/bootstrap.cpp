#include "core/bootstrap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/forkserver.hpp"
#include "core/identity.hpp"
#include "core/launch.hpp"
#include "platform/fdpass.hpp"

namespace mproc::core {
namespace {

std::string* g_argv0 = new std::string;

constexpr size_t kMaxRequest = size_t{1} << 31;

// Reads the number in `name` and removes the variable, so that the child's
// own children do not mistake themselves for bootstrapped processes.
int take_fd_from_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return -1;
  char* end = nullptr;
  long fd = std::strtol(value, &end, 10);
  unsetenv(name);
  if (end == value || *end != '\0' || fd < 0 || fd > 65535) return -2;
  // The descriptor arrived without close-on-exec (it was dup2'ed into
  // place); commands the task runs must not inherit it.
  fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return static_cast<int>(fd);
}

[[noreturn]] void bootstrap_failed(int sock, int code, const std::string& why) {
  std::fprintf(stderr, "mproc: child %ld could not start its task: %s\n",
               static_cast<long>(getpid()), why.c_str());
  if (sock >= 0) {
    try {
      send_ack(sock, code, why);
    } catch (...) {
    }
  }
  std::fflush(nullptr);
  _exit(255);
}

}  // namespace

const std::string& program_argv0() { return *g_argv0; }

void send_ack(int sock, int code, const std::string& message) {
  WireWriter w;
  w.u32(static_cast<uint32_t>(code));
  w.str(message);
  platform::send_record(sock, w.data(), {}, platform::Deadline::after_ms(kAckTimeoutMs));
}

int recv_ack(int sock, std::string& message, int64_t timeout_ms) {
  std::string payload;
  std::vector<platform::UniqueFd> fds;
  if (!platform::recv_record(sock, payload, fds, platform::Deadline::after_ms(timeout_ms),
                             64 * 1024))
    fail(MPROC_EBOOTSTRAP, "the child ended before acknowledging its task");
  WireReader r(payload);
  int code = static_cast<int>(r.u32());
  message = r.str();
  return code;
}

int bootstrap_main(int argc, char** argv) {
  if (argc > 0 && argv != nullptr && argv[0] != nullptr) *g_argv0 = argv[0];
  mark_bootstrap_done();

  int server_fd = take_fd_from_env(kForkserverEnv);
  if (server_fd >= 0) forkserver_main(server_fd);  // never returns
  if (server_fd == -2) bootstrap_failed(-1, MPROC_EBOOTSTRAP, "bad forkserver descriptor");

  int sock = take_fd_from_env(kBootstrapEnv);
  if (sock == -1) return 0;  // not started by mproc: the program runs
  if (sock == -2) bootstrap_failed(-1, MPROC_EBOOTSTRAP, "bad bootstrap descriptor");

  LaunchRequest req;
  try {
    std::string payload;
    std::vector<platform::UniqueFd> fds;
    if (!platform::recv_record(sock, payload, fds,
                               platform::Deadline::after_ms(kAckTimeoutMs), kMaxRequest))
      bootstrap_failed(-1, MPROC_EBOOTSTRAP, "the parent closed the bootstrap socket");
    WireReader r(payload);
    ReceivedFds received(std::move(fds));
    req = decode_launch(r, received);
  } catch (const Error& e) {
    bootstrap_failed(sock, e.code(), e.what());
  } catch (const std::exception& e) {
    bootstrap_failed(sock, MPROC_EBOOTSTRAP, e.what());
  }
  try {
    send_ack(sock, 0, "");
  } catch (...) {
    _exit(255);  // the parent gave up on us
  }
  close(sock);
  run_child(req, ExitStyle::kNormal);
}

}  // namespace mproc::core
