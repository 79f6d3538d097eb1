#include "core/forkserver.hpp"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/bootstrap.hpp"
#include "core/children.hpp"
#include "core/fault.hpp"
#include "core/launch.hpp"
#include "core/start.hpp"
#include "platform/error.hpp"
#include "platform/fdpass.hpp"
#include "platform/fork_registry.hpp"
#include "platform/lifeline.hpp"
#include "platform/pidfd.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;
using platform::UniqueFd;

constexpr size_t kMaxRequest = size_t{1} << 31;
// How long a server that was told to stop has to exit.
constexpr int64_t kServerExitMs = 2000;

// ---- Client side (the program that starts children) ----------------------

class ForkserverClient {
 public:
  static ForkserverClient& get() {
    // Taken around every fork (stage kForkserverClient of
    // platform/fork_registry.hpp), so a fork child finds it free and
    // g_client settled; held only while the client is made.
    static std::mutex create_mu;
    static std::once_flag once;
    std::call_once(once, [] {
      platform::register_fork_hooks(
          platform::ForkStage::kForkserverClient,
          {[] { create_mu.lock(); }, [] { create_mu.unlock(); },
           [] {
             // A forked child must start its own server: this one answers
             // the parent, and its socket lock may have been held at the fork.
             if (g_client != nullptr) g_client->reset_in_fork_child();
             create_mu.unlock();
           }});
    });
    std::lock_guard<std::mutex> lock(create_mu);
    if (g_client == nullptr) {
      g_client = new ForkserverClient;
      // At exit, once the children are joined, close the server's socket
      // (it then exits) and reap it, rather than leave it to init.
      Children::at_exit([] {
        if (g_client != nullptr) g_client->shut_down();
      });
    }
    return *g_client;
  }

  void shut_down() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_server();
    for (auto& server : retired_) reap_server(*server);
    retired_.clear();
  }

  std::shared_ptr<Child> launch(const LaunchRequest& req) {
    WireWriter request;
    std::vector<int> fds;
    encode_launch(req, request, fds);
    // The socket the server reports this child's exit status on.
    int sv[2];
    int rc = uv_socketpair(SOCK_STREAM, 0, sv, 0, 0);
    if (rc != 0) fail_errno("socketpair", -rc);
    UniqueFd status_ours(sv[0]), status_theirs(sv[1]);
    fds.push_back(status_theirs.get());

    std::lock_guard<std::mutex> lock(mu_);
    ensure_server();
    std::string reply;
    std::vector<UniqueFd> reply_fds;
    try {
      inject_fault(FaultSite::kForkserverLaunch);
      platform::send_record(control_.get(), request.data(), fds,
                            Deadline::after_ms(kAckTimeoutMs));
      if (!platform::recv_record(control_.get(), reply, reply_fds,
                                 Deadline::after_ms(kAckTimeoutMs), 64 * 1024))
        fail(MPROC_EBOOTSTRAP, "the forkserver closed its socket");
    } catch (const Error& e) {
      // Only this start fails. What the server made of the request is
      // unknown, so it is asked for nothing more; but it is not stopped:
      // it goes on reporting the children it started (and they, daemons,
      // would die with it). The next start brings up a new server.
      retire_server();
      fail(MPROC_EBOOTSTRAP, std::string("the forkserver could not be asked to start the task "
                                         "(a new server will serve the next start): ") +
                                 e.what());
    }
    WireReader r(reply);
    int code = static_cast<int>(r.u32());
    pid_t pid = static_cast<pid_t>(r.i64());
    std::string message = r.str();
    if (code != 0) fail(code, "forkserver could not start the task: " + message);
    if (reply_fds.size() != 1) fail(MPROC_ECORRUPT, "forkserver reply without a pidfd");
    return std::make_shared<Child>(pid, std::move(reply_fds[0]),
                                   Child::Reaper::kForkserver, req.new_group,
                                   std::move(status_ours));
  }

 private:
  void ensure_server() {
    // Retired servers that have ended are reaped.
    retired_.erase(std::remove_if(retired_.begin(), retired_.end(),
                                  [](const std::shared_ptr<Child>& c) { return !c->alive(); }),
                   retired_.end());
    if (server_ && server_->alive()) return;
    stop_server();
    int sv[2];
    int rc = uv_socketpair(SOCK_STREAM, 0, sv, 0, 0);
    if (rc != 0) fail_errno("socketpair", -rc);
    UniqueFd ours(sv[0]), theirs(sv[1]);
    // Not watched by the reactor: ensure_server reaps a server that died,
    // and shut_down reaps it at exit.
    server_ = spawn_self_from_reactor(kForkserverEnv, theirs.get(), false);
    theirs.reset();
    std::string message;
    int code;
    try {
      code = recv_ack(ours.get(), message, kAckTimeoutMs);
    } catch (const Error& e) {
      // Not a word from its mproc_main: it ran the program instead (or was
      // killed, or hangs).
      std::shared_ptr<Child> server = std::move(server_);
      bool ended = e.code() != MPROC_ETIMEDOUT &&
                   server->join(Deadline::after_ms(kServerExitMs)) == 0;
      if (!ended) {
        server->signal(SIGKILL);
        server->join(Deadline::never());
      }
      fail(MPROC_EBOOTSTRAP, "the forkserver could not start: " +
                                 silent_child_message("its process", *server, ended));
    }
    if (code != 0) {
      stop_server();
      fail(code, "forkserver did not start: " + message);
    }
    control_ = std::move(ours);
  }

  // Closes the server's socket and reaps the server, which exits once the
  // children it started have been reported (at process exit, they have
  // been joined already); killed if it does not go in time, its children
  // run on, and their status then arrives as "lost" once each ends.
  void stop_server() {
    control_.reset();
    if (!server_) return;
    reap_server(*server_);
    server_.reset();
  }

  // Closes the server's socket without waiting for it: on that it takes no
  // more requests, and exits once every child it started has ended and
  // been reported. Reaped later (ensure_server, shut_down).
  void retire_server() {
    control_.reset();
    if (server_) retired_.push_back(std::move(server_));
    server_.reset();
  }

  static void reap_server(Child& server) {
    if (server.join(Deadline::after_ms(kServerExitMs)) != 0) {
      server.signal(SIGKILL);
      server.join(Deadline::never());
    }
  }

  void reset_in_fork_child() {
    new (&mu_) std::mutex;
    // The parent's server is not ours to stop: forget it without closing
    // anything it might still be using on the parent's behalf... except
    // our copy of the socket, which would otherwise keep it alive.
    control_.reset();
    server_ = nullptr;
    retired_.clear();
  }

  static ForkserverClient* g_client;
  std::mutex mu_;
  UniqueFd control_;
  std::shared_ptr<Child> server_;
  std::vector<std::shared_ptr<Child>> retired_;
};

ForkserverClient* ForkserverClient::g_client = nullptr;

// ---- Server side ---------------------------------------------------------

struct Server {
  int control;
  // The parent closed the channel: no more requests; the server exits once
  // its last child has been reported.
  bool draining = false;
  UniqueFd sigchld;
  // Children alive, and the socket to report each one's status on.
  std::unordered_map<pid_t, UniqueFd> status_sockets;
};

void report_exits(Server& s) {
  struct signalfd_siginfo info;
  while (::read(s.sigchld.get(), &info, sizeof info) == sizeof info) {
  }
  for (;;) {
    int status = 0;
    // Every child of this process is a worker it forked: the server runs
    // no other code, so reaping any child here takes nothing from anyone.
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = s.status_sockets.find(pid);
    if (it == s.status_sockets.end()) continue;
    int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    (void)!::send(it->second.get(), &code, sizeof code, MSG_NOSIGNAL | MSG_DONTWAIT);
    s.status_sockets.erase(it);
  }
}

// False when the parent could not be told (it gave up on the request, or
// is gone): that is no reason for the server to stop serving its children.
bool reply(int control, int code, pid_t pid, const std::string& message,
           const std::vector<int>& fds) noexcept {
  try {
    WireWriter w;
    w.u32(static_cast<uint32_t>(code));
    w.i64(pid);
    w.str(message);
    platform::send_record(control, w.data(), fds, Deadline::after_ms(kAckTimeoutMs));
    return true;
  } catch (...) {
    return false;
  }
}

[[noreturn]] void become_worker(Server& s, const LaunchRequest& req) {
  // Nothing of the server's survives in the worker: its channel, its
  // signal handling, and the status sockets of the other workers.
  ::close(s.control);
  s.sigchld.reset();
  for (auto& entry : s.status_sockets) entry.second.reset();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  run_child(req, ExitStyle::kImmediate);
}

void serve_one(Server& s) {
  std::string payload;
  std::vector<UniqueFd> fds;
  bool got = false;
  try {
    got = platform::recv_record(s.control, payload, fds, Deadline::never(), kMaxRequest);
  } catch (const Error&) {
    // A broken channel ends the requests, not the server's duty to report.
  }
  if (!got) {
    s.draining = true;
    return;
  }
  if (fds.empty()) {
    reply(s.control, MPROC_ECORRUPT, 0, "forkserver request without a status socket", {});
    return;
  }
  UniqueFd status_socket = std::move(fds.back());
  fds.pop_back();
  LaunchRequest req;
  try {
    WireReader r(payload);
    ReceivedFds received(std::move(fds));
    req = decode_launch(r, received);
  } catch (const Error& e) {
    reply(s.control, e.code(), 0, e.what(), {});
    return;
  }
  req.os_parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    reply(s.control, code_from_errno(errno), 0, "fork failed", {});
    return;
  }
  if (pid == 0) {
    status_socket.reset();  // the server's end of this worker's report
    become_worker(s, req);
  }
  if (req.new_group) setpgid(pid, pid);
  UniqueFd pidfd;
  try {
    pidfd = platform::pidfd_of_new_child(pid);
  } catch (const Error& e) {
    reply(s.control, e.code(), 0, e.what(), {});
    return;
  }
  s.status_sockets.emplace(pid, std::move(status_socket));
  if (!reply(s.control, 0, pid, "", {pidfd.get()}))
    platform::pidfd_signal(pidfd.get(), SIGKILL);  // nobody will ever watch it
}

}  // namespace

std::shared_ptr<Child> start_with_forkserver(const LaunchRequest& req) {
  return ForkserverClient::get().launch(req);
}

void forkserver_main(int control) {
  // The server lives exactly as long as the program it serves.
  if (!platform::die_with_parent(SIGKILL, getppid())) _exit(1);
  Server s;
  s.control = control;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  s.sigchld = UniqueFd(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!s.sigchld) {
    // Said, so that the parent does not take the silence for a program
    // that never called mproc_main.
    int err = errno;
    try {
      send_ack(control, code_from_errno(err), "forkserver: signalfd failed");
    } catch (...) {
    }
    _exit(1);
  }
  try {
    send_ack(control, 0, "");
    for (;;) {
      if (s.draining && s.status_sockets.empty()) std::exit(0);
      // poll skips a negative descriptor: a draining server only reaps.
      struct pollfd pfds[2] = {{s.draining ? -1 : control, POLLIN, 0},
                               {s.sigchld.get(), POLLIN, 0}};
      if (::poll(pfds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        fail_errno("poll");
      }
      if (pfds[1].revents) report_exits(s);
      if (pfds[0].revents) serve_one(s);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc forkserver: %s\n", e.what());
    _exit(1);
  }
}

}  // namespace mproc::core
