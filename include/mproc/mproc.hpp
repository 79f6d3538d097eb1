/// @file mproc/mproc.hpp
/// @brief The C++17 face of mproc, header-only, over the C ABI alone.
///
/// RAII classes for every object, std::chrono timeouts, std::string_view
/// messages, and errors as mproc::Error exceptions carrying the code and the
/// message. Where running out of time is an ordinary outcome (a try_lock, a
/// queue that stays empty), a non-throwing try_* form says so in its return
/// value instead. Every class's `native()` gives the C handle behind it, to
/// fall back to the C API (mproc/*.h), whose documentation states what each
/// call blocks for and which errors it gives.
///
/// @code
///   MPROC_TASK(greet) { ... }
///   int main(int argc, char** argv) {
///     mproc::init(argc, argv);                 // first line of main()
///     mproc::Process p("greet", mproc::Args() << "child 1");
///     p.start();
///     p.join();
///   }
/// @endcode
///
/// Thread safety is the C library's: every object may be used from any
/// thread (an Args being built excepted). The process-wide effects (threads,
/// signals, waiting at exit) are those of mproc/process.h.
#ifndef MPROC_MPROC_HPP
#define MPROC_MPROC_HPP

#include <mproc/mproc.h>

// One clear error for an older standard, instead of pages of them: the
// rest of the header sits in the #else (the C API above stays usable).
// MSVC reports the standard in _MSVC_LANG.
#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 201703L
#error "mproc.hpp needs C++17 or newer (compile with -std=c++17); from older C++ use the C headers, <mproc/mproc.h>"
#else

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace mproc {

// ---- Errors -------------------------------------------------------------------

/// A failed mproc call: code() is the MPROC_E* code, what() the detailed
/// message of mproc_last_error().
class Error : public std::runtime_error {
 public:
  /// An error with a code and a message.
  /// @param code a negative MPROC_E* code.
  /// @param message the detailed message; empty: mproc_strerror(code).
  Error(int code, const std::string& message)
      : std::runtime_error(message.empty() ? mproc_strerror(code) : message), code_(code) {}
  /// @return the MPROC_E* code.
  int code() const noexcept { return code_; }
  /// @return the code's name without prefix, e.g. "ETIMEDOUT".
  const char* name() const noexcept { return mproc_err_name(code_); }

 private:
  int code_;
};

namespace detail {

/// Throws for any negative code; returns `rc` (0, or an informative positive
/// outcome) otherwise.
inline int check(int rc) {
  if (rc < 0) throw Error(rc, mproc_last_error());
  return rc;
}

/// Like check, but `ordinary` (a timeout, would-block) comes back as false.
inline bool check_or(int rc, int ordinary) {
  if (rc == ordinary) return false;
  check(rc);
  return true;
}

/// A duration as an mproc timeout: negative means forever, and one too
/// long for int64_t milliseconds (hours::max()) is INT64_MAX, which the
/// library takes as "very long" -- never an overflow.
template <class Rep, class Period>
int64_t to_ms(std::chrono::duration<Rep, Period> d) {
  if constexpr (std::is_floating_point_v<Rep>) {
    if (d.count() != d.count()) throw Error(MPROC_EINVAL, "timeout is NaN");
  }
  if (d < d.zero()) return MPROC_FOREVER;
  using LongMs = std::chrono::duration<long double, std::milli>;
  if (std::chrono::duration_cast<LongMs>(d).count() >= static_cast<long double>(INT64_MAX))
    return INT64_MAX;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return static_cast<int64_t>(ms);
}

/// Owns a C handle and frees it with its *_free function.
template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

}  // namespace detail

/// Wait without limit.
inline constexpr std::chrono::milliseconds forever{-1};

// ---- The process --------------------------------------------------------------

/// Call first thing in main(): in a spawned child it runs the task and
/// exits (mproc_main). Throws Error should mproc itself fail there.
/// @param argc main's argc.
/// @param argv main's argv.
inline void init(int argc, char** argv) { detail::check(mproc_main(argc, argv)); }
/// @return the CPUs this process may run on, at least 1 (mproc_cpu_count).
inline int cpu_count() noexcept { return mproc_cpu_count(); }
/// @return this process's id.
inline int64_t getpid() noexcept { return mproc_getpid(); }
/// The pid of the process that started this one through mproc (Python's
/// parent_process().pid).
/// @return the pid, or 0 in a program's first process.
inline int64_t parent_pid() noexcept { return mproc_parent_pid(); }
/// @return "MainProcess", or this child's name.
inline std::string current_process_name() { return mproc_current_process_name(); }
/// @return the loaded library's version, "major.minor.patch".
inline std::string version() { return mproc_version_string(); }
/// Sets the process-wide default start method (mproc_set_start_method);
/// throws Error (MPROC_EINVAL, MPROC_ENOTSUP).
/// @param m spawn, fork or forkserver.
inline void set_start_method(mproc_start_method_t m) { detail::check(mproc_set_start_method(m)); }

/// The pids of this process's running child processes (Python's
/// active_children()).
/// @return the pids.
inline std::vector<int64_t> active_children() {
  size_t n = 0;
  detail::check(mproc_active_children(nullptr, 0, &n));
  std::vector<int64_t> pids(n + 8);
  detail::check(mproc_active_children(pids.data(), pids.size(), &n));
  pids.resize(std::min(n, pids.size()));
  return pids;
}

// ---- Messages -------------------------------------------------------------------

/// A received message, owning its bytes.
class Message {
 public:
  /// An empty message, with no bytes.
  Message() = default;
  /// Takes a message the C API handed out (freed with mproc_msg_free).
  /// @param m the message, adopted.
  explicit Message(mproc_msg_t* m) : m_(m) {}
  /// An empty Message (default-made or moved from) has no bytes.
  /// @return the bytes, valid while the Message lives; null when empty.
  const void* data() const {
    const void* d = nullptr;
    if (m_) detail::check(mproc_msg_data(m_.get(), &d));
    return d;
  }
  /// @return the number of bytes.
  size_t size() const {
    size_t n = 0;
    if (m_) detail::check(mproc_msg_size(m_.get(), &n));
    return n;
  }
  /// @return the bytes, valid while the Message lives.
  std::string_view view() const { return {static_cast<const char*>(data()), size()}; }
  /// @return a copy of the bytes.
  std::string str() const { return std::string(view()); }
  /// The bytes as a trivially copyable T (they must be exactly sizeof(T));
  /// throws Error(MPROC_EINVAL) otherwise.
  /// @return the value.
  template <class T>
  T as() const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size() != sizeof(T)) throw Error(MPROC_EINVAL, "message is not sizeof(T) bytes");
    T v;
    std::memcpy(&v, data(), sizeof v);
    return v;
  }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_msg_t* native() const noexcept { return m_.get(); }

 private:
  detail::Handle<mproc_msg_t, mproc_msg_free> m_;
};

/// The bytes of a trivially copyable value, to send as a message.
/// @param v the value.
/// @return its bytes, valid while `v` lives.
template <class T>
std::string_view bytes_of(const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  return {reinterpret_cast<const char*>(&v), sizeof v};
}

class Connection;
class Lock;
class RLock;
class Semaphore;
class Event;
class Condition;
class Barrier;
class SharedBlock;
class Queue;

// ---- Shared objects --------------------------------------------------------------

/// How a new shared object is made: anonymous (default) or named.
class Shared {
 public:
  /// A named object.
  /// @param name its name; empty: an unguessable one the library picks.
  /// @return the choice, for a constructor.
  static Shared named(std::string name = {}) {
    Shared s;
    s.named_ = true;
    s.name_ = std::move(name);
    return s;
  }
  /// The C options (null for anonymous); owned by the returned handle.
  /// @return the options.
  detail::Handle<mproc_shared_opts_t, mproc_shared_opts_free> c_opts() const {
    detail::Handle<mproc_shared_opts_t, mproc_shared_opts_free> o;
    if (!named_) return o;
    mproc_shared_opts_t* raw = nullptr;
    detail::check(mproc_shared_opts_new(&raw));
    o.reset(raw);
    if (name_.empty())
      detail::check(mproc_shared_opts_set_named(raw, 1));
    else
      detail::check(mproc_shared_opts_set_name(raw, name_.c_str()));
    return o;
  }
  /// @return whether the object will be named.
  bool is_named() const noexcept { return named_; }
  /// @return the name asked for ("" when the library picks it).
  const std::string& name() const noexcept { return name_; }

 private:
  bool named_ = false;
  std::string name_;
};

/// Removes a named object's name (mproc_unlink); throws Error(MPROC_ENOENT)
/// when there is none.
/// @param name the name.
inline void unlink(const std::string& name) { detail::check(mproc_unlink(name.c_str())); }

/// How an acquire ended.
enum class Acquired {
  kYes,        ///< acquired
  kOwnerDied,  ///< acquired from an owner that died (MPROC_EOWNERDEAD)
  kTimedOut    ///< not acquired in time
};

namespace detail {
inline Acquired acquired(int rc) {
  if (rc == MPROC_ETIMEDOUT || rc == MPROC_EBUSY) return Acquired::kTimedOut;
  if (rc == MPROC_EOWNERDEAD) return Acquired::kOwnerDied;
  check(rc);
  return Acquired::kYes;
}
}  // namespace detail

/// A lock owned by one thread of one process (Python's Lock). Lockable, so
/// std::lock_guard and std::unique_lock work; lock() also takes a lock from
/// a dead owner -- owner_died() then says so, so the guarded state can be
/// repaired.
class Lock {
 public:
  /// Makes a lock (mproc_lock_new); throws Error.
  /// @param how anonymous (default) or Shared::named(...).
  explicit Lock(const Shared& how = {}) {
    mproc_lock_t* raw = nullptr;
    detail::check(mproc_lock_new(&raw, how.c_opts().get()));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Lock open(const std::string& name) {
    mproc_lock_t* raw = nullptr;
    detail::check(mproc_lock_open(&raw, name.c_str()));
    return Lock(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Lock(mproc_lock_t* adopted) : h_(adopted) {}

  /// Acquires, waiting at most `timeout` (mproc_lock_acquire); throws
  /// Error(MPROC_ESTATE) when this thread holds it already.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return how it ended: kYes, kOwnerDied (acquired; repair the state),
  ///         or kTimedOut.
  template <class Rep = int64_t, class Period = std::milli>
  Acquired acquire(std::chrono::duration<Rep, Period> timeout = forever) {
    return note(detail::acquired(mproc_lock_acquire(h_.get(), detail::to_ms(timeout))));
  }
  /// Acquires, waiting without limit (also from a dead owner).
  void lock() {
    if (acquire() == Acquired::kTimedOut) throw Error(MPROC_ETIMEDOUT, "lock timed out");
  }
  /// Acquires if free, without waiting.
  /// @return whether it was acquired.
  bool try_lock() { return note(detail::acquired(mproc_lock_try_acquire(h_.get()))) != Acquired::kTimedOut; }
  /// Acquires, waiting at most `timeout`.
  /// @param timeout how long to wait.
  /// @return whether it was acquired.
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return acquire(timeout) != Acquired::kTimedOut;
  }
  /// Releases; throws Error(MPROC_ESTATE) when this thread does not hold it.
  void unlock() { detail::check(mproc_lock_release(h_.get())); }
  /// @return whether some thread, anywhere, holds it (a snapshot).
  bool locked() const {
    int v = 0;
    detail::check(mproc_lock_is_locked(h_.get(), &v));
    return v != 0;
  }
  /// Whether the last acquire by this handle took the lock from a dead owner.
  /// @return true after kOwnerDied.
  bool owner_died() const noexcept { return owner_died_; }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_lock_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_lock_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_lock_t* native() const noexcept { return h_.get(); }

 private:
  Acquired note(Acquired a) {
    owner_died_ = a == Acquired::kOwnerDied;
    return a;
  }
  detail::Handle<mproc_lock_t, mproc_lock_free> h_;
  bool owner_died_ = false;
};

/// A re-entrant lock (Python's RLock).
class RLock {
 public:
  /// Makes a re-entrant lock (mproc_rlock_new); throws Error.
  /// @param how anonymous (default) or Shared::named(...).
  explicit RLock(const Shared& how = {}) {
    mproc_rlock_t* raw = nullptr;
    detail::check(mproc_rlock_new(&raw, how.c_opts().get()));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static RLock open(const std::string& name) {
    mproc_rlock_t* raw = nullptr;
    detail::check(mproc_rlock_open(&raw, name.c_str()));
    return RLock(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit RLock(mproc_rlock_t* adopted) : h_(adopted) {}

  /// Acquires (again, if this thread holds it), waiting at most `timeout`.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return kYes, kOwnerDied (acquired) or kTimedOut.
  template <class Rep = int64_t, class Period = std::milli>
  Acquired acquire(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::acquired(mproc_rlock_acquire(h_.get(), detail::to_ms(timeout)));
  }
  /// Acquires, waiting without limit.
  void lock() {
    if (acquire() == Acquired::kTimedOut) throw Error(MPROC_ETIMEDOUT, "rlock timed out");
  }
  /// Acquires if free or held by this thread, without waiting.
  /// @return whether it was acquired.
  bool try_lock() { return detail::acquired(mproc_rlock_try_acquire(h_.get())) != Acquired::kTimedOut; }
  /// Acquires, waiting at most `timeout`.
  /// @param timeout how long to wait.
  /// @return whether it was acquired.
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return acquire(timeout) != Acquired::kTimedOut;
  }
  /// Releases one level; throws Error(MPROC_ESTATE) when not held.
  void unlock() { detail::check(mproc_rlock_release(h_.get())); }
  /// @return how many times this thread holds it.
  uint32_t depth() const {
    uint32_t d = 0;
    detail::check(mproc_rlock_depth(h_.get(), &d));
    return d;
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_rlock_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_rlock_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_rlock_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_rlock_t, mproc_rlock_free> h_;
};

/// Semaphore and BoundedSemaphore.
class Semaphore {
 public:
  /// Makes a semaphore (mproc_sem_new); throws Error.
  /// @param value its initial value.
  /// @param how anonymous (default) or Shared::named(...).
  explicit Semaphore(uint32_t value = 1, const Shared& how = {}) { make(value, false, how); }
  /// Makes a bounded semaphore (mproc_sem_new_bounded).
  /// @param value its initial value and bound.
  /// @param how anonymous (default) or Shared::named(...).
  /// @return the semaphore.
  static Semaphore bounded(uint32_t value = 1, const Shared& how = {}) {
    Semaphore s(nullptr);
    s.make(value, true, how);
    return s;
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Semaphore open(const std::string& name) {
    mproc_sem_t* raw = nullptr;
    detail::check(mproc_sem_open(&raw, name.c_str()));
    return Semaphore(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Semaphore(mproc_sem_t* adopted) : h_(adopted) {}

  /// Takes a unit, waiting at most `timeout`.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return whether a unit was taken.
  template <class Rep = int64_t, class Period = std::milli>
  bool acquire(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_sem_acquire(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// Takes a unit if one is free, without waiting.
  /// @return whether a unit was taken.
  bool try_acquire() { return detail::check_or(mproc_sem_try_acquire(h_.get()), MPROC_EBUSY); }
  /// Gives a unit back; throws Error(MPROC_ESTATE) past a bounded
  /// semaphore's bound, Error(MPROC_EOVERFLOW) past UINT32_MAX.
  void release() { detail::check(mproc_sem_release(h_.get())); }
  /// Lockable too, for guards: a semaphore as a room with N places.
  void lock() { acquire(); }
  /// As try_acquire().
  /// @return whether a unit was taken.
  bool try_lock() { return try_acquire(); }
  /// As release().
  void unlock() { release(); }
  /// @return the current value (a snapshot).
  uint32_t value() const {
    uint32_t v = 0;
    detail::check(mproc_sem_value(h_.get(), &v));
    return v;
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_sem_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_sem_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_sem_t* native() const noexcept { return h_.get(); }

 private:
  void make(uint32_t value, bool bounded, const Shared& how) {
    mproc_sem_t* raw = nullptr;
    auto opts = how.c_opts();
    detail::check(bounded ? mproc_sem_new_bounded(&raw, value, opts.get())
                          : mproc_sem_new(&raw, value, opts.get()));
    h_.reset(raw);
  }
  detail::Handle<mproc_sem_t, mproc_sem_free> h_;
};

/// An event flag (Python's Event).
class Event {
 public:
  /// Makes an event, not set (mproc_event_new); throws Error.
  /// @param how anonymous (default) or Shared::named(...).
  explicit Event(const Shared& how = {}) {
    mproc_event_t* raw = nullptr;
    detail::check(mproc_event_new(&raw, how.c_opts().get()));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Event open(const std::string& name) {
    mproc_event_t* raw = nullptr;
    detail::check(mproc_event_open(&raw, name.c_str()));
    return Event(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Event(mproc_event_t* adopted) : h_(adopted) {}

  /// Sets the flag, waking every waiter.
  void set() { detail::check(mproc_event_set(h_.get())); }
  /// Clears the flag.
  void clear() { detail::check(mproc_event_clear(h_.get())); }
  /// @return whether the flag is set (a snapshot).
  bool is_set() const {
    int v = 0;
    detail::check(mproc_event_is_set(h_.get(), &v));
    return v != 0;
  }
  /// Waits for the flag.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return true once set; false if the timeout passed first.
  template <class Rep = int64_t, class Period = std::milli>
  bool wait(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_event_wait(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_event_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_event_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_event_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_event_t, mproc_event_free> h_;
};

/// A condition over a Lock, an RLock, or (default) an RLock of its own.
/// Lockable through its lock, so std::unique_lock<Condition> works.
class Condition {
 public:
  /// Makes a condition over an RLock of its own (mproc_cond_new).
  /// @param how anonymous (default) or Shared::named(...).
  explicit Condition(const Shared& how = {}) { make(how, [&](auto** out, auto* o) {
                                                 return mproc_cond_new(out, nullptr, o);
                                               }); }
  /// Makes a condition over `lock`.
  /// @param lock the lock; the condition keeps its own reference.
  /// @param how anonymous (default) or Shared::named(...) (then `lock`
  ///            must be named too).
  explicit Condition(Lock& lock, const Shared& how = {}) {
    make(how, [&](auto** out, auto* o) { return mproc_cond_new(out, lock.get(), o); });
  }
  /// Makes a condition over a re-entrant `lock`.
  /// @param lock the lock; the condition keeps its own reference.
  /// @param how anonymous (default) or Shared::named(...).
  explicit Condition(RLock& lock, const Shared& how = {}) {
    make(how, [&](auto** out, auto* o) { return mproc_cond_new_rlock(out, lock.get(), o); });
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Condition open(const std::string& name) {
    mproc_cond_t* raw = nullptr;
    detail::check(mproc_cond_open(&raw, name.c_str()));
    return Condition(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Condition(mproc_cond_t* adopted) : h_(adopted) {}

  /// Acquires the condition's lock, waiting without limit.
  void lock() {
    if (detail::acquired(mproc_cond_acquire(h_.get(), MPROC_FOREVER)) == Acquired::kTimedOut)
      throw Error(MPROC_ETIMEDOUT, "condition lock timed out");
  }
  /// Acquires the condition's lock if free, without waiting.
  /// @return whether it was acquired.
  bool try_lock() {
    return detail::acquired(mproc_cond_acquire(h_.get(), 0)) != Acquired::kTimedOut;
  }
  /// Releases the condition's lock.
  void unlock() { detail::check(mproc_cond_release(h_.get())); }
  /// With the lock held: sleeps until notified (the lock is held again
  /// either way); throws Error(MPROC_ESTATE) without the lock.
  /// @param timeout how long to sleep; negative or forever: no limit.
  /// @return true when notified (or the lock came back from a dead owner),
  ///         false on timeout.
  template <class Rep = int64_t, class Period = std::milli>
  bool wait(std::chrono::duration<Rep, Period> timeout = forever) {
    int rc = mproc_cond_wait(h_.get(), detail::to_ms(timeout));
    if (rc == MPROC_EOWNERDEAD) return true;
    return detail::check_or(rc, MPROC_ETIMEDOUT);
  }
  /// Python's wait_for, with the lock held: waits until pred() holds, or
  /// the timeout.
  /// @param pred the predicate, called with the lock held.
  /// @param timeout how long to wait in all.
  /// @return the last value of pred().
  template <class Pred, class Rep = int64_t, class Period = std::milli>
  bool wait_for(Pred pred, std::chrono::duration<Rep, Period> timeout = forever) {
    // In milliseconds first: now() + hours::max() would overflow. Beyond
    // about 35 years is forever, as for the C calls.
    const int64_t total_ms = detail::to_ms(timeout);
    const bool unlimited = total_ms < 0 || total_ms > (int64_t{1} << 40);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(unlimited ? 0 : total_ms);
    bool ok = pred();
    while (!ok) {
      if (unlimited) {
        wait();
      } else {
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= left.zero() || !wait(left)) return pred();
      }
      ok = pred();
    }
    return ok;
  }
  /// With the lock held: wakes up to `n` waiters (mproc_cond_notify).
  /// @param n how many.
  void notify(uint32_t n = 1) { detail::check(mproc_cond_notify(h_.get(), n)); }
  /// With the lock held: wakes every waiter.
  void notify_all() { detail::check(mproc_cond_notify_all(h_.get())); }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_cond_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_cond_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_cond_t* native() const noexcept { return h_.get(); }

 private:
  template <class Make>
  void make(const Shared& how, Make m) {
    mproc_cond_t* raw = nullptr;
    detail::check(m(&raw, how.c_opts().get()));
    h_.reset(raw);
  }
  detail::Handle<mproc_cond_t, mproc_cond_free> h_;
};

/// Thrown by Barrier::wait when the barrier is (or becomes) broken.
class BrokenBarrier : public Error {
 public:
  using Error::Error;
};

/// A barrier (Python's Barrier).
class Barrier {
 public:
  /// Makes a barrier (mproc_barrier_new); throws Error(MPROC_EINVAL) for 0.
  /// @param parties how many waiters make a round.
  /// @param how anonymous (default) or Shared::named(...).
  explicit Barrier(uint32_t parties, const Shared& how = {}) {
    mproc_barrier_t* raw = nullptr;
    detail::check(mproc_barrier_new(&raw, parties, how.c_opts().get()));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Barrier open(const std::string& name) {
    mproc_barrier_t* raw = nullptr;
    detail::check(mproc_barrier_open(&raw, name.c_str()));
    return Barrier(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Barrier(mproc_barrier_t* adopted) : h_(adopted) {}

  /// Waits for all parties; throws BrokenBarrier when broken or when this
  /// wait times out (which breaks it, as in Python).
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return this waiter's index (0..parties-1).
  template <class Rep = int64_t, class Period = std::milli>
  uint32_t wait(std::chrono::duration<Rep, Period> timeout = forever) {
    uint32_t index = 0;
    int rc = mproc_barrier_wait(h_.get(), detail::to_ms(timeout), &index);
    if (rc == MPROC_EBROKEN || rc == MPROC_ETIMEDOUT) throw BrokenBarrier(rc, mproc_last_error());
    detail::check(rc);
    return index;
  }
  /// Breaks the barrier for current and future waiters.
  void abort() { detail::check(mproc_barrier_abort(h_.get())); }
  /// Back to the initial state; current waiters get BrokenBarrier.
  void reset() { detail::check(mproc_barrier_reset(h_.get())); }
  /// @return the number of parties.
  uint32_t parties() const {
    uint32_t n = 0;
    detail::check(mproc_barrier_parties(h_.get(), &n));
    return n;
  }
  /// @return how many wait in this round (a snapshot).
  uint32_t n_waiting() const {
    uint32_t n = 0;
    detail::check(mproc_barrier_n_waiting(h_.get(), &n));
    return n;
  }
  /// @return whether the barrier is broken (a snapshot).
  bool broken() const {
    int b = 0;
    detail::check(mproc_barrier_broken(h_.get(), &b));
    return b != 0;
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_barrier_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_barrier_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_barrier_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_barrier_t, mproc_barrier_free> h_;
};

/// A block of shared memory (Value, Array, SharedMemory), with its lock.
class SharedBlock {
 public:
  /// Makes a zero-filled block (mproc_shm_new); throws Error.
  /// @param size its size in bytes, at least 1.
  /// @param how anonymous (default) or Shared::named(...).
  explicit SharedBlock(size_t size, const Shared& how = {}) {
    mproc_shm_t* raw = nullptr;
    detail::check(mproc_shm_new(&raw, size, how.c_opts().get()));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static SharedBlock open(const std::string& name) {
    mproc_shm_t* raw = nullptr;
    detail::check(mproc_shm_open(&raw, name.c_str()));
    return SharedBlock(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit SharedBlock(mproc_shm_t* adopted) : h_(adopted) {}

  /// @return the first byte, valid while this object lives.
  void* data() const {
    void* d = nullptr;
    detail::check(mproc_shm_data(h_.get(), &d));
    return d;
  }
  /// @return the size asked for at creation.
  size_t size() const {
    size_t n = 0;
    detail::check(mproc_shm_size(h_.get(), &n));
    return n;
  }
  /// The block seen as a T (Python's Value): the block must be big enough
  /// (Error(MPROC_ERANGE) otherwise).
  /// @return the T at the block's start.
  template <class T>
  T& as() const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size() < sizeof(T)) throw Error(MPROC_ERANGE, "shared block smaller than T");
    return *static_cast<T*>(data());
  }
  /// The block's own lock (Value.get_lock()), the same in every process.
  /// @return a handle on it.
  Lock lock() const {
    mproc_lock_t* raw = nullptr;
    detail::check(mproc_shm_lock(h_.get(), &raw));
    return Lock(raw);
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_shm_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_shm_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_shm_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_shm_t, mproc_shm_free> h_;
};

// ---- Queues ----------------------------------------------------------------------

/// How a new Queue is made (mproc_queue_opts_t).
struct QueueOptions {
  size_t maxsize = 0;  ///< most items held; 0: no limit
  size_t capacity = MPROC_QUEUE_DEFAULT_CAPACITY;  ///< bytes of ring
  Shared shared;  ///< anonymous (default) or named
};

/// Queue and JoinableQueue (every mproc queue is joinable).
class Queue {
 public:
  /// Makes a queue (mproc_queue_new); throws Error.
  /// @param maxsize most items held; 0: no limit.
  explicit Queue(size_t maxsize = 0) : Queue(with_maxsize(maxsize)) {}
  /// Makes a queue with options.
  /// @param o the options.
  explicit Queue(const QueueOptions& o) {
    mproc_queue_opts_t* opts = nullptr;
    detail::check(mproc_queue_opts_new(&opts));
    detail::Handle<mproc_queue_opts_t, mproc_queue_opts_free> owned(opts);
    detail::check(mproc_queue_opts_set_maxsize(opts, o.maxsize));
    detail::check(mproc_queue_opts_set_capacity(opts, o.capacity));
    if (o.shared.is_named()) {
      if (o.shared.name().empty())
        detail::check(mproc_queue_opts_set_named(opts, 1));
      else
        detail::check(mproc_queue_opts_set_name(opts, o.shared.name().c_str()));
    }
    mproc_queue_t* raw = nullptr;
    detail::check(mproc_queue_new(&raw, opts));
    h_.reset(raw);
  }
  /// Opens a named object another process made; throws Error
  /// (MPROC_ENOENT, MPROC_ETYPE, ...).
  /// @param name its name.
  /// @return the object.
  static Queue open(const std::string& name) {
    mproc_queue_t* raw = nullptr;
    detail::check(mproc_queue_open(&raw, name.c_str()));
    return Queue(raw);
  }
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Queue(mproc_queue_t* adopted) : h_(adopted) {}

  /// Puts a copy, blocking until there is room; throws Error on close
  /// (MPROC_ECLOSED), a message too big (MPROC_ETOOBIG) or other errors.
  /// @param msg the bytes.
  void put(std::string_view msg) {
    detail::check(mproc_queue_put(h_.get(), msg.data(), msg.size(), MPROC_FOREVER));
  }
  /// Puts a copy if there is room within `timeout`.
  /// @param msg the bytes.
  /// @param timeout how long to wait for room (default: not at all).
  /// @return false when there was no room in time (Python's queue.Full).
  template <class Rep = int64_t, class Period = std::milli>
  bool try_put(std::string_view msg, std::chrono::duration<Rep, Period> timeout =
                                         std::chrono::milliseconds(0)) {
    return detail::check_or(mproc_queue_put(h_.get(), msg.data(), msg.size(), detail::to_ms(timeout)),
                            MPROC_EFULL);
  }
  /// Takes the oldest message, blocking for one; throws
  /// Error(MPROC_ECLOSED) once closed and empty.
  /// @return the message.
  Message get() {
    mproc_msg_t* m = nullptr;
    detail::check(mproc_queue_get(h_.get(), &m, MPROC_FOREVER));
    return Message(m);
  }
  /// Takes the oldest message if one comes within `timeout`.
  /// @param timeout how long to wait (default: not at all).
  /// @return the message, or nothing when none came in time (Python's
  ///         queue.Empty).
  template <class Rep = int64_t, class Period = std::milli>
  std::optional<Message> try_get(std::chrono::duration<Rep, Period> timeout =
                                     std::chrono::milliseconds(0)) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_queue_get(h_.get(), &m, detail::to_ms(timeout)), MPROC_EEMPTY))
      return std::nullopt;
    return Message(m);
  }
  /// @return the items queued now (approximate while others put or get).
  size_t qsize() const {
    size_t n = 0;
    detail::check(mproc_queue_qsize(h_.get(), &n));
    return n;
  }
  /// @return whether the queue is empty (approximate).
  bool empty() const { return qsize() == 0; }
  /// @return whether maxsize items are queued (approximate).
  bool full() const {
    int f = 0;
    detail::check(mproc_queue_full(h_.get(), &f));
    return f != 0;
  }
  /// Closes the queue for every process: puts fail, gets drain it.
  void close() { detail::check(mproc_queue_close(h_.get())); }
  /// Marks one taken item processed; throws Error(MPROC_ESTATE) when
  /// called more times than items were taken.
  void task_done() { detail::check(mproc_queue_task_done(h_.get())); }
  /// Waits until every item put so far is marked done. Returns true at
  /// once when nothing was put yet: join after the puts it should wait for.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return true once every item put was marked done; false on timeout.
  template <class Rep = int64_t, class Period = std::milli>
  bool join(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_queue_join(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// @return the name of a named object, "" for an anonymous one.
  std::string name() const {
    const char* n = "";
    detail::check(mproc_queue_name(h_.get(), &n));
    return n;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_queue_t* get_handle() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_queue_t* native() const noexcept { return h_.get(); }

 private:
  static QueueOptions with_maxsize(size_t maxsize) {
    QueueOptions o;
    o.maxsize = maxsize;
    return o;
  }
  detail::Handle<mproc_queue_t, mproc_queue_free> h_;
};
/// Python's JoinableQueue: every mproc queue is joinable.
using JoinableQueue = Queue;

// ---- Connections -------------------------------------------------------------------

/// One end of a connection (Python's Connection from Pipe()).
class Connection {
 public:
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Connection(mproc_conn_t* adopted) : h_(adopted) {}
  /// Sends one message, blocking until the channel has room; throws
  /// Error (MPROC_EPIPE when the peer is gone, ...).
  /// @param msg the bytes.
  void send(std::string_view msg) {
    detail::check(mproc_conn_send(h_.get(), msg.data(), msg.size(), MPROC_FOREVER));
  }
  /// Receives one message, blocking for it. Throws Error(MPROC_EOF) once
  /// the peer closed and everything was read.
  /// @return the message.
  Message recv() {
    mproc_msg_t* m = nullptr;
    detail::check(mproc_conn_recv(h_.get(), &m, MPROC_FOREVER));
    return Message(m);
  }
  /// Receives one message if one comes within `timeout`.
  /// @param timeout how long to wait.
  /// @return the message, or nothing on timeout.
  template <class Rep, class Period>
  std::optional<Message> try_recv(std::chrono::duration<Rep, Period> timeout) {
    mproc_msg_t* m = nullptr;
    if (!detail::check_or(mproc_conn_recv(h_.get(), &m, detail::to_ms(timeout)), MPROC_ETIMEDOUT))
      return std::nullopt;
    return Message(m);
  }
  /// Whether a receive would not block, waiting at most `timeout`.
  /// @param timeout how long to wait (default: not at all).
  /// @return true when a message (or the end of the stream) is there.
  template <class Rep = int64_t, class Period = std::milli>
  bool poll(std::chrono::duration<Rep, Period> timeout = std::chrono::milliseconds(0)) {
    return detail::check_or(mproc_conn_poll(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// Closes this end; the peer sees MPROC_EOF.
  void close() { detail::check(mproc_conn_close(h_.get())); }
  /// A descriptor for an event loop (mproc_conn_fileno): a hint; drain
  /// with poll() after each wake-up.
  /// @return the descriptor, owned by the connection.
  int fileno() const {
    int fd = -1;
    detail::check(mproc_conn_fileno(h_.get(), &fd));
    return fd;
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_conn_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_conn_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_conn_t, mproc_conn_free> h_;
};

/// Python's Pipe(duplex) (mproc_conn_pipe).
/// @param duplex both ends send and receive; false: first receives,
///               second sends.
/// @return the two ends.
inline std::pair<Connection, Connection> Pipe(bool duplex = true) {
  mproc_conn_t *a = nullptr, *b = nullptr;
  detail::check(mproc_conn_pipe(&a, &b, duplex ? 1 : 0));
  return {Connection(a), Connection(b)};
}

// ---- Arguments -----------------------------------------------------------------------

/// An argument list being built for a child: Args() << 42 << "name" << queue.
class Args {
 public:
  /// Makes an empty list (mproc_args_new).
  Args() {
    mproc_args_t* raw = nullptr;
    detail::check(mproc_args_new(&raw));
    h_.reset(raw);
  }
  /// Appends an integer.
  /// @param v the value.
  /// @return this list.
  Args& operator<<(int64_t v) { return add(mproc_args_add_i64(h_.get(), v)); }
  /// Appends an integer.
  /// @param v the value.
  /// @return this list.
  Args& operator<<(int v) { return *this << static_cast<int64_t>(v); }
  /// Appends a double.
  /// @param v the value.
  /// @return this list.
  Args& operator<<(double v) { return add(mproc_args_add_f64(h_.get(), v)); }
  /// Appends a string (copied).
  /// @param s the value.
  /// @return this list.
  Args& operator<<(const char* s) { return add(mproc_args_add_str(h_.get(), s)); }
  /// Appends a string (copied).
  /// @param s the value.
  /// @return this list.
  Args& operator<<(const std::string& s) { return *this << s.c_str(); }
  /// Appends bytes (copied).
  /// @param b the bytes.
  /// @return this list.
  Args& bytes(std::string_view b) { return add(mproc_args_add_bytes(h_.get(), b.data(), b.size())); }
  /// Appends a descriptor: the list holds its own duplicate, closed when
  /// the list goes (mproc_args_add_fd).
  /// @param descriptor an open descriptor; stays the caller's.
  /// @return this list.
  Args& fd(int descriptor) { return add(mproc_args_add_fd(h_.get(), descriptor)); }
  /// Appends a Connection (the child gets a handle of its own; the list keeps a reference).
  /// @param c the value.
  /// @return this list.
  Args& operator<<(Connection& c) { return add(mproc_args_add_conn(h_.get(), c.get())); }
  /// Appends a Lock (the child gets a handle of its own; the list keeps a reference).
  /// @param l the value.
  /// @return this list.
  Args& operator<<(Lock& l) { return add(mproc_args_add_lock(h_.get(), l.get())); }
  /// Appends a RLock (the child gets a handle of its own; the list keeps a reference).
  /// @param l the value.
  /// @return this list.
  Args& operator<<(RLock& l) { return add(mproc_args_add_rlock(h_.get(), l.get())); }
  /// Appends a Semaphore (the child gets a handle of its own; the list keeps a reference).
  /// @param s the value.
  /// @return this list.
  Args& operator<<(Semaphore& s) { return add(mproc_args_add_sem(h_.get(), s.get())); }
  /// Appends a Event (the child gets a handle of its own; the list keeps a reference).
  /// @param e the value.
  /// @return this list.
  Args& operator<<(Event& e) { return add(mproc_args_add_event(h_.get(), e.get())); }
  /// Appends a Condition (the child gets a handle of its own; the list keeps a reference).
  /// @param c the value.
  /// @return this list.
  Args& operator<<(Condition& c) { return add(mproc_args_add_cond(h_.get(), c.get())); }
  /// Appends a Barrier (the child gets a handle of its own; the list keeps a reference).
  /// @param b the value.
  /// @return this list.
  Args& operator<<(Barrier& b) { return add(mproc_args_add_barrier(h_.get(), b.get())); }
  /// Appends a SharedBlock (the child gets a handle of its own; the list keeps a reference).
  /// @param s the value.
  /// @return this list.
  Args& operator<<(SharedBlock& s) { return add(mproc_args_add_shm(h_.get(), s.get())); }
  /// Appends a Queue (the child gets a handle of its own; the list keeps a reference).
  /// @param q the value.
  /// @return this list.
  Args& operator<<(Queue& q) { return add(mproc_args_add_queue(h_.get(), q.get_handle())); }
  /// Objects that add themselves (SharedDict, SharedList).
  template <class Object, class = decltype(std::declval<Object&>().add_to(nullptr))>
  /// Appends a Object (the child gets a handle of its own; the list keeps a reference).
  /// @param o the value.
  /// @return this list.
  Args& operator<<(Object& o) { return add(o.add_to(h_.get())); }
  /// Hands the list over (to mproc_process_new, which takes it).
  /// @return the C list, now the caller's.
  mproc_args_t* release() noexcept { return h_.release(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_args_t* native() const noexcept { return h_.get(); }

 private:
  Args& add(int rc) {
    detail::check(rc);
    return *this;
  }
  detail::Handle<mproc_args_t, mproc_args_free> h_;
};

/// A task's view of its arguments, read by index with type checks.
class ArgsView {
 public:
  /// Views a list the library lent to a task.
  /// @param a the list.
  explicit ArgsView(const mproc_args_t* a) : a_(a) {}
  /// @return the number of arguments.
  size_t size() const { return get<size_t>(mproc_args_count); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value.
  int64_t i64(size_t i) const { return get<int64_t>(mproc_args_get_i64, i); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value.
  double f64(size_t i) const { return get<double>(mproc_args_get_f64, i); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, viewing the list's bytes.
  std::string_view str(size_t i) const {
    const char* s = nullptr;
    detail::check(mproc_args_get_str(a_, i, &s));
    return s;
  }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, viewing the list's bytes.
  std::string_view bytes(size_t i) const {
    const void* d = nullptr;
    size_t n = 0;
    detail::check(mproc_args_get_bytes(a_, i, &d, &n));
    return {static_cast<const char*>(d), n};
  }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value (the descriptor stays the list's: dup it to keep it).
  int fd(size_t i) const { return get<int>(mproc_args_get_fd, i); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Connection conn(size_t i) const { return Connection(handle(mproc_args_get_conn, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Lock lock(size_t i) const { return Lock(handle(mproc_args_get_lock, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  RLock rlock(size_t i) const { return RLock(handle(mproc_args_get_rlock, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Semaphore sem(size_t i) const { return Semaphore(handle(mproc_args_get_sem, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Event event(size_t i) const { return Event(handle(mproc_args_get_event, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Condition cond(size_t i) const { return Condition(handle(mproc_args_get_cond, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Barrier barrier(size_t i) const { return Barrier(handle(mproc_args_get_barrier, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  SharedBlock shm(size_t i) const { return SharedBlock(handle(mproc_args_get_shm, i)); }
  /// Argument `i` (throws Error: MPROC_ERANGE, MPROC_ETYPE).
  /// @param i the index.
  /// @return the value, a handle of its own.
  Queue queue(size_t i) const { return Queue(handle(mproc_args_get_queue, i)); }
  /// Objects that read themselves: object<SharedDict>(i), object<SharedList>(i).
  /// @param i the index.
  /// @return the object, a handle of its own.
  template <class Object>
  Object object(size_t i) const { return Object::from_args(a_, i); }
  /// The C list, as native() gives it.
  /// @return the list, lent.
  const mproc_args_t* get() const noexcept { return a_; }
  /// The C list, lent for the task's call (never free it).
  /// @return the list.
  const mproc_args_t* native() const noexcept { return a_; }

 private:
  template <class T>
  T get(int (*fn)(const mproc_args_t*, size_t, T*), size_t i) const {
    T v{};
    detail::check(fn(a_, i, &v));
    return v;
  }
  template <class T>
  T get(int (*fn)(const mproc_args_t*, T*)) const {
    T v{};
    detail::check(fn(a_, &v));
    return v;
  }
  template <class H>
  H* handle(int (*fn)(const mproc_args_t*, size_t, H**), size_t i) const {
    H* h = nullptr;
    detail::check(fn(a_, i, &h));
    return h;
  }
  const mproc_args_t* a_;
};

// ---- Processes ---------------------------------------------------------------------------

/// How a Process is made (mproc_process_opts_t), by chained setters.
class ProcessOptions {
 public:
  /// @param n the process's name (default "Process-N").
  /// @return these options.
  ProcessOptions& name(std::string n) { name_ = std::move(n); return *this; }
  /// @param d a daemon: terminated at the parent's exit, dies with it.
  /// @return these options.
  ProcessOptions& daemon(bool d = true) { daemon_ = d; return *this; }
  /// @param m spawn, fork, forkserver, or DEFAULT (the process-wide one).
  /// @return these options.
  ProcessOptions& start_method(mproc_start_method_t m) { method_ = m; return *this; }
  /// @param g the child leads a new process group, which terminate reaches.
  /// @return these options.
  ProcessOptions& new_group(bool g = true) { group_ = g; return *this; }
  /// @param key the authentication key the child gets.
  /// @return these options.
  ProcessOptions& authkey(std::string key) { authkey_ = std::move(key); return *this; }
  /// The C options.
  /// @return them, owned by the returned handle.
  detail::Handle<mproc_process_opts_t, mproc_process_opts_free> c_opts() const {
    mproc_process_opts_t* raw = nullptr;
    detail::check(mproc_process_opts_new(&raw));
    detail::Handle<mproc_process_opts_t, mproc_process_opts_free> o(raw);
    if (!name_.empty()) detail::check(mproc_process_opts_set_name(raw, name_.c_str()));
    detail::check(mproc_process_opts_set_daemon(raw, daemon_ ? 1 : 0));
    detail::check(mproc_process_opts_set_start_method(raw, method_));
    detail::check(mproc_process_opts_set_new_group(raw, group_ ? 1 : 0));
    if (!authkey_.empty())
      detail::check(mproc_process_opts_set_authkey(raw, authkey_.data(), authkey_.size()));
    return o;
  }

 private:
  std::string name_;
  bool daemon_ = false;
  mproc_start_method_t method_ = MPROC_START_DEFAULT;
  bool group_ = false;
  std::string authkey_;
};

/// A child process running a registered task (Python's Process).
class Process {
 public:
  /// Makes a process that will run `task` (mproc_process_new); throws
  /// Error (MPROC_ENOTFOUND, MPROC_ETYPE).
  /// @param task the registered name of a process task.
  /// @param args its arguments, taken (left empty).
  /// @param options how it starts.
  Process(const std::string& task, Args& args, const ProcessOptions& options = {}) {
    mproc_process_t* raw = nullptr;
    auto opts = options.c_opts();
    detail::check(mproc_process_new(&raw, task.c_str(), args.release(), opts.get()));
    h_.reset(raw);
  }
  /// As above, for a list built in the call (Args() << 1 << "x").
  /// @param task the registered name of a process task.
  /// @param args its arguments, taken.
  /// @param options how it starts.
  explicit Process(const std::string& task, Args&& args = Args(),
                   const ProcessOptions& options = {})
      : Process(task, args, options) {}
  /// Starts the child; under spawn and forkserver blocks for its start-up
  /// handshake (mproc_process_start). Throws Error (MPROC_ESTATE if started
  /// already, MPROC_EBOOTSTRAP, ...).
  void start() { detail::check(mproc_process_start(h_.get())); }
  /// The key the child gets (Python's Process.authkey); set before start.
  /// @return the key's bytes.
  std::string authkey() const {
    size_t len = 0;
    int rc = mproc_process_authkey(h_.get(), nullptr, 0, &len);
    if (rc != MPROC_ETOOBIG) detail::check(rc);
    std::string key(len, '\0');
    detail::check(mproc_process_authkey(h_.get(), &key[0], key.size(), &len));
    return key;
  }
  /// Sets the key the child gets; throws Error(MPROC_ESTATE) after start.
  /// @param key the key's bytes.
  void set_authkey(std::string_view key) {
    detail::check(mproc_process_set_authkey(h_.get(), key.data(), key.size()));
  }
  /// The C handle, as native() gives it.
  /// @return the handle, owned by this object.
  mproc_process_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_process_t* native() const noexcept { return h_.get(); }
  /// Waits for the child to end.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return true once the child ended; false if it still runs after the
  ///         timeout.
  template <class Rep = int64_t, class Period = std::milli>
  bool join(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_process_join(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// @return whether the child runs (false before start).
  bool is_alive() const {
    int a = 0;
    detail::check(mproc_process_is_alive(h_.get(), &a));
    return a != 0;
  }
  /// SIGTERM to the child (its group if it leads one); join next.
  void terminate() { detail::check(mproc_process_terminate(h_.get())); }
  /// SIGKILL to the child (its group if it leads one); join next.
  void kill() { detail::check(mproc_process_kill(h_.get())); }
  /// @return the child's pid; throws Error(MPROC_ESTATE) before start.
  int64_t pid() const {
    int64_t p = 0;
    detail::check(mproc_process_pid(h_.get(), &p));
    return p;
  }
  /// Python's exitcode. Throws when the status was lost (MPROC_ECHILD: the
  /// program ignores SIGCHLD or reaps with waitpid(-1)).
  /// @return nothing while running (or before start), the task's return
  ///         value, or -N after signal N.
  std::optional<int> exitcode() const {
    int code = 0;
    int rc = mproc_process_exitcode(h_.get(), &code);
    if (rc == MPROC_ESTATE) return std::nullopt;
    detail::check(rc);
    return code;
  }
  /// @return the process's name ("Process-N" unless set).
  std::string name() const {
    const char* n = "";
    detail::check(mproc_process_name(h_.get(), &n));
    return n;
  }
  /// @return whether it is a daemon.
  bool daemon() const {
    int d = 0;
    detail::check(mproc_process_daemon(h_.get(), &d));
    return d != 0;
  }
  /// A descriptor readable once the child ended (mproc_process_sentinel).
  /// @return the descriptor, owned by this object.
  int sentinel() const {
    int fd = -1;
    detail::check(mproc_process_sentinel(h_.get(), &fd));
    return fd;
  }

 private:
  detail::Handle<mproc_process_t, mproc_process_free> h_;
};

/// Python's subclassing style: derive from ProcessClass<T>, give T a
/// constructor from ArgsView (how a spawned child rebuilds it), an args()
/// member (what to send it) and run(), and register it once with
/// MPROC_PROCESS_CLASS(T):
///
/// @code
///   class Greeter : public mproc::ProcessClass<Greeter> {
///    public:
///     explicit Greeter(std::string who) : who_(std::move(who)) {}
///     explicit Greeter(const mproc::ArgsView& a) : who_(a.str(0)) {}
///     mproc::Args args() const { return std::move(mproc::Args() << who_); }
///     int run() override { std::printf("%s is running\n", who_.c_str()); return 0; }
///    private:
///     std::string who_;
///   };
///   MPROC_PROCESS_CLASS(Greeter);
/// @endcode
template <class Derived>
class ProcessClass {
 public:
  virtual ~ProcessClass() = default;
  /// The child's body.
  /// @return the child's exit status.
  virtual int run() = 0;
  /// Starts a child that rebuilds this object from args() and calls run().
  /// @param options how it starts.
  void start(const ProcessOptions& options = {}) {
    process_ = std::make_unique<Process>(task_name(),
                                          static_cast<const Derived*>(this)->args(), options);
    process_->start();
  }
  /// As Process::join.
  /// @param timeout how long to wait.
  /// @return true once the child ended.
  template <class Rep = int64_t, class Period = std::milli>
  bool join(std::chrono::duration<Rep, Period> timeout = forever) { return started().join(timeout); }
  /// @return whether the child runs.
  bool is_alive() const { return process_ && process_->is_alive(); }
  /// As Process::terminate.
  void terminate() { started().terminate(); }
  /// @return the child's pid.
  int64_t pid() const { return started().pid(); }
  /// @return as Process::exitcode (nothing before start).
  std::optional<int> exitcode() const { return process_ ? process_->exitcode() : std::nullopt; }
  /// @return the child's name.
  std::string name() const { return started().name(); }

  /// Set by MPROC_PROCESS_CLASS.
  /// @return the name the class's task is registered under.
  static std::string& task_name() {
    static std::string name;
    return name;
  }

 private:
  Process& started() const {
    if (!process_) throw Error(MPROC_ESTATE, "process not started");
    return *process_;
  }
  std::unique_ptr<Process> process_;
};

/// Registers a ProcessClass subclass's task before main() runs.
/// @param T the class.
#define MPROC_PROCESS_CLASS(T)                                                   \
  static int mproc__class_task_##T(const mproc_args_t* args) {                  \
    T object{mproc::ArgsView(args)};                                            \
    return object.run();                                                        \
  }                                                                             \
  __attribute__((constructor)) static void mproc__register_class_##T(void) {   \
    mproc::ProcessClass<T>::task_name() = #T;                                   \
    (void)mproc_task_register(#T, mproc__class_task_##T, nullptr);              \
  }                                                                             \
  static_assert(true, "")

// ---- Commands ------------------------------------------------------------------------------

/// What run() captured (Python's CompletedProcess).
struct Completed {
  std::string out;   ///< the command's stdout
  std::string err;   ///< the command's stderr
  int exitcode = 0;  ///< its exit status, or -N after signal N
};

/// Runs a command to completion, capturing stdout and stderr
/// (mproc_command_capture); throws Error (MPROC_ENOENT, MPROC_ETIMEDOUT:
/// the command was killed, ...).
/// @param argv the program and its arguments.
/// @param input bytes for its stdin (empty: /dev/null).
/// @param timeout how long it may run; negative or forever: no limit.
/// @return what it wrote and its exit status.
template <class Rep = int64_t, class Period = std::milli>
Completed run(const std::vector<std::string>& argv, std::string_view input = {},
              std::chrono::duration<Rep, Period> timeout = forever) {
  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  mproc_capture_t* raw = nullptr;
  detail::check(mproc_command_capture(args.data(), nullptr, input.empty() ? nullptr : input.data(),
                                      input.size(), detail::to_ms(timeout), &raw));
  detail::Handle<mproc_capture_t, mproc_capture_free> result(raw);
  Completed c;
  const char* bytes = nullptr;
  size_t len = 0;
  detail::check(mproc_capture_stdout(raw, &bytes, &len));
  c.out.assign(bytes, len);
  detail::check(mproc_capture_stderr(raw, &bytes, &len));
  c.err.assign(bytes, len);
  detail::check(mproc_capture_exitcode(raw, &c.exitcode));
  return c;
}

// ---- Pools -----------------------------------------------------------------------------------

/// How a Pool is made (mproc_pool_opts_t), by chained setters.
class PoolOptions {
 public:
  /// @param n the number of workers; 0: cpu_count().
  /// @return these options.
  PoolOptions& processes(size_t n) { n_ = n; return *this; }
  /// @param m how the workers start.
  /// @return these options.
  PoolOptions& start_method(mproc_start_method_t m) { method_ = m; return *this; }
  /// @param n replace a worker after this many tasks; 0: never.
  /// @return these options.
  PoolOptions& maxtasksperchild(size_t n) { max_ = n; return *this; }
  /// @param task a process task each worker runs once first.
  /// @return these options.
  PoolOptions& initializer(std::string task) { init_ = std::move(task); return *this; }
  /// @param b LOCAL, MPI (mproc/pool_mpi.h), or DEFAULT: MPROC_POOL_BACKEND
  ///          decides.
  /// @return these options.
  PoolOptions& backend(mproc_pool_backend_t b) { backend_ = b; return *this; }
  /// The C options.
  /// @return them, owned by the returned handle.
  detail::Handle<mproc_pool_opts_t, mproc_pool_opts_free> c_opts() const {
    mproc_pool_opts_t* raw = nullptr;
    detail::check(mproc_pool_opts_new(&raw));
    detail::Handle<mproc_pool_opts_t, mproc_pool_opts_free> o(raw);
    detail::check(mproc_pool_opts_set_processes(raw, n_));
    detail::check(mproc_pool_opts_set_start_method(raw, method_));
    detail::check(mproc_pool_opts_set_maxtasksperchild(raw, max_));
    if (!init_.empty()) detail::check(mproc_pool_opts_set_initializer(raw, init_.c_str(), nullptr));
    detail::check(mproc_pool_opts_set_backend(raw, backend_));
    return o;
  }

 private:
  size_t n_ = 0;
  mproc_start_method_t method_ = MPROC_START_DEFAULT;
  size_t max_ = 0;
  std::string init_;
  mproc_pool_backend_t backend_ = MPROC_POOL_BACKEND_DEFAULT;
};

/// starmap's items travel as their fields laid end to end, without padding;
/// a task reads them back with unpack<In...>(in, len).
/// @return the bytes of one item of fields In...
template <class... In>
constexpr size_t packed_size() {
  return (size_t{0} + ... + sizeof(In));
}
/// Reads a starmap item's fields in a pool task; throws
/// std::invalid_argument when `len` is not packed_size<In...>().
/// @param in the task's input.
/// @param len its size.
/// @return the fields.
template <class... In>
std::tuple<In...> unpack(const void* in, size_t len) {
  static_assert((std::is_trivially_copyable_v<In> && ...));
  if (len != packed_size<In...>()) throw std::invalid_argument("unpack: wrong input size");
  std::tuple<In...> out;
  const char* p = static_cast<const char*>(in);
  std::apply([&p](auto&... field) { ((std::memcpy(&field, p, sizeof field), p += sizeof field), ...); },
             out);
  return out;
}

/// A pending task's result (apply_async).
class Future {
 public:
  /// Takes a future the C API handed out; this object frees it.
  /// @param adopted the future, adopted.
  explicit Future(mproc_future_t* adopted) : h_(adopted, &mproc_future_free) {}
  /// A Future over a handle the library lends for one call (the future a
  /// completion callback receives): it is not freed with this object.
  /// @param lent the lent future.
  /// @return a Future that does not own it.
  static Future borrowed(mproc_future_t* lent) { return Future(lent, &no_free); }
  /// Waits for the task to be done, either way.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return true once done; false on timeout.
  template <class Rep = int64_t, class Period = std::milli>
  bool wait(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_future_wait(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// @return whether the task is done.
  bool ready() const {
    int r = 0;
    detail::check(mproc_future_ready(h_.get(), &r));
    return r != 0;
  }
  /// @return whether the task succeeded; throws Error(MPROC_ESTATE) when
  ///         not done yet.
  bool successful() const {
    int ok = 0;
    detail::check(mproc_future_successful(h_.get(), &ok));
    return ok != 0;
  }
  /// Waits for the task without limit.
  /// @return its output; throws the task's error as Error.
  Message get() {
    mproc_msg_t* m = nullptr;
    detail::check(mproc_future_result(h_.get(), &m, MPROC_FOREVER));
    return Message(m);
  }
  /// The task's error without an exception, as concurrent.futures'
  /// Future.exception(): waits for the task (up to `timeout`), then gives
  /// nothing if it succeeded, or its Error (code and message) if it failed.
  /// Throws only when the wait itself fails: Error(MPROC_ETIMEDOUT) when the
  /// task is not done in time.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return nothing on success, else the task's Error.
  template <class Rep = int64_t, class Period = std::milli>
  std::optional<Error> error(std::chrono::duration<Rep, Period> timeout = forever) {
    detail::check(mproc_future_wait(h_.get(), detail::to_ms(timeout)));
    int code = 0;
    const char* message = nullptr;
    detail::check(mproc_future_error(h_.get(), &code, &message));
    if (code == 0) return std::nullopt;
    return Error(code, message != nullptr ? message : "");
  }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_future_t* native() const noexcept { return h_.get(); }

 private:
  Future(mproc_future_t* h, void (*free)(mproc_future_t*)) : h_(h, free) {}
  static void no_free(mproc_future_t*) noexcept {}
  std::unique_ptr<mproc_future_t, void (*)(mproc_future_t*)> h_;
};

/// Options of one submitted task (Pool::apply_async, Pool::apply).
class TaskOptions {
 public:
  /// The task may run at most `limit` once a worker starts it; past that
  /// its worker is killed and replaced, and the task fails with
  /// MPROC_ETIMEDOUT. Default: no limit.
  /// @param limit the limit; negative or forever: none.
  /// @return these options.
  template <class Rep, class Period>
  TaskOptions& timeout(std::chrono::duration<Rep, Period> limit) {
    timeout_ms_ = detail::to_ms(limit);
    return *this;
  }
  /// Runs once the task is done, either way, on the pool's collector
  /// thread (one callback at a time: keep it short). The Future it gets is
  /// lent for the call: read it (get(), error()), do not keep it.
  /// Exceptions it throws are dropped.
  /// @param done the callback.
  /// @return these options.
  TaskOptions& callback(std::function<void(Future&)> done) {
    callback_ = std::move(done);
    return *this;
  }

 private:
  friend class Pool;
  using Callback = std::function<void(Future&)>;
  static void trampoline(mproc_future_t* lent, void* userdata) {
    Future f = Future::borrowed(lent);
    try {
      (*static_cast<Callback*>(userdata))(f);
    } catch (...) {
      // An exception can not cross the library's C collector thread.
    }
  }
  static void release(void* userdata) { delete static_cast<Callback*>(userdata); }
  /// The C options. The library owns the callback's copy from here on
  /// (mproc_task_opts_set_callback_owned) and frees it exactly once: after
  /// it ran, or when the task is dropped without running it.
  detail::Handle<mproc_task_opts_t, mproc_task_opts_free> c_opts() const {
    mproc_task_opts_t* raw = nullptr;
    detail::check(mproc_task_opts_new(&raw));
    detail::Handle<mproc_task_opts_t, mproc_task_opts_free> opts(raw);
    detail::check(mproc_task_opts_set_timeout(raw, timeout_ms_));
    if (callback_) {
      auto copy = std::make_unique<Callback>(callback_);
      detail::check(mproc_task_opts_set_callback_owned(raw, &trampoline, copy.get(), &release));
      copy.release();  // the library's now
    }
    return opts;
  }
  int64_t timeout_ms_ = MPROC_FOREVER;
  Callback callback_;
};

/// One result of Pool::imap: the item's index among the inputs, and its
/// output.
struct ImapResult {
  size_t index;    ///< the item's index among the inputs
  Message output;  ///< the task's output
};

/// The results of Pool::imap / imap_unordered, taken one at a time.
class Imap {
 public:
  /// Takes a handle the C API handed out; this object frees it.
  /// @param adopted the handle, adopted.
  explicit Imap(mproc_imap_t* adopted) : h_(adopted) {}
  /// The next result (in input order for imap, in finishing order for
  /// imap_unordered), or nothing once every result was delivered. A failed
  /// item throws its Error; the next call goes on with the next item.
  /// Throws Error(MPROC_ETIMEDOUT) when no result came within `timeout`
  /// (try_next reports that without an exception).
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return the result, or nothing at the end.
  template <class Rep = int64_t, class Period = std::milli>
  std::optional<ImapResult> next(std::chrono::duration<Rep, Period> timeout = forever) {
    ImapResult result{};
    int rc = try_next(result, timeout);
    if (rc == MPROC_EOF) return std::nullopt;
    detail::check(rc);
    return result;
  }
  /// next without exceptions, for a loop that polls: a timeout, the end
  /// and a failed item are return codes. Blocks up to `timeout`. Throws
  /// only for a NaN timeout (Error(MPROC_EINVAL)), as every timed call.
  /// @param result receives the result on 0; only its index when an item
  ///               failed; left alone on MPROC_ETIMEDOUT and MPROC_EOF.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return 0 (a result), MPROC_ETIMEDOUT (none came within `timeout`;
  ///         call again), MPROC_EOF (every result was delivered), a failed
  ///         item's own code (its message in mproc_last_error(); the next
  ///         call goes on with the next item), or MPROC_EINVAL (an object
  ///         moved from).
  template <class Rep = int64_t, class Period = std::milli>
  int try_next(ImapResult& result, std::chrono::duration<Rep, Period> timeout = forever) {
    size_t index = 0;
    mproc_msg_t* m = nullptr;
    int rc = mproc_imap_next(h_.get(), &index, &m, detail::to_ms(timeout));
    if (rc == 0) {
      result = ImapResult{index, Message(m)};
    } else if (rc != MPROC_ETIMEDOUT && rc != MPROC_EOF) {
      result.index = index;  // a failed item's (0 for an object moved from)
    }
    return rc;
  }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_imap_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_imap_t, mproc_imap_free> h_;
};

/// A pool of worker processes (Python's Pool; mproc/pool.h). Freeing it
/// terminates it unless closed, and waits for its workers.
class Pool {
 public:
  /// Starts a pool; blocks until every worker has started (mproc_pool_new).
  /// @param processes the number of workers; 0: cpu_count().
  explicit Pool(size_t processes = 0) : Pool(PoolOptions().processes(processes)) {}
  /// Starts a pool with options.
  /// @param options the options.
  explicit Pool(const PoolOptions& options) {
    mproc_pool_t* raw = nullptr;
    auto opts = options.c_opts();
    detail::check(mproc_pool_new(&raw, opts.get()));
    h_.reset(raw);
  }
  /// Runs a task and waits for it; throws the task's Error.
  /// @param task the registered name of a pool task.
  /// @param input its input bytes.
  /// @return its output.
  Message apply(const std::string& task, std::string_view input) {
    mproc_msg_t* m = nullptr;
    detail::check(mproc_pool_apply(h_.get(), task.c_str(), input.data(), input.size(), nullptr,
                                   &m, MPROC_FOREVER));
    return Message(m);
  }
  /// Submits a task; throws Error (MPROC_ENOTFOUND, MPROC_ETYPE,
  /// MPROC_ESTATE after close, MPROC_EBROKEN).
  /// @param task the registered name of a pool task.
  /// @param input its input bytes, copied.
  /// @return its future.
  Future apply_async(const std::string& task, std::string_view input) {
    mproc_future_t* f = nullptr;
    detail::check(
        mproc_pool_apply_async(h_.get(), task.c_str(), input.data(), input.size(), nullptr, &f));
    return Future(f);
  }
  /// apply_async with a per-task timeout and/or completion callback.
  /// @param task the registered name of a pool task.
  /// @param input its input bytes, copied.
  /// @param options the task's timeout and callback.
  /// @return its future.
  Future apply_async(const std::string& task, std::string_view input,
                     const TaskOptions& options) {
    auto opts = options.c_opts();
    mproc_future_t* f = nullptr;
    detail::check(mproc_pool_apply_async(h_.get(), task.c_str(), input.data(), input.size(),
                                         opts.get(), &f));
    return Future(f);
  }
  /// Python's imap over byte-string items (anything std::string_view can
  /// view): results come from Imap::next in input order, lazily.
  /// @param task the registered name of a pool task.
  /// @param inputs the items, copied at the call.
  /// @param chunksize items sent to a worker together.
  /// @return the results to take.
  template <class Item>
  Imap imap(const std::string& task, const std::vector<Item>& inputs, size_t chunksize = 1) {
    return start_imap(task, inputs, chunksize, mproc_pool_imap);
  }
  /// As imap, with results in the order they finish.
  /// @param task the registered name of a pool task.
  /// @param inputs the items, copied at the call.
  /// @param chunksize items sent to a worker together.
  /// @return the results to take.
  template <class Item>
  Imap imap_unordered(const std::string& task, const std::vector<Item>& inputs,
                      size_t chunksize = 1) {
    return start_imap(task, inputs, chunksize, mproc_pool_imap_unordered);
  }
  /// Python's map over trivially copyable items: Out task(In), in order.
  /// Name the output type and let the input type be deduced:
  ///   std::vector<int64_t> squares = pool.map<int64_t>("square", numbers);
  /// Each task gets sizeof(In) bytes and must set exactly sizeof(Out);
  /// the first failing item's Error is thrown.
  /// @param task the registered name of a pool task.
  /// @param inputs the items.
  /// @param chunksize items sent to a worker together; 0: automatic.
  /// @return the outputs, in order.
  template <class Out, class In>
  std::vector<Out> map(const std::string& task, const std::vector<In>& inputs,
                       size_t chunksize = 0) {
    static_assert(std::is_trivially_copyable_v<In> && std::is_trivially_copyable_v<Out>);
    std::vector<Out> outputs(inputs.size());
    mproc_map_opts_t* raw = nullptr;
    detail::check(mproc_map_opts_new(&raw));
    detail::Handle<mproc_map_opts_t, mproc_map_opts_free> opts(raw);
    detail::check(mproc_map_opts_set_chunksize(raw, chunksize));
    detail::check(mproc_pool_map(h_.get(), task.c_str(), inputs.data(), sizeof(In),
                                 inputs.size(), outputs.data(), sizeof(Out), raw, nullptr));
    return outputs;
  }
  /// Python's starmap over items of several trivially copyable fields:
  /// Out task(a, b, ...), in order. The task reads its item's fields with
  /// unpack<In...>(in, len).
  /// @param task the registered name of a pool task.
  /// @param items the items' fields.
  /// @param chunksize items sent to a worker together; 0: automatic.
  /// @return the outputs, in order.
  template <class Out, class... In>
  std::vector<Out> starmap(const std::string& task, const std::vector<std::tuple<In...>>& items,
                           size_t chunksize = 0) {
    static_assert(std::is_trivially_copyable_v<Out> && (std::is_trivially_copyable_v<In> && ...));
    constexpr size_t size = packed_size<In...>();
    std::vector<char> packed(items.size() * size);
    char* p = packed.data();
    for (const auto& item : items)
      std::apply([&p](const auto&... f) { ((std::memcpy(p, &f, sizeof f), p += sizeof f), ...); },
                 item);
    std::vector<Out> outputs(items.size());
    mproc_map_opts_t* raw = nullptr;
    detail::check(mproc_map_opts_new(&raw));
    detail::Handle<mproc_map_opts_t, mproc_map_opts_free> opts(raw);
    detail::check(mproc_map_opts_set_chunksize(raw, chunksize));
    detail::check(mproc_pool_map(h_.get(), task.c_str(), packed.data(), size, items.size(),
                                 outputs.data(), sizeof(Out), raw, nullptr));
    return outputs;
  }
  /// @return where the workers run: LOCAL or MPI.
  mproc_pool_backend_t backend() const {
    mproc_pool_backend_t b = MPROC_POOL_BACKEND_DEFAULT;
    detail::check(mproc_pool_get_backend(h_.get(), &b));
    return b;
  }
  /// No new work; the workers exit once every task is done.
  void close() { detail::check(mproc_pool_close(h_.get())); }
  /// Stops at once: workers killed, tasks not done fail (MPROC_ECLOSED).
  void terminate() { detail::check(mproc_pool_terminate(h_.get())); }
  /// Waits for the workers to exit after close() or terminate(); throws
  /// Error(MPROC_ESTATE) before either.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return true once they exited; false on timeout.
  template <class Rep = int64_t, class Period = std::milli>
  bool join(std::chrono::duration<Rep, Period> timeout = forever) {
    return detail::check_or(mproc_pool_join(h_.get(), detail::to_ms(timeout)), MPROC_ETIMEDOUT);
  }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_pool_t* native() const noexcept { return h_.get(); }

 private:
  template <class Item, class Start>
  Imap start_imap(const std::string& task, const std::vector<Item>& inputs, size_t chunksize,
                  Start start) {
    std::vector<const void*> data;
    std::vector<size_t> lens;
    data.reserve(inputs.size());
    lens.reserve(inputs.size());
    for (const Item& item : inputs) {
      std::string_view bytes(item);
      data.push_back(bytes.data());
      lens.push_back(bytes.size());
    }
    mproc_map_opts_t* raw = nullptr;
    detail::check(mproc_map_opts_new(&raw));
    detail::Handle<mproc_map_opts_t, mproc_map_opts_free> opts(raw);
    detail::check(mproc_map_opts_set_chunksize(raw, chunksize));
    mproc_imap_t* it = nullptr;
    detail::check(start(h_.get(), task.c_str(), data.data(), lens.data(), inputs.size(), raw, &it));
    return Imap(it);
  }
  detail::Handle<mproc_pool_t, mproc_pool_free> h_;
};

}  // namespace mproc

#include <mproc/shared_containers.hpp>
#include <mproc/net.hpp>

#endif  // C++17
#endif  // MPROC_MPROC_HPP
