// Running another program: Python's subprocess.Popen, the parts
// multiprocessing programs need, started with platform::exec_spawn and
// watched like every other child.
#pragma once

#include <mproc/command.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/launch/child.hpp"
#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

struct StdioSpec {
  mproc_stdio_t mode = MPROC_STDIO_INHERIT;
  std::string path;  // MPROC_STDIO_FILE
  bool append = false;
  std::shared_ptr<platform::UniqueFd> fd;  // MPROC_STDIO_FD
};

struct CommandOptions {
  std::string cwd;
  bool env_clear = false;
  // In order; nullopt removes the variable.
  std::vector<std::pair<std::string, std::optional<std::string>>> env_changes;
  StdioSpec stdio[3];
  std::vector<std::pair<int, std::shared_ptr<platform::UniqueFd>>> pass_fds;
  bool new_group = false;
};

// What mproc_command_capture returns.
struct Captured {
  std::string out;
  std::string err;
  int exitcode = 0;
};

class Command {
 public:
  Command(std::vector<std::string> argv, CommandOptions options);
  ~Command();

  void start();
  // 0, or MPROC_ETIMEDOUT with *written < len.
  int write(const void* data, size_t len, size_t* written,
            const platform::Deadline& deadline);
  void close_stdin();
  // 0 with *n > 0, MPROC_EOF, or MPROC_ETIMEDOUT.
  int read(int which, void* buf, size_t cap, size_t* n,
           const platform::Deadline& deadline);

  int join(const platform::Deadline& deadline) { return started("join")->join(deadline); }
  bool alive();
  void signal(int sig) { started("signal")->signal(sig); }
  int64_t pid() const { return started("get the pid of")->pid(); }
  bool exitcode(int* out) { return started("get the exit code of")->exitcode(out); }
  int sentinel() const { return started("get the sentinel of")->sentinel(); }

  // Runs `argv` to completion, feeding `input` and reading stdout and
  // stderr together. Throws ETIMEDOUT (after killing it) past the deadline.
  static Captured capture(std::vector<std::string> argv, CommandOptions options,
                          const std::string* input, const platform::Deadline& deadline);

 private:
  std::shared_ptr<Child> started(const char* op) const;
  std::vector<std::string> environment() const;
  int pipe_end(int which, const char* op);

  const std::vector<std::string> argv_;
  const CommandOptions options_;
  mutable std::mutex mu_;
  bool start_called_ = false;
  std::shared_ptr<Child> child_;
  platform::UniqueFd pipes_[3];  // the parent's ends, where PIPE was asked
  std::mutex io_mu_[3];
};

}  // namespace mproc::core
