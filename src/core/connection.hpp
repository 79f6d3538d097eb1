// One end of a message channel over a Unix stream socket pair: each message
// is a 4-byte length and its bytes. Sends and receives run on the calling
// thread with plain system calls (no reactor hop); receives read ahead into
// a buffer so that many small messages cost one read.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/message.hpp"
#include "core/shareable.hpp"
#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

class Connection : public Shareable {
 public:
  static std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
  make_pair(bool duplex);

  Connection(platform::UniqueFd fd, bool readable, bool writable);

  // 0 once sent, MPROC_ETIMEDOUT if no room in time. Throws other errors.
  int send(const void* data, size_t len, const platform::Deadline& deadline);
  // 0 with *out set, MPROC_ETIMEDOUT, or MPROC_EOF. Throws other errors.
  int recv(mproc_msg_s** out, const platform::Deadline& deadline);
  // As recv into a caller buffer; MPROC_ETOOBIG (message kept) when `cap`
  // is short. *len gets the message size whenever it is known.
  int recv_into(void* buf, size_t cap, size_t* len,
                const platform::Deadline& deadline);
  // 0 when a receive would not block, MPROC_ETIMEDOUT otherwise.
  int poll(const platform::Deadline& deadline);
  void close() noexcept;
  int fileno() const;
  bool readable() const noexcept { return readable_; }
  bool writable() const noexcept { return writable_; }

  int arg_type() const noexcept override;
  void encode(WireWriter& out, std::vector<int>& fds) const override;
  static std::shared_ptr<Connection> decode(WireReader& in, ReceivedFds& fds);

 private:
  void check_open(const char* op) const;
  int recv_locked(mproc_msg_s** out, const platform::Deadline& deadline);
  // Makes sure the buffer holds a complete message; returns its length, or
  // a negative MPROC_ETIMEDOUT / MPROC_EOF.
  int64_t fill_message(const platform::Deadline& deadline);
  // Reads into the buffer once; 0 on progress, MPROC_EOF, or
  // MPROC_ETIMEDOUT when nothing arrived before the deadline.
  int read_some(const platform::Deadline& deadline);
  size_t buffered() const noexcept { return end_ - start_; }
  void consume(size_t n) noexcept;

  platform::UniqueFd fd_;
  const bool readable_;
  const bool writable_;
  std::atomic<bool> closed_{false};

  std::mutex send_mu_;
  bool send_broken_ = false;

  std::mutex recv_mu_;
  std::vector<unsigned char> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace mproc::core
