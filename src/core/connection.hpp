// One end of a message channel over a stream socket (a socket pair, or a
// socket of a Listener or Client): each message is framed as Python's
// multiprocessing.connection frames it (core/frame.hpp). Sends and receives run on the calling
// thread with plain system calls (no reactor hop); receives read ahead into
// a buffer so that many small messages cost one read.
//
// No lock is held across a wait. Each direction has a turn (writing_,
// reading_): the thread whose turn it is does the I/O and waits on the
// socket without the lock; the others wait on a condition variable. The
// locks themselves are held only for steps that never wait, and are
// ForkSafeMutexes: a fork child finds them free whatever the parent's
// threads were doing, and drops the turns of those threads (which do not
// exist there) on its first use of the end.
//
// A message still arriving when a receive's deadline passes stays with the
// connection, part-read, and the next receive (from any thread) goes on
// with it: a timeout loses nothing and leaves the stream on its message
// boundaries.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/message.hpp"
#include "core/shareable.hpp"
#include "platform/deadline.hpp"
#include "platform/fd.hpp"
#include "platform/fork_safe_mutex.hpp"

namespace mproc::core {

class Connection : public Shareable {
 public:
  static std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
  make_pair(bool duplex);

  Connection(platform::UniqueFd fd, bool readable, bool writable);
  ~Connection() override;

  // 0 once sent, MPROC_ETIMEDOUT if no room in time. Throws other errors.
  int send(const void* data, size_t len, const platform::Deadline& deadline);
  // 0 with *out set, MPROC_ETIMEDOUT, or MPROC_EOF. Throws other errors.
  int recv(mproc_msg_s** out, const platform::Deadline& deadline);
  // As recv into a caller buffer; MPROC_ETOOBIG (message kept) when `cap`
  // is short. *len gets the message size whenever it is known.
  int recv_into(void* buf, size_t cap, size_t* len,
                const platform::Deadline& deadline);
  // 0 when a receive would not block (a whole message, the end of the
  // stream or a broken stream is there), MPROC_ETIMEDOUT otherwise.
  int poll(const platform::Deadline& deadline);
  void close() noexcept;
  int fileno() const;
  bool readable() const noexcept { return readable_; }
  bool writable() const noexcept { return writable_; }
  // The largest message this end sends or accepts (MPROC_CONN_MAX_MESSAGE
  // unless set). A longer one arriving breaks the receiving side: ETOOBIG
  // from then on, and nothing of it is kept (memory stays bounded against
  // a peer that announces gigabytes).
  void set_max_message(uint64_t max) noexcept { max_message_.store(max); }
  // Buffering of sends (0: none, the default): messages gather in this
  // process until `bytes` would be exceeded, a receive or poll on this end,
  // flush() or close; then they go in one write. Not for an end shared
  // with a child: what is buffered is this process's to send.
  void set_send_buffer(size_t bytes);
  // 0, or MPROC_ETIMEDOUT with nothing lost (still buffered).
  int flush(const platform::Deadline& deadline);
  uint64_t max_message() const noexcept { return max_message_.load(); }

  int arg_type() const noexcept override;
  void encode(WireWriter& out, std::vector<int>& fds) const override;
  static std::shared_ptr<Connection> decode(WireReader& in, ReceivedFds& fds);

 private:
  using Lock = std::unique_lock<std::mutex>;
  // How far one pass of reading got.
  enum class Pass { kComplete, kDry, kMore, kEnd };

  void check_open(const char* op) const;
  bool take_send_turn(Lock& lock, const platform::Deadline& deadline);
  int write_locked(Lock& lock, const void* header, size_t header_len, const void* data,
                   size_t len, const platform::Deadline& deadline);
  int flush_locked(Lock& lock, const void* head, size_t head_len, const void* body,
                   size_t body_len, const platform::Deadline& deadline);
  void flush_before_waiting(const platform::Deadline& deadline);
  // A fork child drops the turns and waiters of the parent's threads.
  void refresh_send_after_fork(const Lock& held);
  void refresh_recv_after_fork(const Lock& held);

  // Receiving; the caller holds recv_mu_ (through `lock`). Waits until the
  // front message is whole: 0, or MPROC_ETOOBIG once its size (*size) is
  // over `cap`, MPROC_EOF, kBroken (recv_error_), MPROC_ETIMEDOUT.
  int await_front(Lock& lock, const platform::Deadline& deadline, size_t cap,
                  size_t* size);
  // Reads what has arrived, without waiting, up to a bounded amount.
  Pass read_available();
  // The front message's size, when its header is in; a bad one breaks the
  // stream (recv_error_) and counts as unknown.
  void break_stream(int code, std::string why);
  [[noreturn]] void fail_broken() const;
  bool front_size(size_t* size);
  bool front_complete();
  // Moves the front message, part-arrived and too big for the read-ahead
  // buffer, into its own allocation, where the rest is read straight in.
  void start_partial(size_t size);
  // Takes bytes a waiting read got into the (empty) read-ahead buffer.
  void absorb(const unsigned char* data, size_t n);
  void grow_partial();
  mproc_msg_s* take_front(size_t size);
  void copy_front(void* buf, size_t size);
  size_t buffered() const noexcept { return end_ - start_; }
  void consume(size_t n) noexcept;

  platform::UniqueFd fd_;
  const bool readable_;
  const bool writable_;
  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> max_message_;

  // Guarded by send_mu_.
  platform::ForkSafeMutex send_mu_;
  std::condition_variable send_cv_;
  uint64_t send_generation_;
  bool writing_ = false;
  int send_waiters_ = 0;
  std::string send_error_;  // set once this end can no longer send
  size_t send_buffer_ = 0;  // set_send_buffer's size
  std::string pending_;     // buffered messages, framed
  std::atomic<bool> buffered_{false};  // pending_ is not empty (read without the lock)
  // Whether the thread whose turn it is has sent part of its message; read
  // by a fork child, written without the lock.
  std::atomic<bool> send_begun_{false};

  // Guarded by recv_mu_.
  platform::ForkSafeMutex recv_mu_;
  std::condition_variable recv_cv_;
  uint64_t recv_generation_;
  bool reading_ = false;
  int recv_waiters_ = 0;
  bool eof_ = false;
  std::string recv_error_;  // set once the stream is broken
  int recv_error_code_ = 0;  // and its code (ECORRUPT, ETOOBIG)
  size_t front_header_ = 0;  // the front message's header size, once known
  std::vector<unsigned char> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
  mproc_msg_s* partial_ = nullptr;  // the front message, when read straight in
  size_t partial_got_ = 0;
  size_t partial_cap_ = 0;  // bytes allocated for it so far
};

}  // namespace mproc::core
