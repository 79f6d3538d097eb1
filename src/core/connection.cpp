#include "core/connection.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include <mproc/args.h>
#include <mproc/connection.h>

#include "core/frame.hpp"
#include "platform/fork_registry.hpp"
#include "platform/pipes.hpp"
#include "platform/stream_io.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// What await_front returns when the stream is broken (recv_error_).
constexpr int kBroken = 1;
// Read-ahead size: large enough that a stream of small messages costs one
// read per many messages.
constexpr size_t kReadChunk = 64 * 1024;
// Messages at least this big are read straight into their own allocation
// instead of through the read-ahead buffer.
constexpr size_t kDirectThreshold = 256 * 1024;
// What a receive that waits in the read itself takes in that read; the
// rest of a longer message follows without waiting.
constexpr size_t kFirstRead = 16 * 1024;
// How long closing waits for buffered messages to find room.
constexpr int64_t kCloseFlushMs = 10000;
// The first allocation of such a message, when it is bigger still.
constexpr size_t kFirstPartial = 1024 * 1024;
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
      max_message_(MPROC_CONN_MAX_MESSAGE),
      send_generation_(platform::fork_generation()),
      recv_generation_(platform::fork_generation()) {}

Connection::~Connection() {
  close();  // sends what is buffered
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
  // Buffered messages are the parent's to send: sent from here too, they
  // would arrive twice.
  pending_.clear();
  buffered_.store(false, std::memory_order_relaxed);
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

void Connection::flush_before_waiting(const Deadline& deadline) {
  // A reply can only come to what was sent: buffered requests go first.
  if (buffered_.load(std::memory_order_relaxed) && flush(deadline) == MPROC_ETIMEDOUT)
    fail(MPROC_ETIMEDOUT, "connection: the buffered messages could not be sent in time");
}

void Connection::close() noexcept {
  if (buffered_.load(std::memory_order_relaxed)) {
    try {
      (void)flush(Deadline::after_ms(kCloseFlushMs));
    } catch (...) {
      // Gone or broken: what was buffered can not go anywhere.
    }
  }
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

// Waits (without the lock) for no other thread to be sending; throws once
// this end can not send. False at the deadline.
bool Connection::take_send_turn(Lock& lock, const Deadline& deadline) {
  refresh_send_after_fork(lock);
  for (;;) {
    check_open("send");
    if (!send_error_.empty()) fail(MPROC_ESTATE, send_error_);
    if (!writing_) return true;
    if (!wait_for_turn(lock, send_cv_, send_waiters_, deadline)) return false;
  }
}

int Connection::send(const void* data, size_t len, const Deadline& deadline) {
  if (!writable_) fail(MPROC_ENOTSUP, "connection: this end only receives");
  if (len > max_message())
    fail(MPROC_ETOOBIG, "connection: message of " + std::to_string(len) +
                            " bytes exceeds the connection's limit of " +
                            std::to_string(max_message()) + " bytes");
  Lock lock(send_mu_.native());
  if (!take_send_turn(lock, deadline)) return MPROC_ETIMEDOUT;
  unsigned char header[kFrameLongHeader];
  const size_t header_len = frame_header(len, header);
  if (send_buffer_ == 0) return write_locked(lock, header, header_len, data, len, deadline);
  if (pending_.size() + header_len + len <= send_buffer_) {
    pending_.append(reinterpret_cast<const char*>(header), header_len);
    if (len > 0) pending_.append(static_cast<const char*>(data), len);
    buffered_.store(true, std::memory_order_relaxed);
    return 0;
  }
  return flush_locked(lock, header, header_len, data, len, deadline);
}

void Connection::set_send_buffer(size_t bytes) {
  Lock lock(send_mu_.native());
  send_buffer_ = bytes;
}

int Connection::flush(const Deadline& deadline) {
  if (!buffered_.load(std::memory_order_relaxed)) return 0;
  Lock lock(send_mu_.native());
  if (!take_send_turn(lock, deadline)) return MPROC_ETIMEDOUT;
  return flush_locked(lock, nullptr, 0, nullptr, 0, deadline);
}

// Sends the buffered messages and then one more (head+body; none when
// both are empty): together, in one write, when the one fits the buffer.
// If nothing of the buffered ones went by the deadline they stay buffered
// (nothing is lost) and the new one is not sent.
int Connection::flush_locked(Lock& lock, const void* head, size_t head_len, const void* body,
                             size_t body_len, const Deadline& deadline) {
  std::string batch;
  batch.swap(pending_);
  buffered_.store(false, std::memory_order_relaxed);
  const size_t frame = head_len + body_len;
  const bool joined = frame <= send_buffer_;
  if (joined) {
    batch.append(static_cast<const char*>(head), head_len);
    if (body_len > 0) batch.append(static_cast<const char*>(body), body_len);
  }
  if (!batch.empty()) {
    int rc = write_locked(lock, nullptr, 0, batch.data(), batch.size(), deadline);
    if (rc == MPROC_ETIMEDOUT && send_error_.empty()) {
      // Nothing went (a part would have broken the end): the turn kept
      // everyone else out, so the buffer is as it was.
      batch.resize(batch.size() - (joined ? frame : 0));
      pending_.swap(batch);
      buffered_.store(!pending_.empty(), std::memory_order_relaxed);
    }
    if (rc != 0) return rc;
  }
  if (joined) return 0;
  return write_locked(lock, head, head_len, body, body_len, deadline);
}

// Writes head+body as one unit; the caller holds the lock and the turn is
// free. Returns with the lock held: 0, or MPROC_ETIMEDOUT.
int Connection::write_locked(Lock& lock, const void* header, size_t header_len,
                             const void* data, size_t len, const Deadline& deadline) {
  const size_t total = header_len + len;
  // Most messages go at once, under the lock.
  size_t sent = platform::send_nowait(fd_.get(), header, header_len, data, len, 0);
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
      sent += platform::send_nowait(fd_.get(), header, header_len, data, len, sent);
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

void Connection::break_stream(int code, std::string why) {
  if (!recv_error_.empty()) return;
  recv_error_ = std::move(why);
  recv_error_code_ = code;
}

void Connection::fail_broken() const { fail(recv_error_code_, recv_error_); }

bool Connection::front_size(size_t* size) {
  if (partial_ != nullptr) {
    *size = partial_->size;
    return true;
  }
  if (!recv_error_.empty()) return false;
  uint64_t len = 0;
  size_t header = 0;
  FrameHeader got = parse_frame_header(buf_.data() + start_, buffered(), &len, &header);
  if (got == FrameHeader::kIncomplete) return false;
  if (got == FrameHeader::kBad) {
    break_stream(MPROC_ECORRUPT, "connection: the stream holds a bad message length");
    return false;
  }
  if (len > max_message()) {
    // Nothing of it is read: a peer announcing gigabytes gets no memory.
    break_stream(MPROC_ETOOBIG, "connection: the peer sent a message of " +
                                    std::to_string(len) + " bytes, over this connection's "
                                    "limit of " + std::to_string(max_message()) +
                                    "; the stream can not be read further");
    return false;
  }
  front_header_ = header;
  *size = static_cast<size_t>(len);
  return true;
}

bool Connection::front_complete() {
  if (partial_ != nullptr) return partial_got_ == partial_->size;
  size_t size;
  return front_size(&size) && buffered() - front_header_ >= size;
}

void Connection::start_partial(size_t size) {
  size_t have = buffered() - front_header_;  // less than size: not complete
  // Memory follows the bytes that actually arrive (doubling), not the size
  // the peer announced: a peer that says 2 GiB and sends nothing gets a
  // megabyte.
  size_t cap = std::min(size, std::max(2 * have, kFirstPartial));
  mproc_msg_s* m = message_alloc(cap);
  m->size = size;
  std::memcpy(m->data(), buf_.data() + start_ + front_header_, have);
  consume(front_header_ + have);
  partial_ = m;
  partial_got_ = have;
  partial_cap_ = cap;
}

void Connection::grow_partial() {
  size_t cap = std::min(partial_->size, partial_cap_ * 2);
  void* bigger = std::realloc(partial_->bytes, cap);
  if (bigger == nullptr) throw std::bad_alloc();
  partial_->bytes = static_cast<unsigned char*>(bigger);
  partial_cap_ = cap;
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
      if (partial_got_ == partial_cap_) grow_partial();
      into = partial_->data() + partial_got_;
      room = partial_cap_ - partial_got_;
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
    if (!recv_error_.empty()) return kBroken;
    if (eof_) {
      if (partial_ == nullptr && buffered() == 0) return MPROC_EOF;
      break_stream(MPROC_ECORRUPT, "connection: the peer closed in the middle of a message");
      return kBroken;
    }
    if (reading_ && !turn.mine) {
      if (!wait_for_turn(lock, recv_cv_, recv_waiters_, deadline)) return MPROC_ETIMEDOUT;
      continue;
    }
    // With nothing read ahead and no deadline, the wait is the read itself
    // (one system call, where a look, a poll and a read are three: a
    // request/reply exchange costs what a plain socket's costs).
    bool wait_in_read = deadline.forever() && buffered() == 0 && partial_ == nullptr;
    Pass pass = wait_in_read ? Pass::kDry : read_available();
    if (pass == Pass::kComplete || pass == Pass::kEnd) continue;
    // What arrived so far stays: the next receive goes on from there.
    if (deadline.expired()) return MPROC_ETIMEDOUT;
    turn.mine = reading_ = true;
    lock.unlock();
    bool ready = true;
    unsigned char first[kFirstRead];
    std::ptrdiff_t got = platform::kNothingYet;
    try {
      if (wait_in_read) {
        got = platform::recv_wait(fd_.get(), first, sizeof first);
        // A descriptor someone made non-blocking: wait the usual way.
        if (got == platform::kNothingYet) ready = platform::wait_readable(fd_.get(), deadline);
      } else if (pass == Pass::kDry) {
        ready = platform::wait_readable(fd_.get(), deadline);
      } else {
        std::this_thread::yield();  // more is there: a moment for a fork or a close
      }
    } catch (...) {
      lock.lock();
      throw;
    }
    lock.lock();
    if (got == 0) eof_ = true;
    if (got > 0) absorb(first, static_cast<size_t>(got));
    if (!ready) return MPROC_ETIMEDOUT;
  }
}

void Connection::absorb(const unsigned char* data, size_t n) {
  // Only the thread holding the turn reads, so the buffer is still empty.
  if (buf_.size() < n) buf_.resize(std::max(n, kReadChunk));
  std::memcpy(buf_.data(), data, n);
  start_ = 0;
  end_ = n;
}

mproc_msg_s* Connection::take_front(size_t size) {
  if (partial_ != nullptr) {
    mproc_msg_s* m = partial_;
    partial_ = nullptr;
    partial_got_ = 0;
    return m;
  }
  mproc_msg_s* m = message_alloc(size);
  if (size > 0) std::memcpy(m->data(), buf_.data() + start_ + front_header_, size);
  consume(front_header_ + size);
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
  if (size > 0) std::memcpy(buf, buf_.data() + start_ + front_header_, size);
  consume(front_header_ + size);
}

int Connection::recv(mproc_msg_s** out, const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  flush_before_waiting(deadline);
  Lock lock(recv_mu_.native());
  refresh_recv_after_fork(lock);
  size_t size = 0;
  int rc = await_front(lock, deadline, SIZE_MAX, &size);
  if (rc == kBroken) fail_broken();
  if (rc != 0) return rc;
  *out = take_front(size);
  return 0;
}

int Connection::recv_into(void* buf, size_t cap, size_t* len, const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  flush_before_waiting(deadline);
  Lock lock(recv_mu_.native());
  refresh_recv_after_fork(lock);
  size_t size = 0;
  int rc = await_front(lock, deadline, cap, &size);
  if (rc == kBroken) fail_broken();
  if (rc == 0 || rc == MPROC_ETOOBIG) *len = size;
  if (rc != 0) return rc;
  copy_front(buf, size);
  return 0;
}

int Connection::poll(const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  flush_before_waiting(deadline);
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
