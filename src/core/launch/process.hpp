// A task to run in a child process: Python's multiprocessing.Process.
#pragma once

#include <mproc/process.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/args.hpp"
#include "core/launch/child.hpp"
#include "core/tasks.hpp"

namespace mproc::core {

struct ProcessOptions {
  std::string name;  // empty: "Process-N"
  bool daemon = false;
  mproc_start_method_t method = MPROC_START_DEFAULT;
  bool new_group = false;
  std::string authkey;  // empty: this process's key when the Process is made
};

class Process {
 public:
  // `task` may be empty when `fn` is given (the fork method runs it as is).
  Process(std::string task, TaskFn fn, std::shared_ptr<Args> args,
          ProcessOptions options);
  ~Process();

  void start();
  int join(const platform::Deadline& deadline);
  bool alive();
  void signal(int sig);
  int64_t pid() const;
  // false while running (or not started: throws ESTATE).
  bool exitcode(int* out);
  int sentinel() const;
  // Runs `on_end` on the reactor thread once the child has ended (and been
  // reaped). Call once, after start.
  void on_exit(std::function<void(Child&)> on_end) { started("watch")->watch(std::move(on_end)); }
  const std::string& name() const noexcept { return name_; }
  bool daemon() const noexcept { return options_.daemon; }
  // The key the child gets (Python's Process.authkey); settable until start
  // (ESTATE after). Throws EINVAL for a bad key.
  std::string authkey() const;
  void set_authkey(std::string key);

 private:
  std::shared_ptr<Child> started(const char* op) const;

  std::string task_;
  TaskFn fn_;
  std::shared_ptr<Args> args_;
  ProcessOptions options_;
  std::string name_;
  std::vector<int64_t> lineage_;

  mutable std::mutex mu_;
  bool start_called_ = false;
  std::string authkey_;  // guarded by mu_
  std::shared_ptr<Child> child_;
};

}  // namespace mproc::core
