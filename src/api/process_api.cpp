// C entry points for tasks, start methods and processes.
#include <mproc/process.h>

#include <string>
#include <vector>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "core/launch/bootstrap.hpp"
#include "core/launch/children.hpp"
#include "core/launch/executable.hpp"
#include "core/identity.hpp"
#include "platform/signals.hpp"

using mproc::api::wrap;
using mproc::core::Process;

namespace {

bool valid_method(int m) {
  return m == MPROC_START_SPAWN || m == MPROC_START_FORK || m == MPROC_START_FORKSERVER;
}

std::shared_ptr<mproc::core::Args> take_args(mproc_args_t* args, const char* function) {
  if (args == nullptr) return nullptr;
  std::shared_ptr<mproc::core::Args> list = MPROC_CHECK_IN(args, function).args;
  // Taken: freed here, unless lent (a task passing on its own arguments).
  (void)mproc::core::HandleArena<mproc_args_s>::destroy(args);
  return list;
}

mproc::core::ProcessOptions options_of(const mproc_process_opts_t* opts,
                                       const char* function) {
  if (opts == nullptr) return {};
  return MPROC_OPTIONS_IN(opts, function);
}

}  // namespace

extern "C" {

int mproc_task_register(const char* name, mproc_task_fn fn, mproc_pool_fn pool_fn) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr && name[0] != '\0', "name is NULL or empty");
  MPROC_REQUIRE((fn == nullptr) != (pool_fn == nullptr),
                "give exactly one of fn (a process task) and pool_fn (a pool task)");
  mproc::core::register_task(name, mproc::core::TaskBody{fn, pool_fn});
  return 0;
  MPROC_API_END
}

int mproc_task_lookup(const char* name, mproc_task_fn* fn, mproc_pool_fn* pool_fn) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr, "name is NULL");
  MPROC_REQUIRE(fn != nullptr || pool_fn != nullptr, "fn and pool_fn are both NULL");
  mproc::core::TaskBody body;
  if (fn == nullptr)
    body.pool = mproc::core::require_pool_task(name, __func__);
  else if (pool_fn == nullptr)
    body.process = mproc::core::require_task(name, __func__);
  else
    body = mproc::core::find_body(name);
  if (body.empty())
    mproc::fail(MPROC_ENOTFOUND, std::string(__func__) + ": task '" + name +
                                     "' is not registered");
  if (fn != nullptr) *fn = body.process;
  if (pool_fn != nullptr) *pool_fn = body.pool;
  return 0;
  MPROC_API_END
}

int mproc_main(int argc, char** argv) {
  MPROC_API_BEGIN
  return mproc::api::status(mproc::core::bootstrap_main(argc, argv));
  MPROC_API_END
}

int mproc_set_start_method(mproc_start_method_t method) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(valid_method(method), "not a start method (spawn, fork or forkserver)");
  mproc::core::require_start_method(method);
  mproc::core::set_default_start_method(method);
  return 0;
  MPROC_API_END
}

int mproc_set_executable(const char* path, const char* const* argv, size_t argc) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(path != nullptr || argc == 0, "argv given without a path");
  MPROC_REQUIRE(path == nullptr || *path != '\0', "path is empty (NULL goes back to the default)");
  MPROC_REQUIRE(argc == 0 || argv != nullptr, "argv is NULL with argc > 0");
  std::vector<std::string> copy;
  for (size_t i = 0; i < argc; i++) {
    if (argv[i] == nullptr)
      mproc::fail(MPROC_EINVAL, "mproc_set_executable: argv[" + std::to_string(i) + "] is NULL");
    copy.emplace_back(argv[i]);
  }
  mproc::core::set_spawn_command(path == nullptr ? std::string() : path, std::move(copy));
  return 0;
  MPROC_API_END
}

mproc_start_method_t mproc_get_start_method(void) {
  return mproc::core::default_start_method();
}

const char* mproc_start_method_name(mproc_start_method_t method) {
  return mproc::core::start_method_name(method);
}

int mproc_process_opts_new(mproc_process_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_process_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_process_opts_free(mproc_process_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_process_opts_set_name(mproc_process_opts_t* opts, const char* name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr, "name is NULL");
  MPROC_OPTIONS(opts).name = name;
  return 0;
  MPROC_API_END
}

int mproc_process_opts_set_daemon(mproc_process_opts_t* opts, int daemon) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).daemon = daemon != 0;
  return 0;
  MPROC_API_END
}

int mproc_process_opts_set_start_method(mproc_process_opts_t* opts,
                                        mproc_start_method_t method) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(method == MPROC_START_DEFAULT || valid_method(method),
                "not a start method");
  mproc::core::require_start_method(method);
  o.method = method;
  return 0;
  MPROC_API_END
}

int mproc_process_opts_set_new_group(mproc_process_opts_t* opts, int on) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).new_group = on != 0;
  return 0;
  MPROC_API_END
}

int mproc_process_new(mproc_process_t** out, const char* task, mproc_args_t* args,
                      const mproc_process_opts_t* opts) {
  std::shared_ptr<mproc::core::Args> list;
  MPROC_API_BEGIN
  list = take_args(args, __func__);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE(task != nullptr && task[0] != '\0', "task name is NULL or empty");
  mproc_task_fn fn = mproc::core::require_task(task, __func__);
  auto options = options_of(opts, __func__);
  *out = wrap<mproc_process_s>(
      std::make_shared<Process>(task, fn, std::move(list), std::move(options)));
  return 0;
  MPROC_API_END
}

int mproc_process_new_fn(mproc_process_t** out, mproc_task_fn fn, mproc_args_t* args,
                         const mproc_process_opts_t* opts) {
  std::shared_ptr<mproc::core::Args> list;
  MPROC_API_BEGIN
  list = take_args(args, __func__);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE(fn != nullptr, "fn is NULL");
  auto options = options_of(opts, __func__);
  *out = wrap<mproc_process_s>(
      std::make_shared<Process>(std::string(), fn, std::move(list), std::move(options)));
  return 0;
  MPROC_API_END
}

int mproc_process_start(mproc_process_t* p) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(p).start();
  return 0;
  MPROC_API_END
}

int mproc_process_join(mproc_process_t* p, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return mproc::api::status(MPROC_UNWRAP(p).join(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_process_is_alive(const mproc_process_t* p, int* alive) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(alive != nullptr, "alive is NULL");
  *alive = MPROC_UNWRAP(p).alive() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_process_terminate(mproc_process_t* p) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(p).signal(mproc::platform::kSignalTerminate);
  return 0;
  MPROC_API_END
}

int mproc_process_kill(mproc_process_t* p) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(p).signal(mproc::platform::kSignalKill);
  return 0;
  MPROC_API_END
}

int mproc_process_pid(const mproc_process_t* p, int64_t* pid) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(pid != nullptr, "pid is NULL");
  *pid = MPROC_UNWRAP(p).pid();
  return 0;
  MPROC_API_END
}

int mproc_process_exitcode(const mproc_process_t* p, int* code) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(code != nullptr, "code is NULL");
  Process& proc = MPROC_UNWRAP(p);
  if (!proc.exitcode(code))
    mproc::fail(MPROC_ESTATE, "process '" + proc.name() + "' is still running");
  return 0;
  MPROC_API_END
}

int mproc_process_name(const mproc_process_t* p, const char** name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr, "name is NULL");
  *name = MPROC_UNWRAP(p).name().c_str();
  return 0;
  MPROC_API_END
}

int mproc_process_daemon(const mproc_process_t* p, int* daemon) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(daemon != nullptr, "daemon is NULL");
  *daemon = MPROC_UNWRAP(p).daemon() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_process_sentinel(const mproc_process_t* p, int* fd) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = MPROC_UNWRAP(p).sentinel();
  return 0;
  MPROC_API_END
}

void mproc_process_free(mproc_process_t* p) { MPROC_RELEASE(p); }

const char* mproc_current_process_name(void) {
  return mproc::core::current_identity().name.c_str();
}

int mproc_current_process_is_daemon(void) {
  return mproc::core::current_identity().daemon ? 1 : 0;
}

int64_t mproc_parent_pid(void) { return mproc::core::current_identity().parent_pid; }

int mproc_active_children(int64_t* pids, size_t cap, size_t* count) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(count != nullptr, "count is NULL");
  MPROC_REQUIRE(pids != nullptr || cap == 0, "pids is NULL but cap is not 0");
  std::vector<int64_t> alive = mproc::core::Children::get().active_processes();
  for (size_t i = 0; i < alive.size() && i < cap; ++i) pids[i] = alive[i];
  *count = alive.size();
  return 0;
  MPROC_API_END
}

}  // extern "C"
