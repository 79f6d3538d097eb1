// mproc/net.hpp: the C++ face of mproc/authkey.h, mproc/listener.h and
// mproc/wait.h, included by mproc.hpp.
//
//   mproc::Listener server("tcp:127.0.0.1:0");        // the process's authkey
//   mproc::Connection c = mproc::connect(server.address());
//   mproc::Connection s = server.accept();
//   c.send("hello");  s.recv();
//
//   mproc::WaitSet w;
//   size_t a = w.add(server), b = w.add(queue);
//   for (size_t slot : w.wait(std::chrono::seconds(1))) ...
//
// Errors throw mproc::Error; a peer that failed to authenticate is
// Error(MPROC_EAUTH) from accept, and the listener goes on.
#ifndef MPROC_NET_HPP
#define MPROC_NET_HPP

#include <mproc/mproc.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mproc {

// This process's authentication key (made on first use in a main
// process; inherited by children).
inline std::string authkey() {
  size_t len = 0;
  int rc = mproc_authkey_get(nullptr, 0, &len);
  if (rc != MPROC_ETOOBIG) detail::check(rc);
  std::string key(len, '\0');
  detail::check(mproc_authkey_get(&key[0], key.size(), &len));
  return key;
}
inline void set_authkey(std::string_view key) {
  detail::check(mproc_authkey_set(key.data(), key.size()));
}

// Settings of a listener or a client (mproc_net_opts_t); defaults as the C
// API's.
class NetOptions {
 public:
  NetOptions() {
    mproc_net_opts_t* raw = nullptr;
    detail::check(mproc_net_opts_new(&raw));
    h_.reset(raw);
  }
  NetOptions& authkey(std::string_view key) {
    detail::check(mproc_net_opts_set_authkey(h_.get(), key.data(), key.size()));
    return *this;
  }
  NetOptions& no_auth(bool on = true) {
    detail::check(mproc_net_opts_set_no_auth(h_.get(), on ? 1 : 0));
    return *this;
  }
  template <class Rep, class Period>
  NetOptions& handshake_timeout(std::chrono::duration<Rep, Period> t) {
    detail::check(mproc_net_opts_set_handshake_timeout(h_.get(), detail::to_ms(t)));
    return *this;
  }
  NetOptions& accept_md5(bool on) {
    detail::check(mproc_net_opts_set_accept_md5(h_.get(), on ? 1 : 0));
    return *this;
  }
  NetOptions& backlog(int n) {
    detail::check(mproc_net_opts_set_backlog(h_.get(), n));
    return *this;
  }
  NetOptions& max_pending(size_t n) {
    detail::check(mproc_net_opts_set_max_pending(h_.get(), n));
    return *this;
  }
  NetOptions& max_message(size_t bytes) {
    detail::check(mproc_net_opts_set_max_message(h_.get(), bytes));
    return *this;
  }
  NetOptions& send_buffer(size_t bytes) {
    detail::check(mproc_net_opts_set_send_buffer(h_.get(), bytes));
    return *this;
  }
  NetOptions& report_failures(bool on) {
    detail::check(mproc_net_opts_set_report_failures(h_.get(), on ? 1 : 0));
    return *this;
  }
  const mproc_net_opts_t* get() const noexcept { return h_.get(); }
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
  mproc_net_opts_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_net_opts_t, mproc_net_opts_free> h_;
};

// Python's multiprocessing.connection.Listener. An empty address: a
// private one of the library's choosing.
class Listener {
 public:
  explicit Listener(const std::string& address = {}, const NetOptions& options = NetOptions()) {
    mproc_listener_t* raw = nullptr;
    detail::check(mproc_listener_new(&raw, address.empty() ? nullptr : address.c_str(),
                                     options.get()));
    h_.reset(raw);
  }
  // The next authenticated connection; throws Error(MPROC_EAUTH) for a
  // peer that failed (call again for the next one).
  Connection accept() {
    mproc_conn_t* c = nullptr;
    detail::check(mproc_listener_accept(h_.get(), &c, MPROC_FOREVER));
    return Connection(c);
  }
  template <class Rep, class Period>
  std::optional<Connection> try_accept(std::chrono::duration<Rep, Period> timeout) {
    mproc_conn_t* c = nullptr;
    if (!detail::check_or(mproc_listener_accept(h_.get(), &c, detail::to_ms(timeout)),
                          MPROC_ETIMEDOUT))
      return std::nullopt;
    return Connection(c);
  }
  std::string address() const {
    const char* a = nullptr;
    detail::check(mproc_listener_address(h_.get(), &a));
    return a;
  }
  int fileno() const {
    int fd = -1;
    detail::check(mproc_listener_fileno(h_.get(), &fd));
    return fd;
  }
  void close() { detail::check(mproc_listener_close(h_.get())); }
  mproc_listener_t* get() const noexcept { return h_.get(); }
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
  mproc_listener_t* native() const noexcept { return h_.get(); }

 private:
  detail::Handle<mproc_listener_t, mproc_listener_free> h_;
};

// Python's multiprocessing.connection.Client.
template <class Rep = int64_t, class Period = std::milli>
Connection connect(const std::string& address, const NetOptions& options = NetOptions(),
                   std::chrono::duration<Rep, Period> timeout = std::chrono::seconds(30)) {
  mproc_conn_t* c = nullptr;
  detail::check(mproc_conn_connect(&c, address.c_str(), options.get(), detail::to_ms(timeout)));
  return Connection(c);
}

// Python's multiprocessing.connection.wait, as a reusable set.
class WaitSet {
 public:
  WaitSet() {
    mproc_waitset_t* raw = nullptr;
    detail::check(mproc_waitset_new(&raw));
    h_.reset(raw);
  }
  size_t add(Connection& c) { return slot(mproc_waitset_add_conn(h_.get(), c.get(), &last_)); }
  size_t add(Listener& l) { return slot(mproc_waitset_add_listener(h_.get(), l.get(), &last_)); }
  size_t add(Process& p) { return slot(mproc_waitset_add_process(h_.get(), p.get(), &last_)); }
  size_t add(Queue& q) { return slot(mproc_waitset_add_queue(h_.get(), q.get_handle(), &last_)); }
  size_t add_fd(int fd) { return slot(mproc_waitset_add_fd(h_.get(), fd, &last_)); }
  void remove(size_t slot) {
    detail::check(mproc_waitset_remove(h_.get(), slot));
    --members_;
  }
  // The ready slots, in order; empty when the timeout passed first.
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
  // The C handle, to fall back to the C API (mproc/*.h); it stays owned
  // by this object: never free it, and do not use it after this object is
  // gone.
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
