#include "core/command.hpp"

#include <cstdlib>
#include <cstring>

#include "core/launch/children.hpp"
#include "core/identity.hpp"
#include "platform/error.hpp"
#include "platform/exec.hpp"
#include "platform/pipes.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

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
  if (!options_.env_clear) env = platform::current_environment();
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
  spec.path = platform::resolve_executable(argv_[0], spec.env);
  spec.cwd = options_.cwd;
  spec.new_group = options_.new_group;
  if (!spec.cwd.empty()) {
    if (!platform::is_directory(spec.cwd))
      fail(MPROC_ENOENT, "command '" + argv_[0] + "': working directory '" + spec.cwd +
                             "' does not exist or is not a directory");
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
        theirs[i] = platform::open_null(i != 0);
        break;
      case MPROC_STDIO_FILE: {
        platform::StreamFile how = i == 0       ? platform::StreamFile::kRead
                                   : s.append ? platform::StreamFile::kWriteAppend
                                              : platform::StreamFile::kWriteTruncate;
        theirs[i] = platform::open_stream_file(
            s.path, how, std::string("command: cannot open '") + s.path + "' for " +
                             stream_name(i));
        break;
      }
      case MPROC_STDIO_PIPE: {
        // The command reads its stdin and writes its output.
        if (i == 0)
          platform::make_pipe(&theirs[i], &ours[i], platform::KeptEnd::kWrite);
        else
          platform::make_pipe(&ours[i], &theirs[i], platform::KeptEnd::kRead);
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
  int given[3] = {platform::own_stream(0), platform::own_stream(1), platform::own_stream(2)};
  for (int i = 0; i < 3; ++i) {
    const StdioSpec& s = options_.stdio[i];
    if (theirs[i]) given[i] = theirs[i].get();
    if (s.mode == MPROC_STDIO_FD) given[i] = s.fd->get();
    if (s.mode == MPROC_STDIO_STDOUT) given[i] = given[1];
    if (s.mode != MPROC_STDIO_INHERIT) spec.fds.emplace_back(i, given[i]);
  }
  for (const auto& [target, fd] : options_.pass_fds) spec.fds.emplace_back(target, fd->get());

  platform::Spawned spawned = platform::exec_spawn(spec);
  auto child = std::make_shared<Child>(spawned.pid, std::move(spawned.handle), options_.new_group);
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
    std::ptrdiff_t got;
    try {
      got = platform::read_nowait(fd, buf, cap);
    } catch (const Error& e) {
      fail(e.code(), std::string("command: ") + e.what());
    }
    if (got > 0) {
      *n = static_cast<size_t>(got);
      return 0;
    }
    if (got == 0) {
      *n = 0;
      return MPROC_EOF;
    }
    if (!platform::wait_fd(fd, platform::IoWant::kRead, deadline)) return MPROC_ETIMEDOUT;
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
    platform::FdWait waits[4];
    int which[4];
    size_t n = 0;
    for (int i = 0; i < 3; ++i) {
      if (!cmd.pipes_[i]) continue;
      waits[n] = {cmd.pipes_[i].get(), i == 0 ? platform::IoWant::kWrite : platform::IoWant::kRead,
                  false};
      which[n++] = i;
    }
    bool outputs_open = cmd.pipes_[1] || cmd.pipes_[2];
    if (!outputs_open && exited) break;
    if (!exited) {
      waits[n] = {cmd.child_->sentinel(), platform::IoWant::kRead, false};
      which[n++] = -1;
    }
    Deadline turn = deadline;
    if (exited) {
      int64_t quiet_left_ns = kCaptureQuietMs * 1000000 - (platform::monotonic_ns() - quiet_since);
      if (quiet_left_ns <= 0) break;  // a grandchild holds the pipes: stop here
      turn = deadline.capped_ns(quiet_left_ns);
    }
    platform::wait_any(waits, n, turn);
    // Checked on every turn, not only when poll times out: a command that
    // writes without pause would otherwise outlive its timeout.
    if (deadline.expired()) {
      if (exited) break;  // it finished; only a descendant still writes
      cmd.child_->signal(platform::kSignalKill);
      cmd.join(Deadline::never());
      fail(MPROC_ETIMEDOUT, "command '" + cmd.argv_[0] + "' ran past its timeout and was killed");
    }
    for (size_t k = 0; k < n; ++k) {
      if (!waits[k].ready) continue;
      int i = which[k];
      if (i == -1) {
        exited = true;
        quiet_since = platform::monotonic_ns();
        continue;
      }
      if (i == 0) {
        try {
          std::ptrdiff_t w = platform::write_nowait(
              cmd.pipes_[0].get(), input->data() + input_done, input->size() - input_done);
          if (w > 0) input_done += static_cast<size_t>(w);
        } catch (const Error&) {
          // EPIPE: the command stopped reading; stdin is done.
          input_done = input->size();
        }
        if (input_done == input->size()) cmd.pipes_[0].reset();
        continue;
      }
      std::ptrdiff_t got = 0;  // an error ends the stream like its end does
      try {
        got = platform::read_nowait(cmd.pipes_[i].get(), chunk, sizeof chunk);
      } catch (const Error&) {
      }
      if (got > 0) {
        sinks[i]->append(chunk, static_cast<size_t>(got));
        if (exited) quiet_since = platform::monotonic_ns();
      } else if (got == 0) {
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
