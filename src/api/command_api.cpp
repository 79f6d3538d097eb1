// C entry points for commands.
#include <mproc/command.h>

#include <cstring>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "platform/signals.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::Command;
using mproc::core::CommandOptions;

namespace {

std::vector<std::string> copy_argv(const char* const* argv, const char* function) {
  mproc::api::require(argv != nullptr && argv[0] != nullptr, function,
                      "argv is NULL or empty");
  std::vector<std::string> out;
  for (const char* const* a = argv; *a != nullptr; ++a) out.emplace_back(*a);
  return out;
}

CommandOptions options_of(const mproc_command_opts_t* opts, const char* function) {
  if (opts == nullptr) return {};
  return MPROC_OPTIONS_IN(opts, function);
}

void check_stream(int which, const char* function) {
  mproc::api::require(which >= 0 && which <= 2, function,
                      "stream must be MPROC_STDIN, MPROC_STDOUT or MPROC_STDERR");
}

// One of a capture's streams, as mproc_capture_stdout/_stderr give it.
int captured_stream(const mproc_capture_t* c, std::string mproc::core::Captured::*stream,
                    const char** data, size_t* len, const char* function) {
  mproc::api::require(data != nullptr && len != nullptr, function, "data or len is NULL");
  const std::string& bytes = MPROC_CHECK_IN(c, function).value.get().*stream;
  *data = bytes.c_str();
  *len = bytes.size();
  return 0;
}

}  // namespace

extern "C" {

int mproc_command_opts_new(mproc_command_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_command_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_command_opts_free(mproc_command_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_command_opts_set_cwd(mproc_command_opts_t* opts, const char* dir) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(dir != nullptr, "dir is NULL");
  MPROC_OPTIONS(opts).cwd = dir;
  return 0;
  MPROC_API_END
}

int mproc_command_opts_env_clear(mproc_command_opts_t* opts) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  o.env_clear = true;
  o.env_changes.clear();
  return 0;
  MPROC_API_END
}

int mproc_command_opts_env_set(mproc_command_opts_t* opts, const char* name,
                               const char* value) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr && value != nullptr, "name or value is NULL");
  MPROC_REQUIRE(name[0] != '\0' && std::strchr(name, '=') == nullptr,
                "name is empty or contains '='");
  MPROC_OPTIONS(opts).env_changes.emplace_back(name, std::string(value));
  return 0;
  MPROC_API_END
}

int mproc_command_opts_env_unset(mproc_command_opts_t* opts, const char* name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr && name[0] != '\0', "name is NULL or empty");
  MPROC_OPTIONS(opts).env_changes.emplace_back(name, std::nullopt);
  return 0;
  MPROC_API_END
}

int mproc_command_opts_set_stdio(mproc_command_opts_t* opts, int which,
                                 mproc_stdio_t mode) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  check_stream(which, __func__);
  MPROC_REQUIRE(mode == MPROC_STDIO_INHERIT || mode == MPROC_STDIO_NULL ||
                    mode == MPROC_STDIO_PIPE ||
                    (mode == MPROC_STDIO_STDOUT && which == MPROC_STDERR),
                "mode is not valid for this stream (FILE needs "
                "mproc_command_opts_set_stdio_file; STDOUT is for stderr only)");
  o.stdio[which] = mproc::core::StdioSpec{mode, {}, false, nullptr};
  return 0;
  MPROC_API_END
}

int mproc_command_opts_set_stdio_file(mproc_command_opts_t* opts, int which,
                                      const char* path, int append) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  check_stream(which, __func__);
  MPROC_REQUIRE(path != nullptr && path[0] != '\0', "path is NULL or empty");
  o.stdio[which] = mproc::core::StdioSpec{MPROC_STDIO_FILE, path, append != 0, nullptr};
  return 0;
  MPROC_API_END
}

int mproc_command_opts_set_stdio_fd(mproc_command_opts_t* opts, int which, int parent_fd) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  check_stream(which, __func__);
  if (parent_fd < 0) mproc::fail(MPROC_EBADF, "mproc_command_opts_set_stdio_fd: bad parent_fd");
  mproc::core::StdioSpec spec{MPROC_STDIO_FD, {}, false, nullptr};
  spec.fd = std::make_shared<mproc::platform::UniqueFd>(mproc::platform::import_user_fd(parent_fd));
  o.stdio[which] = std::move(spec);
  return 0;
  MPROC_API_END
}

int mproc_command_opts_pass_fd(mproc_command_opts_t* opts, int child_fd, int parent_fd) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(child_fd >= 3 && child_fd < 65536, "child_fd must be 3 or more");
  if (parent_fd < 0) mproc::fail(MPROC_EBADF, "mproc_command_opts_pass_fd: bad parent_fd");
  auto copy = std::make_shared<mproc::platform::UniqueFd>(
      mproc::platform::import_user_fd(parent_fd));
  for (auto& entry : o.pass_fds) {
    if (entry.first == child_fd) {
      entry.second = std::move(copy);
      return 0;
    }
  }
  o.pass_fds.emplace_back(child_fd, std::move(copy));
  return 0;
  MPROC_API_END
}

int mproc_command_opts_set_new_group(mproc_command_opts_t* opts, int on) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).new_group = on != 0;
  return 0;
  MPROC_API_END
}

int mproc_command_new(mproc_command_t** out, const char* const* argv,
                      const mproc_command_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  auto args = copy_argv(argv, __func__);
  *out = wrap<mproc_command_s>(
      std::make_shared<Command>(std::move(args), options_of(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_command_start(mproc_command_t* cmd) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(cmd).start();
  return 0;
  MPROC_API_END
}

int mproc_command_write(mproc_command_t* cmd, const void* data, size_t len, size_t* written,
                        int64_t timeout_ms) {
  MPROC_API_BEGIN
  Command& c = MPROC_UNWRAP(cmd);
  MPROC_REQUIRE(data != nullptr || len == 0, "data is NULL");
  size_t done = 0;
  int rc = c.write(data, len, &done, MPROC_DEADLINE(timeout_ms));
  if (written) *written = done;
  return status(rc);
  MPROC_API_END
}

int mproc_command_close_stdin(mproc_command_t* cmd) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(cmd).close_stdin();
  return 0;
  MPROC_API_END
}

int mproc_command_read(mproc_command_t* cmd, int which, void* buf, size_t cap, size_t* n,
                       int64_t timeout_ms) {
  MPROC_API_BEGIN
  Command& c = MPROC_UNWRAP(cmd);
  // A byte stream has no next message whose size cap 0 could ask for
  // (mproc/common.h, "Buffers").
  MPROC_REQUIRE(cap > 0, "cap is 0 (a read of a byte stream needs room for a byte)");
  MPROC_REQUIRE(buf != nullptr, "buf is NULL");
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  return status(c.read(which, buf, cap, n, MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_command_join(mproc_command_t* cmd, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(cmd).join(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_command_is_alive(const mproc_command_t* cmd, int* alive) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(alive != nullptr, "alive is NULL");
  *alive = MPROC_UNWRAP(cmd).alive() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_command_terminate(mproc_command_t* cmd) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(cmd).signal(mproc::platform::kSignalTerminate);
  return 0;
  MPROC_API_END
}

int mproc_command_kill(mproc_command_t* cmd) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(cmd).signal(mproc::platform::kSignalKill);
  return 0;
  MPROC_API_END
}

int mproc_command_pid(const mproc_command_t* cmd, int64_t* pid) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(pid != nullptr, "pid is NULL");
  *pid = MPROC_UNWRAP(cmd).pid();
  return 0;
  MPROC_API_END
}

int mproc_command_exitcode(const mproc_command_t* cmd, int* code) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(code != nullptr, "code is NULL");
  if (!MPROC_UNWRAP(cmd).exitcode(code))
    mproc::fail(MPROC_ESTATE, "mproc_command_exitcode: the command is still running");
  return 0;
  MPROC_API_END
}

int mproc_command_sentinel(const mproc_command_t* cmd, int* fd) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = MPROC_UNWRAP(cmd).sentinel();
  return 0;
  MPROC_API_END
}

void mproc_command_free(mproc_command_t* cmd) { MPROC_RELEASE(cmd); }

int mproc_command_capture(const char* const* argv, const mproc_command_opts_t* opts,
                          const void* input, size_t input_len, int64_t timeout_ms,
                          mproc_capture_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(input != nullptr || input_len == 0, "input is NULL");
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  auto deadline = MPROC_DEADLINE(timeout_ms);
  auto args = copy_argv(argv, __func__);
  std::string feed;
  if (input != nullptr) feed.assign(static_cast<const char*>(input), input_len);
  auto result = Command::capture(std::move(args), options_of(opts, __func__),
                                 input != nullptr ? &feed : nullptr,
                                 deadline);
  mproc_capture_s* c = mproc::api::make<mproc_capture_s>();
  c->value.get() = std::move(result);
  *out = c;
  return 0;
  MPROC_API_END
}

int mproc_capture_exitcode(const mproc_capture_t* c, int* code) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(code != nullptr, "code is NULL");
  *code = MPROC_CHECK(c).value.get().exitcode;
  return 0;
  MPROC_API_END
}

int mproc_capture_stdout(const mproc_capture_t* c, const char** data, size_t* len) {
  MPROC_API_BEGIN
  return captured_stream(c, &mproc::core::Captured::out, data, len, __func__);
  MPROC_API_END
}

int mproc_capture_stderr(const mproc_capture_t* c, const char** data, size_t* len) {
  MPROC_API_BEGIN
  return captured_stream(c, &mproc::core::Captured::err, data, len, __func__);
  MPROC_API_END
}

void mproc_capture_free(mproc_capture_t* c) { MPROC_RELEASE(c); }

}  // extern "C"
