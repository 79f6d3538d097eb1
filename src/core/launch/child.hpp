// A started child process as mproc tracks it, whatever started it: exit
// watching, reaping, joining with a timeout, signalling, and the sentinel.
//
// Every child has a process handle (platform/process.hpp: a pidfd on
// Linux). Who collects its exit status depends on how it was made:
//  - kPidfd: our own children (fork, spawn, commands); reaping through the
//    handle takes exactly that one, never anyone else's.
//  - kForkserver: children of the forkserver; the server reaps them and
//    writes the status into a socket this process reads. Should the server
//    die first, the handle says when the child ends, and its status is lost.
// A child nobody will join (its handle was freed) is watched by the
// reactor, so that it is reaped when it ends: no zombies.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "platform/deadline.hpp"
#include "platform/exit_watch.hpp"
#include "platform/fd.hpp"
#include "platform/process.hpp"

namespace mproc::core {

class Child : public std::enable_shared_from_this<Child> {
 public:
  enum class Reaper { kPidfd, kForkserver };

  // A child made by fork or posix_spawn (kPidfd), or by the forkserver
  // (kForkserver, with the socket its status arrives on).
  Child(int64_t pid, platform::UniqueFd pidfd, Reaper reaper, bool group_leader,
        platform::UniqueFd status_fd = platform::UniqueFd());
  // A child made by fork or posix_spawn, reaped through its handle; one the
  // system already reaped (handle.gone) is born ended, its status lost.
  Child(int64_t pid, platform::NewChildHandle handle, bool group_leader);
  ~Child();

  int64_t pid() const noexcept { return pid_; }
  bool group_leader() const noexcept { return group_leader_; }
  // Readable once the child has ended (and, for forkserver children, once
  // its status arrived).
  int sentinel() const noexcept;

  // 0 once the child has ended and been reaped, MPROC_ETIMEDOUT otherwise.
  int join(const platform::Deadline& deadline);
  bool alive();
  // Whether the exit status has been collected (the child is gone).
  bool reaped();
  // Python's exitcode; false while running. Throws MPROC_ECHILD when the
  // status was lost (a forkserver that died before reporting it).
  bool exitcode(int* out);
  // Sends `sig` (platform/signals.hpp; to the whole group for a group leader, even after the
  // leader itself ended, so that its descendants are reached). A child that
  // ended is not an error.
  void signal(int sig);

  // Starts the reactor's watch (see above); `on_end` runs on the reactor
  // once the child is reaped. Only the first call counts.
  void watch(std::function<void(Child&)> on_end);


 private:
  void on_watch_event();

  // Collects the status if it is ready; caller holds mu_.
  void try_reap_locked();
  void record_exit_locked(int exitcode, bool lost);
  void start_watch_on_loop(uv_loop_t* loop);
  void open_watcher(uv_loop_t* loop);
  // Runs on_end_ once the child is reaped, then closes the watch and lets
  // go of the self-reference.
  void finish_on_loop();

  const int64_t pid_;
  const platform::UniqueFd pidfd_;
  const Reaper reaper_;
  const bool group_leader_;
  platform::UniqueFd status_fd_;
  // A forkserver child whose server died: its pidfd is the sentinel now.
  std::atomic<bool> server_gone_{false};

  std::mutex mu_;
  bool reaped_ = false;
  bool status_lost_ = false;
  int exitcode_ = 0;

  // Reactor-side state; touched only on the reactor thread.
  platform::ExitWatch watch_;
  uv_loop_t* loop_ = nullptr;
  int watched_fd_ = -1;
  std::function<void(Child&)> on_end_;
  bool finishing_ = false;
  std::atomic<bool> watched_{false};
  std::shared_ptr<Child> keepalive_;  // while the watcher refers to us
};

}  // namespace mproc::core
