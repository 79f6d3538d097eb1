// The C handles: each opaque mproc_<noun>_t is a small struct holding a
// HandleHeader (its type and state) and a reference to its core object or
// its option values. Handles live in HandleArenas (core/handle_arena.hpp),
// whose memory is never given back, so checking a handle never reads freed
// memory. check_handle() is the one place a handle is checked and opened
// (LLVM's wrap/unwrap idea): NULL, a freed handle or a handle of another
// type becomes MPROC_EINVAL with a message, not a crash; release() frees
// one exactly once.
#pragma once

#include <memory>
#include <new>
#include <string>

#include "api/guard.hpp"
#include "core/command.hpp"
#include "core/connection.hpp"
#include "core/handle_arena.hpp"
#include "core/message.hpp"
#include "core/launch/process.hpp"
#include "core/pool/completions.hpp"
#include "core/pool/pool.hpp"
#include "core/queue/queue.hpp"
#include "core/sync/barrier.hpp"
#include "core/sync/condition.hpp"
#include "core/sync/event.hpp"
#include "core/sync/lock.hpp"
#include "core/sync/semaphore.hpp"
#include "core/sync/shared_block.hpp"
#include "core/tasks.hpp"
#include "platform/error.hpp"
#include "platform/wait.hpp"

#define MPROC_DEFINE_HANDLE(tag, core_type, magic_value, label) \
  struct tag {                                                  \
    static constexpr uint32_t kMagic = magic_value;             \
    static constexpr const char* kLabel = label;                \
    mproc::core::HandleHeader header{kMagic};                   \
    std::shared_ptr<core_type> obj;                             \
    void clear() noexcept { obj.reset(); }                      \
  }

namespace mproc::api {

// A T held in place. Handle structs must be standard-layout (their header
// is at their address); option values such as a std::function are not,
// but raw storage holding one is.
template <class T>
class InPlace {
 public:
  InPlace() { new (storage_) T(); }
  ~InPlace() { get().~T(); }
  InPlace(const InPlace&) = delete;
  InPlace& operator=(const InPlace&) = delete;
  T& get() noexcept { return *std::launder(reinterpret_cast<T*>(storage_)); }
  const T& get() const noexcept {
    return *std::launder(reinterpret_cast<const T*>(storage_));
  }

 private:
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace mproc::api

#define MPROC_DEFINE_OPTIONS(tag, value_type, magic_value, label)  \
  struct tag {                                                     \
    static constexpr uint32_t kMagic = magic_value;                \
    static constexpr const char* kLabel = label;                   \
    mproc::core::HandleHeader header{kMagic};                      \
    mproc::api::InPlace<value_type> value;                         \
    void clear() noexcept { value.get() = value_type{}; }          \
  }

MPROC_DEFINE_HANDLE(mproc_process_s, mproc::core::Process, 0x70726f63, "mproc_process_t");
MPROC_DEFINE_HANDLE(mproc_conn_s, mproc::core::Connection, 0x636f6e6e, "mproc_conn_t");
MPROC_DEFINE_HANDLE(mproc_command_s, mproc::core::Command, 0x636d6e64, "mproc_command_t");
MPROC_DEFINE_HANDLE(mproc_lock_s, mproc::core::Lock, 0x6c6f636b, "mproc_lock_t");
MPROC_DEFINE_HANDLE(mproc_rlock_s, mproc::core::RLock, 0x726c636b, "mproc_rlock_t");
MPROC_DEFINE_HANDLE(mproc_sem_s, mproc::core::Semaphore, 0x73656d61, "mproc_sem_t");
MPROC_DEFINE_HANDLE(mproc_event_s, mproc::core::Event, 0x65766e74, "mproc_event_t");
MPROC_DEFINE_HANDLE(mproc_cond_s, mproc::core::Condition, 0x636f6e64, "mproc_cond_t");
MPROC_DEFINE_HANDLE(mproc_barrier_s, mproc::core::Barrier, 0x62617272, "mproc_barrier_t");
MPROC_DEFINE_HANDLE(mproc_shm_s, mproc::core::SharedBlock, 0x73686d62, "mproc_shm_t");
MPROC_DEFINE_HANDLE(mproc_pool_s, mproc::core::PoolBase, 0x706f6f6c, "mproc_pool_t");
MPROC_DEFINE_HANDLE(mproc_future_s, mproc::core::Future, 0x66757472, "mproc_future_t");
MPROC_DEFINE_HANDLE(mproc_completions_s, mproc::core::Completions, 0x636d706c,
                    "mproc_completions_t");
MPROC_DEFINE_HANDLE(mproc_imap_s, mproc::core::ImapJob, 0x696d6170, "mproc_imap_t");
MPROC_DEFINE_HANDLE(mproc_queue_s, mproc::core::Queue, 0x71756575, "mproc_queue_t");
MPROC_DEFINE_OPTIONS(mproc_pool_opts_s, mproc::core::PoolOptions, 0x706c6f70,
                     "mproc_pool_opts_t");
MPROC_DEFINE_OPTIONS(mproc_task_opts_s, mproc::core::TaskOptions, 0x746b6f70,
                     "mproc_task_opts_t");
MPROC_DEFINE_OPTIONS(mproc_queue_opts_s, mproc::core::QueueOptions, 0x716f7074,
                     "mproc_queue_opts_t");
MPROC_DEFINE_OPTIONS(mproc_shared_opts_s, mproc::core::SharedOptions, 0x73686f70,
                     "mproc_shared_opts_t");
MPROC_DEFINE_OPTIONS(mproc_process_opts_s, mproc::core::ProcessOptions, 0x706f7074,
                     "mproc_process_opts_t");
MPROC_DEFINE_OPTIONS(mproc_command_opts_s, mproc::core::CommandOptions, 0x636f7074,
                     "mproc_command_opts_t");

namespace mproc::api {
// The values of an mproc_map_opts_t.
struct MapOptions {
  size_t chunksize = 0;
  int64_t timeout_ms = -1;   // MPROC_FOREVER
  bool timeout_set = false;  // imap refuses a timeout rather than ignore it
};
}  // namespace mproc::api

MPROC_DEFINE_OPTIONS(mproc_map_opts_s, mproc::api::MapOptions, 0x6d61706f, "mproc_map_opts_t");
// A finished capture's output and status: values, like an options object's.
MPROC_DEFINE_OPTIONS(mproc_capture_s, mproc::core::Captured, 0x63617074, "mproc_capture_t");

namespace mproc::api {

// Whether `h` is a handle of type H that may be used now (live, or lent
// for the current call). Reads only the header, which stays readable after
// a free.
template <class H>
bool usable(const H* h) noexcept {
  return h != nullptr && mproc::core::HandleHeader::of(static_cast<const void*>(h))
                             ->usable(H::kMagic);
}

// Checks a handle argument and returns the struct behind it.
template <class H>
H& check_handle(H* h, const char* function) {
  if (__builtin_expect(!usable(h), 0)) fail_bad_handle(h, function, H::kLabel);
  return *h;
}
template <class H>
const H& check_handle(const H* h, const char* function) {
  return check_handle(const_cast<H*>(h), function);
}

// The values behind an options handle.
template <class H>
auto& options(H* h, const char* function) {
  return check_handle(h, function).value.get();
}

// The core object behind a handle.
template <class H>
auto& unwrap(H* h, const char* function) {
  return *check_handle(h, function).obj;
}

// A strong reference to the core object behind a handle, for a call that
// publishes a change (a release, a set, a put, a get that makes room) and
// touches the object after it: the change may let another thread return
// from its wait and free the handle, and the object and its mapping must
// outlive the rest of this call (as glibc's sem_post must, bug 12674).
// Taken before the change, so it is ordered before any free the change
// allows.
template <class H>
auto hold(H* h, const char* function) {
  return check_handle(h, function).obj;
}

// What a release needs kept, for a release whose only touch of the object
// after the atomic operation that publishes it is a wake of sleepers
// (Lock, Semaphore). Where the wake hands the kernel an address and reads
// no memory (futexes: platform::kWakeReadsNoMemory), nothing need outlive
// the publishing operation, and the reference count hold() changes -- a
// third of an uncontended semaphore's time -- is left alone. Elsewhere the
// wake reads the wait cell, and this holds the object as hold() does.
template <class T>
class WakeHold {
 public:
  explicit WakeHold(const std::shared_ptr<T>& obj) : obj_(obj.get()) {
    if constexpr (!mproc::platform::kWakeReadsNoMemory) keep_ = obj;
  }
  T* operator->() const noexcept { return obj_; }
  T& operator*() const noexcept { return *obj_; }

 private:
  T* obj_;
  std::shared_ptr<T> keep_;  // empty where the wake reads no memory
};
template <class H>
auto hold_for_wake(H* h, const char* function) {
  return WakeHold(check_handle(h, function).obj);
}

// A new live handle, fields at their defaults (options) or empty.
template <class H>
H* make() {
  return mproc::core::HandleArena<H>::make();
}

// Allocates a handle around `obj` for the caller.
template <class H, class T>
H* wrap(std::shared_ptr<T> obj) {
  H* h = make<H>();
  h->obj = std::move(obj);
  return h;
}

// The first half of release, for a *_free with work to do before the
// handle's fields go: true when `h` was live and is now the caller's to
// recycle; false for NULL and for a handle that may not be freed.
template <class H>
bool claim(H* h, const char* function) noexcept {
  if (h == nullptr) return false;
  if (mproc::core::HandleArena<H>::claim(h)) return true;
  bool lent = mproc::core::HandleHeader::of(static_cast<const void*>(h))->lent(H::kMagic);
  note_bad_free(function, H::kLabel, lent);
  return false;
}

// Frees a handle made by make or wrap. NULL is fine; a handle already
// freed, lent or of another type is left alone and reported as the
// thread's last error (the *_free functions return nothing).
template <class H>
void release(H* h, const char* function) noexcept {
  if (claim(h, function)) mproc::core::HandleArena<H>::recycle(h);
}

}  // namespace mproc::api

#define MPROC_UNWRAP(h) ::mproc::api::unwrap((h), __func__)
#define MPROC_UNWRAP_IN(h, function) ::mproc::api::unwrap((h), (function))
#define MPROC_HOLD(h) ::mproc::api::hold((h), __func__)
#define MPROC_HOLD_FOR_WAKE(h) ::mproc::api::hold_for_wake((h), __func__)
#define MPROC_CHECK(h) ::mproc::api::check_handle((h), __func__)
#define MPROC_CHECK_IN(h, function) ::mproc::api::check_handle((h), (function))
#define MPROC_OPTIONS(h) ::mproc::api::options((h), __func__)
#define MPROC_OPTIONS_IN(h, function) ::mproc::api::options((h), (function))
#define MPROC_RELEASE(h) ::mproc::api::release((h), __func__)
