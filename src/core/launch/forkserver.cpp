#include "core/launch/forkserver.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/launch/bootstrap.hpp"
#include "core/launch/children.hpp"
#include "core/fault.hpp"
#include "core/launch/launch.hpp"
#include "core/launch/start.hpp"
#include "platform/error.hpp"
#include "platform/fdpass.hpp"
#include "platform/fork_registry.hpp"
#include "platform/lifeline.hpp"
#include "platform/child_exits.hpp"
#include "platform/pipes.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"
#include "platform/stream_io.hpp"
#include "platform/sysinfo.hpp"

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
    UniqueFd status_ours, status_theirs;
    platform::make_socket_pair(&status_ours, &status_theirs);
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
    int code = r.code();
    int64_t pid = r.i64();
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
    UniqueFd ours, theirs;
    platform::make_socket_pair(&ours, &theirs);
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
        server->signal(platform::kSignalKill);
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
      server.signal(platform::kSignalKill);
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
  platform::ChildExits exits;
  // Children alive, and the socket to report each one's status on.
  std::unordered_map<int64_t, UniqueFd> status_sockets;
};

void report_exits(Server& s) {
  s.exits.reap_ended([&s](int64_t pid, int exitcode) {
    auto it = s.status_sockets.find(pid);
    if (it == s.status_sockets.end()) return;
    int32_t code = exitcode;
    try {
      platform::send_nowait(it->second.get(), &code, sizeof code, nullptr, 0, 0);
    } catch (const Error&) {
      // The parent let go of this child: nobody is left to tell.
    }
    s.status_sockets.erase(it);
  });
}

// False when the parent could not be told (it gave up on the request, or
// is gone): that is no reason for the server to stop serving its children.
bool reply(int control, int code, int64_t pid, const std::string& message,
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
  UniqueFd(s.control).reset();
  for (auto& entry : s.status_sockets) entry.second.reset();
  s.exits.close_in_child();
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
  req.os_parent = platform::current_pid();
  int64_t pid;
  try {
    pid = platform::fork_process();
  } catch (const Error& e) {
    reply(s.control, e.code(), 0, "fork failed", {});
    return;
  }
  if (pid == 0) {
    status_socket.reset();  // the server's end of this worker's report
    become_worker(s, req);
  }
  if (req.new_group) platform::make_group_leader(pid);
  UniqueFd pidfd;
  try {
    platform::NewChildHandle child = platform::process_handle_of_new_child(pid);
    // The server never ignores SIGCHLD (it waits for its children itself),
    // so the system can not have reaped one behind its back.
    if (child.gone) fail(MPROC_ECHILD, "forkserver: worker " + std::to_string(pid) +
                                           " was reaped behind the server's back");
    pidfd = std::move(child.handle);
  } catch (const Error& e) {
    reply(s.control, e.code(), 0, e.what(), {});
    return;
  }
  s.status_sockets.emplace(pid, std::move(status_socket));
  if (!reply(s.control, 0, pid, "", {pidfd.get()}))
    platform::signal_process(pidfd.get(), platform::kSignalKill);  // nobody will ever watch it
}

}  // namespace

std::shared_ptr<Child> start_with_forkserver(const LaunchRequest& req) {
  if (!platform::fork_supported())
    fail(MPROC_ENOTSUP, "the forkserver start method needs fork, which this platform does not "
                        "have: use the spawn start method");
  return ForkserverClient::get().launch(req);
}

void forkserver_main(int control) {
  // The server lives exactly as long as the program it serves.
  if (!platform::die_with_parent(platform::kSignalKill, platform::parent_pid()))
    platform::exit_immediately(1);
  Server s;
  s.control = control;
  try {
    s.exits.open();
  } catch (const Error& e) {
    // Said, so that the parent does not take the silence for a program
    // that never called mproc_main.
    try {
      send_ack(control, e.code(), std::string("forkserver: ") + e.what());
    } catch (...) {
    }
    platform::exit_immediately(1);
  }
  try {
    send_ack(control, 0, "");
    for (;;) {
      if (s.draining && s.status_sockets.empty()) std::exit(0);
      // A draining server only reaps: its channel is no longer watched.
      platform::FdWait waits[2] = {{s.exits.fd(), platform::IoWant::kRead, false},
                                   {control, platform::IoWant::kRead, false}};
      platform::wait_any(waits, s.draining ? 1 : 2, Deadline::never());
      if (waits[0].ready) report_exits(s);
      if (!s.draining && waits[1].ready) serve_one(s);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc forkserver: %s\n", e.what());
    platform::exit_immediately(1);
  }
}

}  // namespace mproc::core
