// The child side of the spawn and forkserver start methods: what
// mproc_main() does in a process that mproc started by re-executing the
// program, and the small protocol on the bootstrap socket:
//
//   child:  hello             (first thing in mproc_main)
//   parent: the launch request
//   child:  ack (0, or an error code and message)
//
// The hello is how the parent tells a child that never called mproc_main
// (it runs the parent's program again, and closes the socket unread when
// it exits) from one that failed to start its task. The forkserver's
// readiness ack plays the same part for the server.
#pragma once

#include <string>

#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

class Child;
struct LaunchRequest;

// Environment variables naming the inherited descriptor a re-executed
// process reads its orders from.
inline constexpr const char* kBootstrapEnv = "MPROC_BOOTSTRAP_FD";
inline constexpr const char* kForkserverEnv = "MPROC_FORKSERVER_FD";
// The descriptor number the child finds it at.
inline constexpr int kBootstrapChildFd = 3;

// mproc_main's work: returns 0 in a process mproc did not start; in one it
// did, runs the task or the forkserver and never returns (except to report
// a bootstrap failure, with the message already on stderr).
int bootstrap_main(int argc, char** argv);

// argv[0] as the program was started, for re-executing it.
const std::string& program_argv0();

// The child's side of the launch: receives the request on the bootstrap
// socket and decodes it. False when the parent closed the socket first;
// throws ECORRUPT for a malformed record, ENOTFOUND for a task this program
// has not registered, ETIMEDOUT.
bool recv_launch(int sock, LaunchRequest& req, const platform::Deadline& deadline);

// Acknowledgement of a launch: code 0 (the task is about to run) or an
// error with its message.
void send_ack(int sock, int code, const std::string& message);
// Reads an ack; returns its code and message. Throws ETIMEDOUT, or
// EBOOTSTRAP if the child closed the socket without one.
int recv_ack(int sock, std::string& message, const platform::Deadline& deadline);
int recv_ack(int sock, std::string& message, int64_t timeout_ms);

// The child's first word. recv_hello returns false when the socket closed
// without it (the child never reached mproc_main); throws ETIMEDOUT.
void send_hello(int sock);
bool recv_hello(int sock, const platform::Deadline& deadline);

// Why a re-executed child (`what`, e.g. "spawned child") closed its channel
// before mproc_main spoke, or never spoke at all; `ended` says whether it
// ended by itself (it has been reaped either way).
std::string silent_child_message(const std::string& what, Child& child, bool ended);

// How long a parent waits for a re-executed child to acknowledge its task:
// generous, since a loaded machine (or a sanitizer build) starts slowly.
inline constexpr int64_t kAckTimeoutMs = 60000;

}  // namespace mproc::core
