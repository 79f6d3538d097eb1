#include "core/launch/bootstrap.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/launch/child.hpp"
#include "core/launch/forkserver.hpp"
#include "core/identity.hpp"
#include "core/launch/launch.hpp"
#include "core/pool/mpi/mpi_serve.hpp"
#include "platform/exec.hpp"
#include "platform/fdpass.hpp"
#include "platform/process.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

std::string* g_argv0 = new std::string;

constexpr size_t kMaxRequest = size_t{1} << 31;
constexpr uint32_t kHelloMagic = 0x68656c6f;  // "helo"

// Reads the number in `name` and removes the variable, so that the child's
// own children do not mistake themselves for bootstrapped processes.
int take_fd_from_env(const char* name) {
  const char* found = std::getenv(name);
  if (found == nullptr) return -1;
  // A copy: removing the variable may free the C runtime's (Windows).
  const std::string value = found;
  platform::unset_environment(name);
  char* end = nullptr;
  long fd = std::strtol(value.c_str(), &end, 10);
  if (end == value.c_str() || *end != '\0' || fd < 0 || fd > 65535) return -2;
  // Commands the task runs must not inherit it.
  try {
    return platform::adopt_inherited(static_cast<int>(fd));
  } catch (const Error&) {
    return -2;
  }
}

[[noreturn]] void bootstrap_failed(int sock, int code, const std::string& why) {
  std::fprintf(stderr, "mproc: child %ld could not start its task: %s\n",
               static_cast<long>(platform::current_pid()), why.c_str());
  if (sock >= 0) {
    try {
      send_ack(sock, code, why);
    } catch (...) {
    }
  }
  std::fflush(nullptr);
  platform::exit_immediately(255);
}

}  // namespace

const std::string& program_argv0() { return *g_argv0; }

bool recv_launch(int sock, LaunchRequest& req, const platform::Deadline& deadline) {
  std::string payload;
  std::vector<platform::UniqueFd> fds;
  if (!platform::recv_record(sock, payload, fds, deadline, kMaxRequest)) return false;
  WireReader r(payload);
  ReceivedFds received(std::move(fds));
  req = decode_launch(r, received);
  return true;
}

void send_ack(int sock, int code, const std::string& message) {
  WireWriter w;
  w.u32(static_cast<uint32_t>(code));
  w.str(message);
  platform::send_record(sock, w.data(), {}, platform::Deadline::after_ms(kAckTimeoutMs));
}

int recv_ack(int sock, std::string& message, const platform::Deadline& deadline) {
  std::string payload;
  std::vector<platform::UniqueFd> fds;
  if (!platform::recv_record(sock, payload, fds, deadline, 64 * 1024))
    fail(MPROC_EBOOTSTRAP, "the child ended before acknowledging its task");
  WireReader r(payload);
  int code = r.code();
  message = r.str();
  return code;
}

int recv_ack(int sock, std::string& message, int64_t timeout_ms) {
  return recv_ack(sock, message, platform::Deadline::after_ms(timeout_ms));
}

void send_hello(int sock) {
  WireWriter w;
  w.u32(kHelloMagic);
  platform::send_record(sock, w.data(), {}, platform::Deadline::after_ms(kAckTimeoutMs));
}

bool recv_hello(int sock, const platform::Deadline& deadline) {
  std::string payload;
  std::vector<platform::UniqueFd> fds;
  try {
    if (!platform::recv_record(sock, payload, fds, deadline, 64)) return false;
  } catch (const Error& e) {
    // Reset: the child closed the socket with our request unread.
    if (e.code() == MPROC_ECONNRESET || e.code() == MPROC_EPIPE) return false;
    throw;
  }
  WireReader r(payload);
  if (r.u32() != kHelloMagic || !r.done())
    fail(MPROC_ECORRUPT, "bootstrap: the child's first record is not mproc's hello");
  return true;
}

std::string silent_child_message(const std::string& what, Child& child, bool ended) {
  std::string who = what + " (pid " + std::to_string(child.pid()) + ")";
  if (!ended)
    return who + " did not answer within " + std::to_string(kAckTimeoutMs / 1000) +
           " s and was killed: did its main() call mproc_main(argc, argv) first?";
  int status = 0;
  bool known = false;
  try {
    known = child.exitcode(&status);
  } catch (const Error&) {
  }
  if (known && status < 0)
    return who + " was killed by signal " + std::to_string(-status) +
           " before it reached mproc_main()";
  // mproc_main answers before anything else, so a child that exited
  // without a word never called it: it ran the parent's program instead.
  return who + " exited (" + (known ? "status " + std::to_string(status) : "status unknown") +
         ") without reading its task: the child did not call mproc_main() first (call "
         "mproc_main(argc, argv) at the top of main(), before anything else, or every child "
         "runs the parent's whole program again)";
}

int bootstrap_main(int argc, char** argv) {
  if (argc > 0 && argv != nullptr && argv[0] != nullptr) *g_argv0 = argv[0];
  mark_bootstrap_done();

  int server_fd = take_fd_from_env(kForkserverEnv);
  if (server_fd >= 0) forkserver_main(server_fd);  // never returns
  if (server_fd == -2) bootstrap_failed(-1, MPROC_EBOOTSTRAP, "bad forkserver descriptor");

  int sock = take_fd_from_env(kBootstrapEnv);
  if (sock == -1) {
    serve_mpi_if_spawned();  // an MPI pool's spawned worker serves and exits here
    return 0;                // not started by mproc: the program runs
  }
  if (sock == -2) bootstrap_failed(-1, MPROC_EBOOTSTRAP, "bad bootstrap descriptor");
  try {
    send_hello(sock);
  } catch (...) {
    platform::exit_immediately(255);  // the parent gave up on us
  }

  LaunchRequest req;
  try {
    if (!recv_launch(sock, req, platform::Deadline::after_ms(kAckTimeoutMs)))
      bootstrap_failed(-1, MPROC_EBOOTSTRAP, "the parent closed the bootstrap socket");
  } catch (const Error& e) {
    bootstrap_failed(sock, e.code(), e.what());
  } catch (const std::exception& e) {
    bootstrap_failed(sock, MPROC_EBOOTSTRAP, e.what());
  }
  try {
    send_ack(sock, 0, "");
  } catch (...) {
    platform::exit_immediately(255);  // the parent gave up on us
  }
  platform::UniqueFd(sock).reset();
  run_child(req, ExitStyle::kNormal);
}

}  // namespace mproc::core
