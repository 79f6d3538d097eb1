#include "core/command.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/children.hpp"
#include "core/identity.hpp"
#include "platform/error.hpp"
#include "platform/exec.hpp"
#include "platform/pidfd.hpp"

extern char** environ;

namespace mproc::core {

using platform::Deadline;
using platform::UniqueFd;

namespace {

const char* stream_name(int which) {
  static const char* names[] = {"stdin", "stdout", "stderr"};
  return names[which];
}

// After the command ends, output may still come from a grandchild holding
// the pipes; capture collects it until the pipes close or go quiet this
// long.
constexpr int64_t kCaptureQuietMs = 100;

}  // namespace

Command::Command(std::vector<std::string> argv, CommandOptions options)
    : argv_(std::move(argv)), options_(std::move(options)) {
  if (argv_.empty() || argv_[0].empty()) fail(MPROC_EINVAL, "command: empty argv");
}

Command::~Command() { Children::release(child_); }

std::vector<std::string> Command::environment() const {
  std::vector<std::string> env;
  if (!options_.env_clear)
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& [name, value] : options_.env_changes) {
    std::string prefix = name + "=";
    for (auto it = env.begin(); it != env.end();) {
      it = it->compare(0, prefix.size(), prefix) == 0 ? env.erase(it) : it + 1;
    }
    if (value) env.push_back(prefix + *value);
  }
  return env;
}

void Command::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (start_called_) fail(MPROC_ESTATE, "command '" + argv_[0] + "': already started");

  platform::ExecSpec spec;
  spec.argv = argv_;
  spec.env = environment();
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : spec.env)
    if (e.compare(0, 5, "PATH=") == 0) path_var = e.substr(5);
  spec.path = platform::resolve_executable(argv_[0], path_var);
  spec.cwd = options_.cwd;
  spec.new_group = options_.new_group;
  if (!spec.cwd.empty()) {
    struct stat st;
    if (::stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      fail(MPROC_ENOENT, "command '" + argv_[0] + "': working directory '" + spec.cwd +
                             "' does not exist");
  }

  // The command's ends of the streams; ours go in pipes_ once it started.
  UniqueFd theirs[3];
  UniqueFd ours[3];
  for (int i = 0; i < 3; ++i) {
    const StdioSpec& s = options_.stdio[i];
    switch (s.mode) {
      case MPROC_STDIO_INHERIT:
        break;
      case MPROC_STDIO_NULL:
        theirs[i] = UniqueFd(::open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
        if (!theirs[i]) fail_errno("open /dev/null");
        break;
      case MPROC_STDIO_FILE: {
        int flags = i == 0 ? O_RDONLY
                           : O_WRONLY | O_CREAT | (s.append ? O_APPEND : O_TRUNC);
        theirs[i] = UniqueFd(::open(s.path.c_str(), flags | O_CLOEXEC, 0644));
        if (!theirs[i])
          fail_errno(std::string("command: cannot open '") + s.path + "' for " +
                     stream_name(i));
        break;
      }
      case MPROC_STDIO_PIPE: {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) fail_errno("pipe2");
        // p[0] reads, p[1] writes: the command reads its stdin, writes output.
        theirs[i] = UniqueFd(i == 0 ? p[0] : p[1]);
        ours[i] = UniqueFd(i == 0 ? p[1] : p[0]);
        platform::set_nonblocking(ours[i].get(), true);
        break;
      }
      case MPROC_STDIO_FD:
        break;  // the options own it
      case MPROC_STDIO_STDOUT:
        break;  // resolved below, once stdout is known
    }
  }
  // What each stream of the command is, as a descriptor of ours.
  int given[3] = {0, 1, 2};
  for (int i = 0; i < 3; ++i) {
    const StdioSpec& s = options_.stdio[i];
    if (theirs[i]) given[i] = theirs[i].get();
    if (s.mode == MPROC_STDIO_FD) given[i] = s.fd->get();
    if (s.mode == MPROC_STDIO_STDOUT) given[i] = given[1];
    if (s.mode != MPROC_STDIO_INHERIT) spec.fds.emplace_back(i, given[i]);
  }
  for (const auto& [target, fd] : options_.pass_fds) spec.fds.emplace_back(target, fd->get());

  pid_t pid = platform::exec_spawn(spec);
  // Nobody else reaps it (mproc never waits on -1), so the pid still names
  // our child here.
  auto child = std::make_shared<Child>(pid, platform::pidfd_of_new_child(pid),
                                       Child::Reaper::kPidfd, options_.new_group);
  start_called_ = true;
  for (int i = 0; i < 3; ++i) pipes_[i] = std::move(ours[i]);
  Children::get().add(child, false, false);
  child_ = std::move(child);
}

std::shared_ptr<Child> Command::started(const char* op) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!child_)
    fail(MPROC_ESTATE, "command '" + argv_[0] + "': cannot " + op + " before it is started");
  return child_;
}

bool Command::alive() {
  std::lock_guard<std::mutex> lock(mu_);
  return child_ && child_->alive();
}

int Command::pipe_end(int which, const char* op) {
  started(op);
  int fd = pipes_[which].get();
  if (fd < 0)
    fail(MPROC_ESTATE, std::string("command '") + argv_[0] + "': " + stream_name(which) +
                           " is not a pipe (or was closed)");
  return fd;
}

int Command::write(const void* data, size_t len, size_t* written, const Deadline& deadline) {
  std::lock_guard<std::mutex> lock(io_mu_[0]);
  int fd = pipe_end(0, "write to");
  size_t done = 0;
  bool complete = platform::write_all(fd, data, len, deadline, &done);
  *written = done;
  return complete ? 0 : MPROC_ETIMEDOUT;
}

void Command::close_stdin() {
  std::lock_guard<std::mutex> lock(io_mu_[0]);
  pipe_end(0, "close stdin of");
  pipes_[0].reset();
}

int Command::read(int which, void* buf, size_t cap, size_t* n, const Deadline& deadline) {
  if (which != MPROC_STDOUT && which != MPROC_STDERR)
    fail(MPROC_EINVAL, "command: read needs MPROC_STDOUT or MPROC_STDERR");
  std::lock_guard<std::mutex> lock(io_mu_[which]);
  int fd = pipe_end(which, "read from");
  for (;;) {
    ssize_t got = ::read(fd, buf, cap);
    if (got > 0) {
      *n = static_cast<size_t>(got);
      return 0;
    }
    if (got == 0) {
      *n = 0;
      return MPROC_EOF;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) fail_errno("command: read");
    if (!platform::wait_fd(fd, POLLIN, deadline)) return MPROC_ETIMEDOUT;
  }
}

Captured Command::capture(std::vector<std::string> argv, CommandOptions options,
                          const std::string* input, const Deadline& deadline) {
  options.stdio[1] = StdioSpec{MPROC_STDIO_PIPE, {}, false, nullptr};
  options.stdio[2] = StdioSpec{MPROC_STDIO_PIPE, {}, false, nullptr};
  if (input != nullptr)
    options.stdio[0] = StdioSpec{MPROC_STDIO_PIPE, {}, false, nullptr};
  else if (options.stdio[0].mode == MPROC_STDIO_INHERIT)
    options.stdio[0] = StdioSpec{MPROC_STDIO_NULL, {}, false, nullptr};
  Command cmd(std::move(argv), std::move(options));
  cmd.start();

  Captured result;
  std::string* sinks[3] = {nullptr, &result.out, &result.err};
  size_t input_done = 0;
  if (input != nullptr && input->empty()) cmd.pipes_[0].reset();
  bool exited = false;
  int64_t quiet_since = 0;
  char chunk[64 * 1024];

  for (;;) {
    struct pollfd pfds[4];
    int which[4];
    int n = 0;
    for (int i = 0; i < 3; ++i) {
      if (!cmd.pipes_[i]) continue;
      pfds[n] = {cmd.pipes_[i].get(), static_cast<short>(i == 0 ? POLLOUT : POLLIN), 0};
      which[n++] = i;
    }
    bool outputs_open = cmd.pipes_[1] || cmd.pipes_[2];
    if (!outputs_open && exited) break;
    if (!exited) {
      pfds[n] = {cmd.child_->sentinel(), POLLIN, 0};
      which[n++] = -1;
    }
    int wait_ms = deadline.poll_ms();
    if (exited) {
      int64_t quiet_left =
          kCaptureQuietMs - (platform::monotonic_ns() - quiet_since) / 1000000;
      if (quiet_left <= 0) break;  // a grandchild holds the pipes: stop here
      if (wait_ms < 0 || wait_ms > quiet_left) wait_ms = static_cast<int>(quiet_left);
    }
    int ready = ::poll(pfds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail_errno("command: poll");
    }
    // Checked on every turn, not only when poll times out: a command that
    // writes without pause would otherwise outlive its timeout.
    if (deadline.expired()) {
      if (exited) break;  // it finished; only a descendant still writes
      cmd.child_->signal(SIGKILL);
      cmd.join(Deadline::never());
      fail(MPROC_ETIMEDOUT, "command '" + cmd.argv_[0] + "' ran past its timeout and was killed");
    }
    for (int k = 0; k < n; ++k) {
      if (pfds[k].revents == 0) continue;
      int i = which[k];
      if (i == -1) {
        exited = true;
        quiet_since = platform::monotonic_ns();
        continue;
      }
      if (i == 0) {
        ssize_t w = platform::write_without_sigpipe(cmd.pipes_[0].get(), input->data() + input_done,
                            input->size() - input_done);
        if (w > 0) input_done += static_cast<size_t>(w);
        // EPIPE (the command stopped reading) or all written: stdin is done.
        if (w < 0 && errno != EAGAIN && errno != EINTR) input_done = input->size();
        if (input_done == input->size()) cmd.pipes_[0].reset();
        continue;
      }
      ssize_t got = ::read(cmd.pipes_[i].get(), chunk, sizeof chunk);
      if (got > 0) {
        sinks[i]->append(chunk, static_cast<size_t>(got));
        if (exited) quiet_since = platform::monotonic_ns();
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        cmd.pipes_[i].reset();
      }
    }
  }
  cmd.join(Deadline::never());
  if (!cmd.exitcode(&result.exitcode))
    fail(MPROC_EINTERNAL, "command: ended but has no exit status");
  return result;
}

}  // namespace mproc::core
