// What a child needs to become itself and run its task, however it was
// started; its encoding for the bootstrap and forkserver channels; and the
// child-side path that runs the task and exits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/args.hpp"
#include "core/tasks.hpp"

namespace mproc::core {

struct LaunchRequest {
  std::string task;  // registered name; may be empty under fork
  TaskFn fn = nullptr;
  std::shared_ptr<Args> args;
  std::string name;
  std::vector<int64_t> lineage;
  bool daemon = false;
  bool new_group = false;
  int64_t parent_pid = 0;  // the process that asked for this child
  int64_t os_parent = 0;  // the process that forked it: a daemon dies with it
  // The child's authentication key (core/authkey.hpp): travels only in this
  // request, never on a command line or in the environment.
  std::string authkey;
};

void encode_launch(const LaunchRequest& req, WireWriter& out, std::vector<int>& fds);
// Decodes and resolves the task by name; throws ENOTFOUND for a name this
// program has not registered, ECORRUPT for a malformed record.
LaunchRequest decode_launch(WireReader& in, ReceivedFds& fds);

// How a child leaves once its task returned: a forked child must not run
// the atexit handlers it inherited from its parent's program, so it uses
// _exit; a re-executed (spawned) child is a program of its own and exits.
enum class ExitStyle { kImmediate, kNormal };

// Becomes the requested child and runs the task; never returns. Before
// exiting it joins its own children (or terminates its daemons) and
// flushes stdio, as Python's children do.
[[noreturn]] void run_child(const LaunchRequest& req, ExitStyle style);

}  // namespace mproc::core
