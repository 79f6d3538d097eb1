// The three ways to start a task in a child. Each returns the started
// child, or throws with the reason it could not start.
#pragma once

#include <memory>
#include <string>

#include "core/launch/child.hpp"
#include "core/launch/launch.hpp"

namespace mproc::core {

std::shared_ptr<Child> start_with_fork(const LaunchRequest& req);
std::shared_ptr<Child> start_with_spawn(const LaunchRequest& req);
std::shared_ptr<Child> start_with_forkserver(const LaunchRequest& req);

// This program's executable, for running it again (spawn, and MPI ranks).
const std::string& executable_path();

// Re-executes this program with `child_end` at descriptor 3 and `env_var`
// naming it (spawn children and the forkserver start this way).
// `dies_with_parent`: the child dies with this process (ExecSpec).
std::shared_ptr<Child> spawn_self(const char* env_var, int child_end, bool group_leader,
                                  bool dies_with_parent);
// The same, from the reactor thread, dying with its parent: for daemons
// and the forkserver, as Linux ties that death to the thread that started
// the child, and the reactor lives as long as the process.
std::shared_ptr<Child> spawn_self_from_reactor(const char* env_var, int child_end,
                                               bool group_leader);

}  // namespace mproc::core
