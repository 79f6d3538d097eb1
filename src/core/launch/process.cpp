#include "core/launch/process.hpp"

#include "core/authkey.hpp"
#include "core/launch/children.hpp"
#include "core/identity.hpp"
#include "core/launch/start.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {

Process::Process(std::string task, TaskFn fn, std::shared_ptr<Args> args,
                 ProcessOptions options)
    : task_(std::move(task)),
      fn_(fn),
      args_(args ? std::move(args) : std::make_shared<Args>()),
      options_(std::move(options)),
      lineage_(next_child_lineage()) {
  name_ = options_.name.empty() ? default_child_name(lineage_) : options_.name;
  // As Python's Process copies its creator's key when it is made.
  authkey_ = options_.authkey.empty() ? current_authkey() : options_.authkey;
}

std::string Process::authkey() const {
  std::lock_guard<std::mutex> lock(mu_);
  return authkey_;
}

void Process::set_authkey(std::string key) {
  check_authkey_size(key.size(), "process authkey");
  std::lock_guard<std::mutex> lock(mu_);
  if (start_called_)
    fail(MPROC_ESTATE, "process '" + name_ + "': the authkey is set before start");
  authkey_ = std::move(key);
}

Process::~Process() { Children::release(child_); }

void Process::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (start_called_) fail(MPROC_ESTATE, "process '" + name_ + "': cannot start a process twice");
  if (current_identity().daemon)
    fail(MPROC_ESTATE, "daemonic processes are not allowed to have children");
  if (bootstrap_skipped())
    fail(MPROC_EBOOTSTRAP,
         "this process was spawned by mproc to run a task, but its main() did not "
         "call mproc_main(argc, argv) first; refusing to start children (that would "
         "re-run the parent's program)");

  mproc_start_method_t method =
      options_.method == MPROC_START_DEFAULT ? default_start_method() : options_.method;
  LaunchRequest req;
  req.task = task_;
  req.fn = fn_;
  if (req.task.empty() && method != MPROC_START_FORK) {
    req.task = task_name_of(fn_);
    if (req.task.empty())
      fail(MPROC_ENOTSUP, std::string("process '") + name_ + "': the " +
                              start_method_name(method) +
                              " start method needs a registered task; only fork can "
                              "run an unregistered function");
  }
  req.args = args_;
  req.name = name_;
  req.lineage = lineage_;
  req.daemon = options_.daemon;
  req.new_group = options_.new_group;
  req.parent_pid = platform::current_pid();
  req.os_parent = req.parent_pid;
  req.authkey = authkey_;

  start_called_ = true;
  std::shared_ptr<Child> child;
  try {
    switch (method) {
      case MPROC_START_FORK:
        child = start_with_fork(req);
        break;
      case MPROC_START_FORKSERVER:
        child = start_with_forkserver(req);
        break;
      default:
        child = start_with_spawn(req);
        break;
    }
  } catch (...) {
    start_called_ = false;  // nothing started: the caller may try again
    throw;
  }
  Children::get().add(child, options_.daemon, true);
  child_ = std::move(child);
  // As Python does after start: the child has its own copies now, and the
  // parent's references (to connections, say) should not outlive the
  // caller's own handles.
  args_.reset();
}

std::shared_ptr<Child> Process::started(const char* op) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!child_)
    fail(MPROC_ESTATE, "process '" + name_ + "': cannot " + op + " a process that was not started");
  return child_;
}

int Process::join(const platform::Deadline& deadline) { return started("join")->join(deadline); }

bool Process::alive() {
  std::lock_guard<std::mutex> lock(mu_);
  return child_ && child_->alive();
}

void Process::signal(int sig) { started("signal")->signal(sig); }

int64_t Process::pid() const { return started("get the pid of")->pid(); }

bool Process::exitcode(int* out) { return started("get the exit code of")->exitcode(out); }

int Process::sentinel() const { return started("get the sentinel of")->sentinel(); }

}  // namespace mproc::core
