#include "core/net/listener.hpp"

#include <mproc/common.h>

#include <algorithm>
#include <new>
#include <vector>

#include "core/authkey.hpp"
#include "core/net/handshake.hpp"
#include "core/net/handshake_io.hpp"
#include "core/net/net_address.hpp"
#include "platform/error.hpp"
#include "platform/fork_registry.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// After the listening socket itself fails (out of descriptors, say), the
// thread waits this long before it tries again, instead of spinning on a
// socket that stays readable.
constexpr int64_t kAcceptPauseNs = 100 * 1000 * 1000;

}  // namespace

std::string key_of(const NetOptions& options) {
  return options.authkey.empty() ? current_authkey() : options.authkey;
}

struct Listener::Pending {
  platform::UniqueFd fd;
  std::string peer;
  std::unique_ptr<Handshake> handshake;
  HandshakeWait wait = HandshakeWait::kRead;
  int64_t deadline_ns = 0;
};

Listener::Listener(const std::string* address, NetOptions options)
    : options_(std::move(options)), generation_(platform::fork_generation()) {
  if (!options_.no_auth) key_ = key_of(options_);
  try {
    platform::NetAddress wanted = address != nullptr ? parse_net_address(*address)
                                                     : platform::private_listen_address(&cleanup_);
    platform::NetAddress bound;
    listen_fd_ = platform::listen_on(wanted, options_.backlog, &bound, &cleanup_);
    address_ = format_net_address(bound);
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    listen_fd_.reset();
    platform::remove_listen_files(cleanup_);
    throw;
  }
}

Listener::~Listener() {
  if (here()) {
    close();
    return;
  }
  // A fork child's copy: the thread object names a thread of the parent's,
  // the locks may be held by it, and the socket file is the parent's.
  new (&thread_) std::thread();
  cleanup_ = platform::ListenCleanup{};
}

bool Listener::here() const noexcept { return generation_ == platform::fork_generation(); }

void Listener::check_here() const {
  if (!here())
    fail(MPROC_ECLOSED, "listener " + address_ +
                            ": it belongs to the process that made it, not to this fork child");
}

void Listener::close() {
  check_here();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    cv_.notify_all();
  }
  wake_.set();
  if (thread_.joinable()) thread_.join();
  std::deque<Result> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(results_);
  }
  left.clear();  // connections accepted but never taken close here
  listen_fd_.reset();
  platform::remove_listen_files(cleanup_);
  ready_.set();  // a loop watching fileno() wakes and finds ECLOSED
}

int Listener::fileno() const {
  check_here();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) fail(MPROC_ECLOSED, "listener " + address_ + ": closed");
  return ready_.fd();
}

bool Listener::ready_now() {
  if (!here()) return true;  // a call answers at once: ECLOSED
  std::lock_guard<std::mutex> lock(mu_);
  return closed_ || !results_.empty();
}

int Listener::accept(std::shared_ptr<Connection>* out, std::string* why,
                     const Deadline& deadline) {
  check_here();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (closed_) return MPROC_ECLOSED;
    if (!results_.empty()) {
      Result r = std::move(results_.front());
      results_.pop_front();
      if (results_.empty() && !thread_done_) ready_.clear();
      if (r.conn) {
        *out = std::move(r.conn);
        wake_.set();  // room for the thread to take another
        return 0;
      }
      *why = std::move(r.why);
      // A fatal failure of the listening socket stays for every caller.
      if (thread_done_) results_.push_front(Result{nullptr, r.code, *why});
      return r.code;
    }
    if (deadline.expired()) return MPROC_ETIMEDOUT;
    if (deadline.forever()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, std::chrono::steady_clock::time_point(
                               std::chrono::nanoseconds(deadline.at_ns())));
    }
  }
}

void Listener::publish(Result r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!r.conn) {
    size_t kept = 0;
    for (const Result& x : results_) kept += x.conn ? 0 : 1;
    // Failures are reported, not hoarded: beyond max_pending of them, the
    // oldest are what the program hears about and the rest are dropped.
    if (!options_.report_failures || kept >= options_.max_pending) return;
  }
  results_.push_back(std::move(r));
  ready_.set();
  cv_.notify_all();
}

void Listener::run() noexcept {
  try {
    serve();
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mu_);
    thread_done_ = true;
    int code = MPROC_EINTERNAL;
    if (auto* err = dynamic_cast<const Error*>(&e)) code = err->code();
    results_.push_back(Result{nullptr, code, "listener " + address_ + " stopped: " + e.what()});
    ready_.set();
    cv_.notify_all();
  }
}

void Listener::serve() {
  std::vector<std::unique_ptr<Pending>> pending;
  std::vector<platform::FdWait> items;
  int64_t paused_until = 0;
  const bool auth = !options_.no_auth;

  auto finish = [&](Pending& p, const std::string& why_failed) {
    if (why_failed.empty()) {
      auto conn = std::make_shared<Connection>(std::move(p.fd), true, true);
      conn->set_max_message(options_.max_message);
      conn->set_send_buffer(options_.send_buffer);
      publish(Result{std::move(conn), 0, {}});
    } else {
      publish(Result{nullptr, MPROC_EAUTH,
                     "listener " + address_ + ": " + p.peer + " failed to authenticate: " +
                         why_failed});
    }
  };

  for (;;) {
    size_t waiting;
    wake_.clear();  // before looking: a wake-up after this is not lost
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      waiting = 0;
      for (const Result& r : results_) waiting += r.conn ? 1 : 0;
    }
    int64_t now = platform::monotonic_ns();
    bool take_new = pending.size() + waiting < options_.max_pending && now >= paused_until;

    items.clear();
    items.push_back({wake_.fd(), platform::IoWant::kRead, false});
    size_t first_pending = 1;
    if (take_new) {
      items.push_back({listen_fd_.get(), platform::IoWant::kRead, false});
      first_pending = 2;
    }
    int64_t wake_ns = now < paused_until ? paused_until : INT64_MAX;
    for (const auto& p : pending) {
      items.push_back({p->fd.get(),
                       p->wait == HandshakeWait::kWrite ? platform::IoWant::kWrite
                                                        : platform::IoWant::kRead,
                       false});
      wake_ns = std::min(wake_ns, p->deadline_ns);
    }
    platform::wait_any(items.data(), items.size(),
                       wake_ns == INT64_MAX ? Deadline::never() : Deadline::at(wake_ns));
    if (items[0].ready) continue;  // closed, or room: the top of the loop says

    now = platform::monotonic_ns();
    std::vector<std::unique_ptr<Pending>> still;
    for (size_t i = 0; i < pending.size(); ++i) {
      Pending& p = *pending[i];
      if (items[first_pending + i].ready) p.wait = advance_handshake(*p.handshake, p.fd.get());
      if (p.handshake->done()) {
        finish(p, {});
      } else if (p.handshake->failed()) {
        finish(p, p.handshake->failure());
      } else if (now >= p.deadline_ns) {
        finish(p, "the handshake did not finish within " +
                      std::to_string(options_.handshake_timeout_ms) + " ms");
      } else {
        still.push_back(std::move(pending[i]));
      }
    }
    pending.swap(still);

    if (!take_new || !items[1].ready) continue;
    try {
      while (pending.size() + waiting < options_.max_pending) {
        auto p = std::make_unique<Pending>();
        if (!platform::accept_nowait(listen_fd_.get(), &p->fd, &p->peer)) break;
        if (!auth) {
          finish(*p, {});
          ++waiting;
          continue;
        }
        p->handshake = std::make_unique<Handshake>(Handshake::Role::kListener, key_,
                                                   options_.accept_md5);
        p->deadline_ns = Deadline::after_ms(options_.handshake_timeout_ms).at_ns();
        // The challenge goes now; a quick peer may even finish at once.
        p->wait = advance_handshake(*p->handshake, p->fd.get());
        if (p->handshake->done() || p->handshake->failed()) {
          finish(*p, p->handshake->failure());
          continue;
        }
        pending.push_back(std::move(p));
      }
    } catch (const Error& e) {
      // The listening socket failed (EMFILE, ENFILE, ENOMEM): the program
      // hears of it from accept; the thread goes on after a pause.
      publish(Result{nullptr, e.code(), "listener " + address_ + ": " + e.what()});
      paused_until = platform::monotonic_ns() + kAcceptPauseNs;
    }
  }
}

}  // namespace mproc::core
