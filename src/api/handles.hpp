// The C handles: each opaque mproc_<noun>_t is a small struct holding a
// magic number and a reference to its core object. unwrap() is the one
// place a handle is checked and opened (LLVM's wrap/unwrap idea): NULL, a
// freed handle or a handle of another type becomes MPROC_EINVAL with a
// message, not a crash.
#pragma once

#include <memory>
#include <string>

#include "core/command.hpp"
#include "core/connection.hpp"
#include "core/process.hpp"
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

#define MPROC_DEFINE_HANDLE(tag, core_type, magic_value, label)  \
  struct tag {                                                   \
    static constexpr uint32_t kMagic = magic_value;              \
    static constexpr const char* kLabel = label;                 \
    uint32_t magic = kMagic;                                     \
    std::shared_ptr<core_type> obj;                              \
  }

#define MPROC_DEFINE_OPTIONS(tag, value_type, magic_value, label) \
  struct tag {                                                    \
    static constexpr uint32_t kMagic = magic_value;               \
    static constexpr const char* kLabel = label;                  \
    uint32_t magic = kMagic;                                      \
    value_type value;                                             \
  }

MPROC_DEFINE_HANDLE(mproc_process_s, mproc::core::Process, 0x70726f63, "process");
MPROC_DEFINE_HANDLE(mproc_conn_s, mproc::core::Connection, 0x636f6e6e, "connection");
MPROC_DEFINE_HANDLE(mproc_command_s, mproc::core::Command, 0x636d6e64, "command");
MPROC_DEFINE_HANDLE(mproc_lock_s, mproc::core::Lock, 0x6c6f636b, "lock");
MPROC_DEFINE_HANDLE(mproc_rlock_s, mproc::core::RLock, 0x726c636b, "rlock");
MPROC_DEFINE_HANDLE(mproc_sem_s, mproc::core::Semaphore, 0x73656d61, "semaphore");
MPROC_DEFINE_HANDLE(mproc_event_s, mproc::core::Event, 0x65766e74, "event");
MPROC_DEFINE_HANDLE(mproc_cond_s, mproc::core::Condition, 0x636f6e64, "condition");
MPROC_DEFINE_HANDLE(mproc_barrier_s, mproc::core::Barrier, 0x62617272, "barrier");
MPROC_DEFINE_HANDLE(mproc_shm_s, mproc::core::SharedBlock, 0x73686d62, "shared block");
MPROC_DEFINE_HANDLE(mproc_pool_s, mproc::core::Pool, 0x706f6f6c, "pool");
MPROC_DEFINE_HANDLE(mproc_future_s, mproc::core::Future, 0x66757472, "future");
MPROC_DEFINE_HANDLE(mproc_imap_s, mproc::core::ImapJob, 0x696d6170, "imap iterator");
MPROC_DEFINE_OPTIONS(mproc_pool_opts_s, mproc::core::PoolOptions, 0x706c6f70, "pool options");
MPROC_DEFINE_OPTIONS(mproc_task_opts_s, mproc::core::TaskOptions, 0x746b6f70, "task options");
MPROC_DEFINE_HANDLE(mproc_queue_s, mproc::core::Queue, 0x71756575, "queue");
MPROC_DEFINE_OPTIONS(mproc_queue_opts_s, mproc::core::QueueOptions, 0x716f7074,
                     "queue options");
MPROC_DEFINE_OPTIONS(mproc_shared_opts_s, mproc::core::SharedOptions, 0x73686f70,
                     "shared object options");
MPROC_DEFINE_OPTIONS(mproc_process_opts_s, mproc::core::ProcessOptions, 0x706f7074,
                     "process options");
MPROC_DEFINE_OPTIONS(mproc_command_opts_s, mproc::core::CommandOptions, 0x636f7074,
                     "command options");

namespace mproc::api {

// Checks a handle argument and returns the struct behind it.
template <class H>
H& check_handle(H* h, const char* function) {
  if (h == nullptr)
    mproc::fail(MPROC_EINVAL, std::string(function) + ": " + H::kLabel + " is NULL");
  if (h->magic != H::kMagic)
    mproc::fail(MPROC_EINVAL, std::string(function) + ": not a valid " + H::kLabel +
                                  " handle (already freed, or another type)");
  return *h;
}
template <class H>
const H& check_handle(const H* h, const char* function) {
  return check_handle(const_cast<H*>(h), function);
}

// The core object behind a handle.
template <class H>
auto& unwrap(H* h, const char* function) {
  return *check_handle(h, function).obj;
}

// Allocates a handle around `obj` for the caller.
template <class H, class T>
H* wrap(std::shared_ptr<T> obj) {
  H* h = new H;
  h->obj = std::move(obj);
  return h;
}

// Frees a handle made by wrap (or new H); NULL is fine, a bad one ignored.
template <class H>
void release(H* h) noexcept {
  if (h == nullptr || h->magic != H::kMagic) return;
  h->magic = 0;
  delete h;
}

}  // namespace mproc::api

#define MPROC_UNWRAP(h) ::mproc::api::unwrap((h), __func__)
#define MPROC_CHECK(h) ::mproc::api::check_handle((h), __func__)
#define MPROC_CHECK_IN(h, function) ::mproc::api::check_handle((h), (function))
