// C entry points for pool tasks, pools, futures and imap iterators.
#include <mproc/connection.h>
#include <mproc/pool.h>

#include <cstddef>
#include <cstring>
#include <memory>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "core/identity.hpp"
#include "core/message.hpp"
#include "core/pool/completions.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::Future;
using Pool = mproc::core::PoolBase;  // the local pool, or the MPI pool
using mproc::core::TaskRef;
using mproc::platform::Deadline;

namespace {

mproc::core::TaskOptions task_options(const mproc_task_opts_t* opts, const char* function) {
  if (opts == nullptr) return {};
  return MPROC_OPTIONS_IN(opts, function);
}

mproc::api::MapOptions map_options(const mproc_map_opts_t* opts, const char* function) {
  if (opts == nullptr) return {};
  return MPROC_OPTIONS_IN(opts, function);
}

// imap and imap_unordered: the same call but for the order of results.
int imap(mproc_pool_t* pool, const char* task, const void* const* inputs, const size_t* lens,
         size_t count, const mproc_map_opts_t* opts, bool ordered, mproc_imap_t** out,
         const char* function) {
  Pool& p = MPROC_UNWRAP_IN(pool, function);
  mproc::api::require(task != nullptr && task[0] != '\0', function, "task is NULL or empty");
  mproc::api::require(count == 0 || (inputs != nullptr && lens != nullptr), function,
                      "inputs or lens is NULL");
  mproc::api::require(out != nullptr, function, "out is NULL");
  for (size_t i = 0; i < count; ++i)
    mproc::api::require(inputs[i] != nullptr || lens[i] == 0, function, "an input is NULL");
  auto o = map_options(opts, function);
  mproc::api::require(!o.timeout_set, function,
                      "the options set a timeout; imap waits per result: give the timeout "
                      "to mproc_imap_next");
  *out = wrap<mproc_imap_s>(
      p.imap(TaskRef{task, nullptr}, inputs, lens, count, o.chunksize, ordered));
  return 0;
}

// A task's failure: its code, its message as the thread's last error.
int task_failed(int code, const std::string& message) {
  return mproc::api::fail_message(code, message.empty() ? mproc::error_text(code) : message);
}

mproc_msg_s* message_of(const std::string& bytes) {
  mproc_msg_s* m = mproc::core::message_alloc(bytes.size());
  if (!bytes.empty()) std::memcpy(m->data(), bytes.data(), bytes.size());
  return m;
}

}  // namespace

extern "C" {

// ---- Tasks and results -----------------------------------------------------------

int mproc_result_set(mproc_result_t* out, const void* data, size_t len) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr && out->magic == mproc_result_s::kMagic, "not a task's result");
  MPROC_REQUIRE(data != nullptr || len == 0, "data is NULL");
  out->output.assign(static_cast<const char*>(data), len);
  return 0;
  MPROC_API_END
}

int mproc_result_alloc(mproc_result_t* out, size_t len, void** data) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr && out->magic == mproc_result_s::kMagic, "not a task's result");
  MPROC_REQUIRE(data != nullptr, "data is NULL");
  out->output.resize(len);
  *data = out->output.data();
  return 0;
  MPROC_API_END
}

int mproc_result_error(mproc_result_t* out, int code, const char* message) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr && out->magic == mproc_result_s::kMagic, "not a task's result");
  MPROC_REQUIRE(code < 0, "code must be a negative MPROC_E* code");
  out->code = code;
  out->message = message != nullptr ? message : "";
  return code;
  MPROC_API_END
}

// ---- Options ------------------------------------------------------------------------

int mproc_pool_opts_new(mproc_pool_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_pool_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_pool_opts_free(mproc_pool_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_pool_opts_set_processes(mproc_pool_opts_t* opts, size_t n) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).processes = n;
  return 0;
  MPROC_API_END
}

int mproc_pool_opts_set_start_method(mproc_pool_opts_t* opts, mproc_start_method_t method) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(method >= MPROC_START_DEFAULT && method <= MPROC_START_FORKSERVER,
                "not a start method");
  mproc::core::require_start_method(method);
  o.method = method;
  return 0;
  MPROC_API_END
}

int mproc_pool_opts_set_initializer(mproc_pool_opts_t* opts, const char* task,
                                    const mproc_args_t* args) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(task != nullptr, "task is NULL");
  o.initializer_args = args != nullptr ? MPROC_CHECK(args).args->tail(0) : nullptr;
  o.initializer = task;
  return 0;
  MPROC_API_END
}

int mproc_pool_opts_set_maxtasksperchild(mproc_pool_opts_t* opts, size_t n) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).maxtasks = n;
  return 0;
  MPROC_API_END
}

int mproc_task_opts_new(mproc_task_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_task_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_task_opts_free(mproc_task_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_task_opts_set_timeout(mproc_task_opts_t* opts, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  (void)MPROC_DEADLINE(timeout_ms);  // the same rule as every timed call
  o.timeout_ms = timeout_ms;
  return 0;
  MPROC_API_END
}

namespace {

// A callback's userdata. Every copy of the callback (in the options, in
// each submitted task's future) shares one of these, so a release given
// to mproc_task_opts_set_callback_owned runs once, when the last copy is
// gone: after the callback ran, or when a task is dropped without it.
class Userdata {
 public:
  explicit Userdata(void* data) : data_(data) {}
  Userdata(const Userdata&) = delete;
  Userdata& operator=(const Userdata&) = delete;
  ~Userdata() {
    if (release_ != nullptr) release_(data_);
  }
  void* data() const { return data_; }
  void arm(mproc_release_cb release) noexcept { release_ = release; }

 private:
  void* data_;
  mproc_release_cb release_ = nullptr;
};

// The callback as the core keeps it. The callback sees a handle made for
// the call: the caller's own handle may be freed already.
Future::Callback lent_future_callback(mproc_future_cb callback,
                                      const std::shared_ptr<Userdata>& userdata) {
  return [callback, userdata](const std::shared_ptr<Future>& f) {
    mproc_future_s handle;  // lent: usable in the callback, not freed by it
    handle.obj = f;
    callback(&handle, userdata->data());
    handle.header.set(mproc_future_s::kMagic, mproc::core::HandleHeader::kDead);
  };
}

}  // namespace

int mproc_task_opts_set_callback(mproc_task_opts_t* opts, mproc_future_cb callback,
                                 void* userdata) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  if (callback == nullptr) {
    o.callback = nullptr;
  } else {
    o.callback = lent_future_callback(callback, std::make_shared<Userdata>(userdata));
  }
  return 0;
  MPROC_API_END
}

int mproc_task_opts_set_callback_owned(mproc_task_opts_t* opts, mproc_future_cb callback,
                                       void* userdata, mproc_release_cb release) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(callback != nullptr, "callback is NULL");
  MPROC_REQUIRE(release != nullptr, "release is NULL");
  // Armed only once nothing can fail: on ENOMEM userdata stays the
  // caller's and release is not called.
  auto owned = std::make_shared<Userdata>(userdata);
  Future::Callback made = lent_future_callback(callback, owned);
  owned->arm(release);
  o.callback = std::move(made);
  return 0;
  MPROC_API_END
}

int mproc_map_opts_new(mproc_map_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_map_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_map_opts_free(mproc_map_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_map_opts_set_chunksize(mproc_map_opts_t* opts, size_t n) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).chunksize = n;
  return 0;
  MPROC_API_END
}

int mproc_map_opts_set_timeout(mproc_map_opts_t* opts, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  (void)MPROC_DEADLINE(timeout_ms);  // the same rule as every timed call
  o.timeout_ms = timeout_ms;
  o.timeout_set = true;
  return 0;
  MPROC_API_END
}

// ---- Pools ----------------------------------------------------------------------------

int mproc_pool_new(mproc_pool_t** out, const mproc_pool_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  mproc::core::PoolOptions o;
  if (opts != nullptr) o = MPROC_OPTIONS(opts);
  *out = wrap<mproc_pool_s>(Pool::create(o));
  return 0;
  MPROC_API_END
}

int mproc_pool_processes(const mproc_pool_t* pool, size_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  *n = MPROC_UNWRAP(pool).processes();
  return 0;
  MPROC_API_END
}

int mproc_pool_worker_pids(const mproc_pool_t* pool, int64_t* pids, size_t cap, size_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  MPROC_REQUIRE(pids != nullptr || cap == 0, "pids is NULL but cap is not 0");
  auto all = MPROC_UNWRAP(pool).worker_pids();
  for (size_t i = 0; i < all.size() && i < cap; ++i) pids[i] = all[i];
  *n = all.size();
  return 0;
  MPROC_API_END
}

int mproc_pool_apply_async(mproc_pool_t* pool, const char* task, const void* in, size_t len,
                           const mproc_task_opts_t* opts, mproc_future_t** out) {
  MPROC_API_BEGIN
  Pool& p = MPROC_UNWRAP(pool);
  MPROC_REQUIRE(task != nullptr && task[0] != '\0', "task is NULL or empty");
  MPROC_REQUIRE(in != nullptr || len == 0, "in is NULL");
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_future_s>(p.apply_async(TaskRef{task, nullptr}, in, len,
                                             task_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_pool_apply_async_to(mproc_pool_t* pool, const char* task, const void* in, size_t len,
                              const mproc_task_opts_t* opts, mproc_completions_t* into,
                              uint64_t tag) {
  MPROC_API_BEGIN
  Pool& p = MPROC_UNWRAP(pool);
  MPROC_REQUIRE(task != nullptr && task[0] != '\0', "task is NULL or empty");
  MPROC_REQUIRE(in != nullptr || len == 0, "in is NULL");
  auto& queue = MPROC_UNWRAP(into);
  auto o = task_options(opts, __func__);
  MPROC_REQUIRE(!o.callback, "the options set a callback: the outcome goes to the queue");
  o.callback = queue.sink(tag);
  (void)p.apply_async(TaskRef{task, nullptr}, in, len, o);
  return 0;
  MPROC_API_END
}

int mproc_pool_apply_async_fn(mproc_pool_t* pool, mproc_pool_fn fn, const void* in, size_t len,
                              const mproc_task_opts_t* opts, mproc_future_t** out) {
  MPROC_API_BEGIN
  Pool& p = MPROC_UNWRAP(pool);
  MPROC_REQUIRE(fn != nullptr, "fn is NULL");
  MPROC_REQUIRE(in != nullptr || len == 0, "in is NULL");
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_future_s>(
      p.apply_async(TaskRef{std::string(), fn}, in, len, task_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_pool_apply(mproc_pool_t* pool, const char* task, const void* in, size_t len,
                     const mproc_task_opts_t* opts, mproc_msg_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  Pool& p = MPROC_UNWRAP(pool);
  MPROC_REQUIRE(task != nullptr && task[0] != '\0', "task is NULL or empty");
  MPROC_REQUIRE(in != nullptr || len == 0, "in is NULL");
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  auto deadline = MPROC_DEADLINE(timeout_ms);  // checked before the task is submitted
  auto f = p.apply_async(TaskRef{task, nullptr}, in, len, task_options(opts, __func__));
  if (f->wait(deadline) != 0)
    return mproc::api::fail_static(MPROC_ETIMEDOUT, "mproc_pool_apply: timed out waiting");
  if (f->code() != 0) return task_failed(f->code(), f->message());
  *out = message_of(f->output());
  return 0;
  MPROC_API_END
}

int mproc_pool_map(mproc_pool_t* pool, const char* task, const void* inputs, size_t in_size,
                   size_t count, void* outputs, size_t out_size, const mproc_map_opts_t* opts,
                   size_t* failed_index) {
  MPROC_API_BEGIN
  Pool& p = MPROC_UNWRAP(pool);
  MPROC_REQUIRE(task != nullptr && task[0] != '\0', "task is NULL or empty");
  MPROC_REQUIRE(count == 0 || inputs != nullptr || in_size == 0, "inputs is NULL");
  MPROC_REQUIRE(count == 0 || outputs != nullptr || out_size == 0, "outputs is NULL");
  MPROC_REQUIRE(in_size == 0 || count <= SIZE_MAX / in_size, "inputs overflow");
  MPROC_REQUIRE(out_size == 0 || count <= SIZE_MAX / out_size, "outputs overflow");
  auto o = map_options(opts, __func__);
  uint64_t failed = 0;
  std::string message;
  int rc = p.map(TaskRef{task, nullptr}, inputs, in_size, count, outputs, out_size, o.chunksize,
                 MPROC_DEADLINE(o.timeout_ms), &failed, &message);
  if (rc == MPROC_ETIMEDOUT) return mproc::api::fail_static(rc, "mproc_pool_map: timed out");
  if (rc != 0) {
    if (failed_index != nullptr) *failed_index = static_cast<size_t>(failed);
    return task_failed(rc, "item " + std::to_string(failed) + ": " +
                               (message.empty() ? mproc::error_text(rc) : message));
  }
  return 0;
  MPROC_API_END
}

int mproc_pool_imap(mproc_pool_t* pool, const char* task, const void* const* inputs,
                    const size_t* lens, size_t count, const mproc_map_opts_t* opts,
                    mproc_imap_t** out) {
  MPROC_API_BEGIN
  return imap(pool, task, inputs, lens, count, opts, true, out, __func__);
  MPROC_API_END
}

int mproc_pool_imap_unordered(mproc_pool_t* pool, const char* task, const void* const* inputs,
                              const size_t* lens, size_t count, const mproc_map_opts_t* opts,
                              mproc_imap_t** out) {
  MPROC_API_BEGIN
  return imap(pool, task, inputs, lens, count, opts, false, out, __func__);
  MPROC_API_END
}

int mproc_imap_next(mproc_imap_t* it, size_t* index, mproc_msg_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& job = MPROC_UNWRAP(it);
  MPROC_REQUIRE(index != nullptr && out != nullptr, "index or out is NULL");
  std::string bytes;
  size_t i = 0;
  int rc = job.next(MPROC_DEADLINE(timeout_ms), &i, &bytes);
  if (rc == MPROC_EOF || rc == MPROC_ETIMEDOUT) return status(rc);
  *index = i;
  if (rc != 0) return task_failed(rc, bytes);
  *out = message_of(bytes);
  return 0;
  MPROC_API_END
}

void mproc_imap_free(mproc_imap_t* it) { MPROC_RELEASE(it); }

int mproc_pool_close(mproc_pool_t* pool) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(pool).close();
  return 0;
  MPROC_API_END
}

int mproc_pool_terminate(mproc_pool_t* pool) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(pool).terminate();
  return 0;
  MPROC_API_END
}

int mproc_pool_join(mproc_pool_t* pool, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(pool).join(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

void mproc_pool_free(mproc_pool_t* pool) {
  // Claimed before the long part, so that a second free of the same
  // handle is refused instead of joining the pool twice.
  if (!mproc::api::claim(pool, __func__)) return;
  MPROC_API_BEGIN
  Pool& p = *pool->obj;
  p.terminate_unless_closed();
  p.join(Deadline::never());
  MPROC_API_END_VOID
  mproc::core::HandleArena<mproc_pool_s>::recycle(pool);
}

// ---- Futures --------------------------------------------------------------------------

int mproc_future_wait(mproc_future_t* f, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(f).wait(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_future_ready(const mproc_future_t* f, int* ready) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(ready != nullptr, "ready is NULL");
  *ready = MPROC_UNWRAP(f).done() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_future_successful(const mproc_future_t* f, int* ok) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(ok != nullptr, "ok is NULL");
  Future& fut = MPROC_UNWRAP(f);
  if (!fut.done()) mproc::fail(MPROC_ESTATE, "mproc_future_successful: the task is not done");
  *ok = fut.code() == 0 ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_future_result(mproc_future_t* f, mproc_msg_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  Future& fut = MPROC_UNWRAP(f);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  if (fut.wait(MPROC_DEADLINE(timeout_ms)) != 0)
    return mproc::api::fail_static(MPROC_ETIMEDOUT, "mproc_future_result: not done in time");
  if (fut.code() != 0) return task_failed(fut.code(), fut.message());
  *out = message_of(fut.output());
  return 0;
  MPROC_API_END
}

int mproc_future_result_view(mproc_future_t* f, const void** data, size_t* size,
                             int64_t timeout_ms) {
  MPROC_API_BEGIN
  Future& fut = MPROC_UNWRAP(f);
  MPROC_REQUIRE(data != nullptr && size != nullptr, "data or size is NULL");
  if (fut.wait(MPROC_DEADLINE(timeout_ms)) != 0)
    return mproc::api::fail_static(MPROC_ETIMEDOUT, "mproc_future_result_view: not done in time");
  if (fut.code() != 0) return task_failed(fut.code(), fut.message());
  // The output is written once, before done: it stays put while the future
  // lives, so the caller reads it in place.
  const std::string& output = fut.output();
  *data = output.data();
  *size = output.size();
  return 0;
  MPROC_API_END
}

int mproc_future_error(const mproc_future_t* f, int* code, const char** message) {
  MPROC_API_BEGIN
  Future& fut = MPROC_UNWRAP(f);
  MPROC_REQUIRE(code != nullptr, "code is NULL");
  if (!fut.done()) mproc::fail(MPROC_ESTATE, "mproc_future_error: the task is not done");
  *code = mproc::api::public_code(fut.code());
  if (message != nullptr) *message = fut.message().c_str();
  return 0;
  MPROC_API_END
}

void mproc_future_free(mproc_future_t* f) { MPROC_RELEASE(f); }

// ---- Completion queues ------------------------------------------------------------

// The public record is the core's header, byte for byte.
static_assert(sizeof(mproc_completion_t) == sizeof(mproc::core::CompletionHeader) &&
                  offsetof(mproc_completion_t, code) ==
                      offsetof(mproc::core::CompletionHeader, code) &&
                  offsetof(mproc_completion_t, size) ==
                      offsetof(mproc::core::CompletionHeader, size),
              "mproc_completion_t and CompletionHeader differ");

int mproc_completions_new(mproc_completions_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_completions_s>(std::make_shared<mproc::core::Completions>());
  return 0;
  MPROC_API_END
}

void mproc_completions_free(mproc_completions_t* c) { MPROC_RELEASE(c); }

int mproc_completions_take(mproc_completions_t* c, void* buf, size_t cap, size_t* used,
                           int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& queue = MPROC_UNWRAP(c);
  MPROC_REQUIRE(buf != nullptr || cap == 0, "buf is NULL but cap is not 0");
  MPROC_REQUIRE(used != nullptr, "used is NULL");
  int rc = queue.take(static_cast<char*>(buf), cap, used, MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ETIMEDOUT)
    return mproc::api::fail_static(rc, "mproc_completions_take: none came in time");
  if (rc == MPROC_ETOOBIG)
    return mproc::api::fail_static(rc, "mproc_completions_take: the oldest outcome does not "
                                       "fit in cap bytes (*used is the room it needs)");
  return rc;
  MPROC_API_END
}

}  // extern "C"
