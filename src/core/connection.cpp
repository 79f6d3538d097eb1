#include "core/connection.hpp"

#include <chrono>
#include <cstring>
#include <new>
#include <thread>

#include <mproc/args.h>
#include <mproc/connection.h>

#include "platform/fork_registry.hpp"
#include "platform/pipes.hpp"
#include "platform/stream_io.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr size_t kHeader = 4;
// Read-ahead size: large enough that a stream of small messages costs one
// read per many messages.
constexpr size_t kReadChunk = 64 * 1024;
// Messages at least this big are read straight into their own allocation
// instead of through the read-ahead buffer.
constexpr size_t kDirectThreshold = 256 * 1024;
// The most one pass reads before it lets go of the lock for a moment (so a
// fork or a close is not held up by a long message streaming in) and looks
// at the deadline again.
constexpr size_t kPassBytes = 1024 * 1024;

// Waits on `cv` (the lock released meanwhile) for another thread's turn to
// end. False once the deadline has passed; true otherwise, spurious
// wake-ups included: the caller looks again.
bool wait_for_turn(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                   int& waiters, const Deadline& deadline) {
  if (deadline.expired()) return false;
  ++waiters;
  if (deadline.forever()) {
    cv.wait(lock);
  } else {
    // steady_clock is CLOCK_MONOTONIC, the deadline's clock.
    cv.wait_until(lock, std::chrono::steady_clock::time_point(
                            std::chrono::nanoseconds(deadline.at_ns())));
  }
  --waiters;
  return true;
}

}  // namespace

std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
Connection::make_pair(bool duplex) {
  platform::UniqueFd a, b;
  platform::make_socket_pair(&a, &b);  // both ends close-on-exec
  auto first = std::make_shared<Connection>(std::move(a), true, duplex);
  auto second = std::make_shared<Connection>(std::move(b), duplex, true);
  return {std::move(first), std::move(second)};
}

Connection::Connection(platform::UniqueFd fd, bool readable, bool writable)
    : fd_(std::move(fd)),
      readable_(readable),
      writable_(writable),
      send_generation_(platform::fork_generation()),
      recv_generation_(platform::fork_generation()) {}

Connection::~Connection() {
  if (partial_ != nullptr) message_free(partial_);
}

void Connection::check_open(const char* op) const {
  if (closed_.load(std::memory_order_acquire))
    fail(MPROC_ECLOSED, std::string("connection: ") + op + " on a closed connection");
}

int Connection::fileno() const {
  check_open("fileno");
  return fd_.get();
}

// A fork child has only the forking thread: a turn, or a wait, that the
// copied state shows belongs to a thread of the parent's. The condition
// variables are made anew, as one copied with waiters in it can swallow a
// wake-up meant for a waiter here.
void Connection::refresh_send_after_fork(const Lock&) {
  uint64_t generation = platform::fork_generation();
  if (send_generation_ == generation) return;
  send_generation_ = generation;
  // The parent's thread goes on with its message in the parent; anything
  // sent from here would land in the middle of it.
  if (writing_ && send_begun_.load(std::memory_order_relaxed) && send_error_.empty())
    send_error_ =
        "connection: another thread was part-way through sending a message when this "
        "process was forked; the parent sends the rest, so this end can no longer send here";
  writing_ = false;
  send_begun_.store(false, std::memory_order_relaxed);
  send_waiters_ = 0;
  new (&send_cv_) std::condition_variable;
}

void Connection::refresh_recv_after_fork(const Lock&) {
  uint64_t generation = platform::fork_generation();
  if (recv_generation_ == generation) return;
  recv_generation_ = generation;
  reading_ = false;
  recv_waiters_ = 0;
  new (&recv_cv_) std::condition_variable;
}

void Connection::close() noexcept {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return;
  // Waiters wake up to find the end closed. A thread in its turn is using
  // the descriptor: it then stays until the handle is freed; otherwise it
  // goes now and the peer sees end of file. No thread takes a turn from
  // here on (each looks at closed_ first).
  bool idle;
  {
    Lock lock(send_mu_.native());
    refresh_send_after_fork(lock);
    idle = !writing_;
    send_cv_.notify_all();
  }
  {
    Lock lock(recv_mu_.native());
    refresh_recv_after_fork(lock);
    idle = idle && !reading_;
    recv_cv_.notify_all();
  }
  if (idle) fd_.reset();
}

int Connection::send(const void* data, size_t len, const Deadline& deadline) {
  if (!writable_) fail(MPROC_ENOTSUP, "connection: this end only receives");
  if (len > MPROC_CONN_MAX_MESSAGE)
    fail(MPROC_ETOOBIG, "connection: message of " + std::to_string(len) +
                            " bytes exceeds the limit of 2 GiB - 1");
  Lock lock(send_mu_.native());
  refresh_send_after_fork(lock);
  for (;;) {
    check_open("send");
    if (!send_error_.empty()) fail(MPROC_ESTATE, send_error_);
    if (!writing_) break;
    if (!wait_for_turn(lock, send_cv_, send_waiters_, deadline)) return MPROC_ETIMEDOUT;
  }
  const uint32_t header = static_cast<uint32_t>(len);
  const size_t total = kHeader + len;
  // Most messages go at once, under the lock.
  size_t sent = platform::send_nowait(fd_.get(), &header, kHeader, data, len, 0);
  if (sent == total) return 0;

  // The rest waits for room. This thread takes the turn, so no other
  // message is sent into the middle of this one, and waits without the lock.
  writing_ = true;
  send_begun_.store(sent > 0, std::memory_order_relaxed);
  auto end_turn = [&] {
    writing_ = false;
    send_begun_.store(false, std::memory_order_relaxed);
    if (sent > 0 && sent < total && send_error_.empty())
      send_error_ = "connection: an earlier send stopped mid-message (it timed out or "
                    "failed); this end can no longer send";
    if (send_waiters_ > 0) send_cv_.notify_all();
  };
  lock.unlock();
  try {
    while (sent < total) {
      if (!platform::wait_writable(fd_.get(), deadline)) break;
      // Said before the bytes go: a child forked meanwhile at worst
      // refuses to send needlessly, never sends into this message.
      send_begun_.store(true, std::memory_order_relaxed);
      sent += platform::send_nowait(fd_.get(), &header, kHeader, data, len, sent);
    }
  } catch (...) {
    lock.lock();
    end_turn();
    throw;
  }
  lock.lock();
  end_turn();
  return sent == total ? 0 : MPROC_ETIMEDOUT;
}

void Connection::consume(size_t n) noexcept {
  start_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

bool Connection::front_size(size_t* size) {
  if (partial_ != nullptr) {
    *size = partial_->size;
    return true;
  }
  if (buffered() < kHeader) return false;
  uint32_t len;
  std::memcpy(&len, buf_.data() + start_, kHeader);
  if (len > MPROC_CONN_MAX_MESSAGE) {
    if (recv_error_.empty())
      recv_error_ = "connection: the stream holds a bad message length (" +
                    std::to_string(len) + " bytes)";
    return false;
  }
  *size = len;
  return true;
}

bool Connection::front_complete() {
  if (partial_ != nullptr) return partial_got_ == partial_->size;
  size_t size;
  return front_size(&size) && buffered() - kHeader >= size;
}

void Connection::start_partial(size_t size) {
  mproc_msg_s* m = message_alloc(size);
  size_t have = buffered() - kHeader;  // less than size: not complete
  std::memcpy(m->data(), buf_.data() + start_ + kHeader, have);
  consume(kHeader + have);
  partial_ = m;
  partial_got_ = have;
}

Connection::Pass Connection::read_available() {
  size_t budget = kPassBytes;
  for (;;) {
    size_t size = 0;
    bool known = front_size(&size);
    if (!recv_error_.empty()) return Pass::kEnd;
    if (known) {
      if (front_complete()) return Pass::kComplete;
      if (partial_ == nullptr && size >= kDirectThreshold) start_partial(size);
    }
    if (budget == 0) return Pass::kMore;
    unsigned char* into;
    size_t room;
    if (partial_ != nullptr) {
      into = partial_->data() + partial_got_;
      room = partial_->size - partial_got_;
    } else {
      if (buf_.size() - end_ < kReadChunk) {
        // Slide what is buffered to the front before growing.
        if (start_ > 0) {
          std::memmove(buf_.data(), buf_.data() + start_, buffered());
          end_ -= start_;
          start_ = 0;
        }
        if (buf_.size() - end_ < kReadChunk) buf_.resize(end_ + kReadChunk);
      }
      into = buf_.data() + end_;
      room = buf_.size() - end_;
    }
    if (room > budget) room = budget;
    std::ptrdiff_t n = platform::recv_nowait(fd_.get(), into, room);
    if (n == platform::kNothingYet) return Pass::kDry;
    if (n == 0) {
      eof_ = true;
      return Pass::kEnd;
    }
    if (partial_ != nullptr) {
      partial_got_ += static_cast<size_t>(n);
    } else {
      end_ += static_cast<size_t>(n);
    }
    budget -= static_cast<size_t>(n);
  }
}

int Connection::await_front(Lock& lock, const Deadline& deadline, size_t cap, size_t* size) {
  // Whether this thread has the turn: it alone reads the socket or waits on
  // it, so nobody sleeps in poll while the message it wants sits in the
  // buffer, read ahead by another. Ended, and the waiters told, however
  // this function leaves (always with the lock held).
  struct Turn {
    Connection* c;
    bool mine = false;
    ~Turn() {
      if (!mine) return;
      c->reading_ = false;
      if (c->recv_waiters_ > 0) c->recv_cv_.notify_all();
    }
  } turn{this};
  for (;;) {
    check_open("receive");
    if (front_size(size)) {
      if (*size > cap) return MPROC_ETOOBIG;
      if (front_complete()) return 0;
    }
    if (!recv_error_.empty()) return MPROC_ECORRUPT;
    if (eof_) {
      if (partial_ == nullptr && buffered() == 0) return MPROC_EOF;
      recv_error_ = "connection: the peer closed in the middle of a message";
      return MPROC_ECORRUPT;
    }
    if (reading_ && !turn.mine) {
      if (!wait_for_turn(lock, recv_cv_, recv_waiters_, deadline)) return MPROC_ETIMEDOUT;
      continue;
    }
    Pass pass = read_available();
    if (pass == Pass::kComplete || pass == Pass::kEnd) continue;
    // What arrived so far stays: the next receive goes on from there.
    if (deadline.expired()) return MPROC_ETIMEDOUT;
    turn.mine = reading_ = true;
    lock.unlock();
    bool ready = true;
    try {
      if (pass == Pass::kDry) {
        ready = platform::wait_readable(fd_.get(), deadline);
      } else {
        std::this_thread::yield();  // more is there: a moment for a fork or a close
      }
    } catch (...) {
      lock.lock();
      throw;
    }
    lock.lock();
    if (!ready) return MPROC_ETIMEDOUT;
  }
}

mproc_msg_s* Connection::take_front(size_t size) {
  if (partial_ != nullptr) {
    mproc_msg_s* m = partial_;
    partial_ = nullptr;
    partial_got_ = 0;
    return m;
  }
  mproc_msg_s* m = message_alloc(size);
  if (size > 0) std::memcpy(m->data(), buf_.data() + start_ + kHeader, size);
  consume(kHeader + size);
  return m;
}

void Connection::copy_front(void* buf, size_t size) {
  if (partial_ != nullptr) {
    std::memcpy(buf, partial_->data(), size);
    message_free(partial_);
    partial_ = nullptr;
    partial_got_ = 0;
    return;
  }
  if (size > 0) std::memcpy(buf, buf_.data() + start_ + kHeader, size);
  consume(kHeader + size);
}

int Connection::recv(mproc_msg_s** out, const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  Lock lock(recv_mu_.native());
  refresh_recv_after_fork(lock);
  size_t size = 0;
  int rc = await_front(lock, deadline, SIZE_MAX, &size);
  if (rc == MPROC_ECORRUPT) fail(MPROC_ECORRUPT, recv_error_);
  if (rc != 0) return rc;
  *out = take_front(size);
  return 0;
}

int Connection::recv_into(void* buf, size_t cap, size_t* len, const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  Lock lock(recv_mu_.native());
  refresh_recv_after_fork(lock);
  size_t size = 0;
  int rc = await_front(lock, deadline, cap, &size);
  if (rc == MPROC_ECORRUPT) fail(MPROC_ECORRUPT, recv_error_);
  if (rc == 0 || rc == MPROC_ETOOBIG) *len = size;
  if (rc != 0) return rc;
  copy_front(buf, size);
  return 0;
}

int Connection::poll(const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  Lock lock(recv_mu_.native());
  refresh_recv_after_fork(lock);
  size_t size = 0;
  int rc = await_front(lock, deadline, SIZE_MAX, &size);
  // A message, the end of the stream or a broken stream: a receive answers
  // at once.
  return rc == MPROC_ETIMEDOUT ? MPROC_ETIMEDOUT : 0;
}

int Connection::arg_type() const noexcept { return MPROC_ARG_CONN; }

void Connection::encode(WireWriter& out, std::vector<int>& fds) const {
  check_open("pass to a child");
  encode_fd(out, fds, fd_.get());
  out.u8(readable_ ? 1 : 0);
  out.u8(writable_ ? 1 : 0);
}

std::shared_ptr<Connection> Connection::decode(WireReader& in, ReceivedFds& fds) {
  platform::UniqueFd fd = fds.take(in.u32());
  bool readable = in.u8() != 0;
  bool writable = in.u8() != 0;
  return std::make_shared<Connection>(std::move(fd), readable, writable);
}

}  // namespace mproc::core
