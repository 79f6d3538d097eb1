/// @file mproc/net.hpp
/// @brief The C++ face of mproc/authkey.h, mproc/listener.h and
/// mproc/wait.h (included by mproc.hpp).
///
/// @code
/// mproc::Listener server("tcp:127.0.0.1:0");        // the process's authkey
/// mproc::Connection c = mproc::connect(server.address());
/// mproc::Connection s = server.accept();
/// c.send("hello");  s.recv();
///
/// mproc::WaitSet w;
/// size_t a = w.add(server), b = w.add(queue);
/// for (size_t slot : w.wait(std::chrono::seconds(1))) ...
/// @endcode
///
/// Errors throw mproc::Error with the C call's code and message (the codes
/// each call can give are listed at the C function it names); a peer that
/// failed to authenticate is Error(MPROC_EAUTH) from accept, and the
/// listener goes on. Process-wide effects: each Listener runs one helper
/// thread from its construction to its close (mproc/listener.h); nothing
/// here touches signals. Objects are movable, not copyable, and as
/// thread-safe as the C handles they own.
#ifndef MPROC_NET_HPP
#define MPROC_NET_HPP

#include <mproc/mproc.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mproc {

/// This process's authentication key (mproc_authkey_get): made on first use
/// in a main process, inherited by children. Never blocks.
/// @return a copy of the key's bytes.
inline std::string authkey() {
  size_t len = 0;
  int rc = mproc_authkey_get(nullptr, 0, &len);
  if (rc != MPROC_ETOOBIG) detail::check(rc);
  std::string key(len, '\0');
  detail::check(mproc_authkey_get(&key[0], key.size(), &len));
  return key;
}
/// Sets this process's key (mproc_authkey_set) for listeners and clients
/// made from now on, and for children started from now on.
/// @param key the key's bytes, copied; empty or over MPROC_AUTHKEY_MAX
///            bytes throws Error(MPROC_EINVAL).
inline void set_authkey(std::string_view key) {
  detail::check(mproc_authkey_set(key.data(), key.size()));
}

/// Settings of a listener or a client (mproc_net_opts_t); defaults as the
/// C API's. Each setter throws Error(MPROC_EINVAL) for a value its C
/// setter refuses (mproc/listener.h), and returns these options for
/// chaining.
class NetOptions {
 public:
  /// Options with every default (mproc_net_opts_new).
  NetOptions() {
    mproc_net_opts_t* raw = nullptr;
    detail::check(mproc_net_opts_new(&raw));
    h_.reset(raw);
  }
  /// The key to authenticate with instead of the process's
  /// (mproc_net_opts_set_authkey).
  /// @param key the key's bytes, copied.
  /// @return these options.
  NetOptions& authkey(std::string_view key) {
    detail::check(mproc_net_opts_set_authkey(h_.get(), key.data(), key.size()));
    return *this;
  }
  /// No handshake at all (Python's authkey=None): anyone who can reach
  /// the address gets a connection (mproc_net_opts_set_no_auth).
  /// @param on true to skip the handshake.
  /// @return these options.
  NetOptions& no_auth(bool on = true) {
    detail::check(mproc_net_opts_set_no_auth(h_.get(), on ? 1 : 0));
    return *this;
  }
  /// The longest a peer may take over the handshake
  /// (mproc_net_opts_set_handshake_timeout).
  /// @param t the limit; negative: none; zero throws Error(MPROC_EINVAL).
  /// @return these options.
  template <class Rep, class Period>
  NetOptions& handshake_timeout(std::chrono::duration<Rep, Period> t) {
    detail::check(mproc_net_opts_set_handshake_timeout(h_.get(), detail::to_ms(t)));
    return *this;
  }
  /// Whether HMAC-MD5 answers (Python 3.11 and older) are accepted
  /// (mproc_net_opts_set_accept_md5).
  /// @param on true to accept them.
  /// @return these options.
  NetOptions& accept_md5(bool on) {
    detail::check(mproc_net_opts_set_accept_md5(h_.get(), on ? 1 : 0));
    return *this;
  }
  /// The kernel's queue of connections not taken yet
  /// (mproc_net_opts_set_backlog).
  /// @param n at least 1.
  /// @return these options.
  NetOptions& backlog(int n) {
    detail::check(mproc_net_opts_set_backlog(h_.get(), n));
    return *this;
  }
  /// The most connections a listener holds at once in its handshake or
  /// waiting for accept (mproc_net_opts_set_max_pending).
  /// @param n 1 to 1024.
  /// @return these options.
  NetOptions& max_pending(size_t n) {
    detail::check(mproc_net_opts_set_max_pending(h_.get(), n));
    return *this;
  }
  /// The largest message the connections send or accept
  /// (mproc_net_opts_set_max_message).
  /// @param bytes at least 1.
  /// @return these options.
  NetOptions& max_message(size_t bytes) {
    detail::check(mproc_net_opts_set_max_message(h_.get(), bytes));
    return *this;
  }
  /// Buffers sends in this process up to `bytes`; they go at the next
  /// receive or poll, a flush, or close (mproc_net_opts_set_send_buffer:
  /// flush before waiting on another connection).
  /// @param bytes the buffer's size; 0: none.
  /// @return these options.
  NetOptions& send_buffer(size_t bytes) {
    detail::check(mproc_net_opts_set_send_buffer(h_.get(), bytes));
    return *this;
  }
  /// Whether accept reports a peer that failed to authenticate as
  /// Error(MPROC_EAUTH) (mproc_net_opts_set_report_failures).
  /// @param on true to report them; false skips them silently.
  /// @return these options.
  NetOptions& report_failures(bool on) {
    detail::check(mproc_net_opts_set_report_failures(h_.get(), on ? 1 : 0));
    return *this;
  }
  /// The C options, for the C calls that read them.
  /// @return the handle, owned by this object.
  const mproc_net_opts_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_net_opts_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_net_opts_t, mproc_net_opts_free> h_;
};

/// Python's multiprocessing.connection.Listener (mproc_listener_t). Freeing
/// it closes it.
class Listener {
 public:
  /// Listens (mproc_listener_new); starts the listener's helper thread.
  /// Throws Error (MPROC_EINVAL for a malformed address, MPROC_EADDRINUSE,
  /// ...).
  /// @param address an address as mproc/listener.h spells them; empty: a
  ///                private one of the library's choosing.
  /// @param options the settings, copied.
  explicit Listener(const std::string& address = {}, const NetOptions& options = NetOptions()) {
    mproc_listener_t* raw = nullptr;
    detail::check(mproc_listener_new(&raw, address.empty() ? nullptr : address.c_str(),
                                     options.get()));
    h_.reset(raw);
  }
  /// The next authenticated connection, waiting without limit. Throws
  /// Error(MPROC_EAUTH) for a peer that failed (call again for the next
  /// one), Error(MPROC_ECLOSED) once closed.
  /// @return the connection, the caller's.
  Connection accept() {
    mproc_conn_t* c = nullptr;
    detail::check(mproc_listener_accept(h_.get(), &c, MPROC_FOREVER));
    return Connection(c);
  }
  /// accept, waiting at most `timeout`.
  /// @param timeout how long to wait; negative: no limit.
  /// @return the connection, or nothing when none came in time.
  template <class Rep, class Period>
  std::optional<Connection> try_accept(std::chrono::duration<Rep, Period> timeout) {
    mproc_conn_t* c = nullptr;
    if (!detail::check_or(mproc_listener_accept(h_.get(), &c, detail::to_ms(timeout)),
                          MPROC_ETIMEDOUT))
      return std::nullopt;
    return Connection(c);
  }
  /// The address clients connect to, with the port the system chose for
  /// port 0 (mproc_listener_address).
  /// @return a copy of the address.
  std::string address() const {
    const char* a = nullptr;
    detail::check(mproc_listener_address(h_.get(), &a));
    return a;
  }
  /// A descriptor readable while a connection waits for accept
  /// (mproc_listener_fileno); the listener's: never close it.
  /// @return the descriptor; throws Error(MPROC_ECLOSED) once closed.
  int fileno() const {
    int fd = -1;
    detail::check(mproc_listener_fileno(h_.get(), &fd));
    return fd;
  }
  /// Stops listening and ends the helper thread (mproc_listener_close);
  /// waiting accepts then throw Error(MPROC_ECLOSED).
  void close() { detail::check(mproc_listener_close(h_.get())); }
  /// The C handle (as native()).
  /// @return the handle, owned by this object.
  mproc_listener_t* get() const noexcept { return h_.get(); }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_listener_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_listener_t, mproc_listener_free> h_;
};

/// Python's multiprocessing.connection.Client (mproc_conn_connect): blocks
/// until connected and authenticated, or `timeout`. Throws Error
/// (MPROC_ECONNREFUSED, MPROC_EAUTH, MPROC_ETIMEDOUT, MPROC_EINVAL for a
/// malformed address, ...).
/// @param address the listener's address.
/// @param options the settings, read during the call.
/// @param timeout the longest to wait; negative: no limit.
/// @return the connection, the caller's.
template <class Rep = int64_t, class Period = std::milli>
Connection connect(const std::string& address, const NetOptions& options = NetOptions(),
                   std::chrono::duration<Rep, Period> timeout = std::chrono::seconds(30)) {
  mproc_conn_t* c = nullptr;
  detail::check(mproc_conn_connect(&c, address.c_str(), options.get(), detail::to_ms(timeout)));
  return Connection(c);
}

/// Python's multiprocessing.connection.wait, as a reusable set
/// (mproc_waitset_t). The objects added must outlive their membership.
/// Each add returns the member's slot; add throws Error as its C call
/// (mproc/wait.h): MPROC_ESTATE for a process not started,
/// MPROC_ECLOSED for a closed listener, MPROC_EINVAL for a connection's
/// send-only end.
class WaitSet {
 public:
  /// An empty set (mproc_waitset_new).
  WaitSet() {
    mproc_waitset_t* raw = nullptr;
    detail::check(mproc_waitset_new(&raw));
    h_.reset(raw);
  }
  /// Adds a connection end: ready when a receive would not block.
  /// @param c the connection.
  /// @return its slot.
  size_t add(Connection& c) { return slot(mproc_waitset_add_conn(h_.get(), c.get(), &last_)); }
  /// Adds a listener: ready when accept would not block.
  /// @param l the listener.
  /// @return its slot.
  size_t add(Listener& l) { return slot(mproc_waitset_add_listener(h_.get(), l.get(), &last_)); }
  /// Adds a started process: ready once it ended.
  /// @param p the process.
  /// @return its slot.
  size_t add(Process& p) { return slot(mproc_waitset_add_process(h_.get(), p.get(), &last_)); }
  /// Adds a queue: ready while it holds a message or is closed.
  /// @param q the queue.
  /// @return its slot.
  size_t add(Queue& q) { return slot(mproc_waitset_add_queue(h_.get(), q.get_handle(), &last_)); }
  /// Adds a descriptor: ready when readable. It stays the caller's.
  /// @param fd the descriptor.
  /// @return its slot.
  size_t add_fd(int fd) { return slot(mproc_waitset_add_fd(h_.get(), fd, &last_)); }
  /// Removes a member; throws Error(MPROC_EINVAL) for a slot not in use.
  /// @param slot the slot add returned.
  void remove(size_t slot) {
    detail::check(mproc_waitset_remove(h_.get(), slot));
    --members_;
  }
  /// Waits until at least one member is ready; blocks up to `timeout`.
  /// Throws Error(MPROC_EINVAL) for an empty set.
  /// @param timeout how long to wait; negative or forever: no limit.
  /// @return the ready slots, in order; empty when the timeout passed
  ///         first.
  template <class Rep = int64_t, class Period = std::milli>
  std::vector<size_t> wait(std::chrono::duration<Rep, Period> timeout = forever) {
    std::vector<size_t> ready(members_);
    size_t count = 0;
    if (!detail::check_or(mproc_waitset_wait(h_.get(), detail::to_ms(timeout), ready.data(),
                                             ready.size(), &count),
                          MPROC_ETIMEDOUT))
      return {};
    ready.resize(count);
    return ready;
  }
  /// The C handle, to fall back to the C API (mproc/*.h); it stays owned
  /// by this object: never free it, and do not use it after this object is
  /// gone.
  /// @return the handle, or null for an object moved from.
  mproc_waitset_t* native() const noexcept { return h_.get(); }

 private:
  size_t slot(int rc) {
    detail::check(rc);
    ++members_;
    return last_;
  }
  detail::Handle<mproc_waitset_t, mproc_waitset_free> h_;
  size_t last_ = 0;
  size_t members_ = 0;
};

}  // namespace mproc

#endif  // MPROC_NET_HPP
