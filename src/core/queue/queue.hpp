// Queue: the multi-producer multi-consumer message queue of
// mproc/queue.h, over the layout of queue_layout.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/message.hpp"
#include "core/queue/queue_watch.hpp"
#include "core/queue/queue_layout.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

// One piece of a message put in several parts.
struct Part {
  const void* data;
  size_t len;
};

// The largest ring a queue may have.
inline constexpr uint64_t kMaxQueueCapacity = uint64_t{1} << 32;

struct QueueOptions {
  uint64_t maxsize = 0;
  uint64_t capacity = uint64_t{1} << 30;
  SharedOptions shared;
};

class Queue : public SharedObject {
 public:
  static std::shared_ptr<Queue> create(const QueueOptions& options);
  static std::shared_ptr<Queue> open(const std::string& name);
  static std::shared_ptr<Queue> decode(WireReader& in, ReceivedFds& fds);
  explicit Queue(std::shared_ptr<SharedRegion> region);
  ~Queue() override;

  // 0, MPROC_EFULL, MPROC_ECLOSED, MPROC_ETOOBIG, MPROC_ECORRUPT; throws
  // MPROC_ENOSPC / MPROC_ENOMEM (with how much room there was) when the
  // ring's next pages can not be backed: nothing is put, nothing is lost.
  int put(const void* data, size_t len, const platform::Deadline& deadline) {
    Part part{data, len};
    return put_parts(&part, 1, deadline);
  }
  // Puts one message made of `count` parts, copied in order.
  int put_parts(const Part* parts, size_t count, const platform::Deadline& deadline);
  // 0 with *out, MPROC_EEMPTY, MPROC_ECLOSED, MPROC_ECORRUPT.
  int get(mproc_msg_s** out, const platform::Deadline& deadline);
  // As get into `buf`; MPROC_ETOOBIG (kept) when `cap` < *len.
  int get_into(void* buf, size_t cap, size_t* len, const platform::Deadline& deadline);

  uint64_t qsize() const noexcept;
  // How many messages were ever taken (committed gets).
  uint64_t taken() const noexcept { return s_.get_count.load(std::memory_order_acquire); }
  // The same, exact even when a consumer died between moving the head and
  // counting the get: it takes the consumers' lock, which settles that.
  // MPROC_ETIMEDOUT if the lock could not be had by the deadline.
  int taken_settled(uint64_t* out, const platform::Deadline& deadline);
  bool full() const noexcept;
  void close();
  bool closed() const noexcept { return s_.closed.load(std::memory_order_acquire) != 0; }
  // 0, or MPROC_ESTATE when more tasks are done than were taken.
  int task_done();
  // 0, or MPROC_ETIMEDOUT.
  int join(const platform::Deadline& deadline);

  uint64_t capacity() const noexcept { return capacity_; }
  uint64_t maxsize() const noexcept { return maxsize_; }
  uint64_t max_message() const noexcept { return capacity_ / 2 - kRecordHeader; }
  int arg_type() const noexcept override;

  // A descriptor readable while the queue holds a message or is closed
  // (core/queue/queue_watch.hpp): the first call starts the watch, which
  // lasts as long as this object.
  int fileno();
  // For QueueWatch: the positions now; one sleep until they may have moved
  // (or `stop` is set: watch_wake then ends the sleep); the process-shared
  // count of watchers; waking every sleeper.
  void watch_positions(uint64_t* head, uint64_t* tail) const noexcept;
  void watch_wait(uint64_t head, uint64_t tail, const std::atomic<bool>& stop);
  void watch_count(int delta) noexcept;
  void watch_wake() noexcept;

 private:
  // What a locked attempt found.
  enum class Attempt { kDone, kNoRoom, kNoSpace, kEmpty, kTooSmall, kCorrupt };
  // Where the next message lies, for a consumer holding head_lock.
  struct Found {
    uint64_t record_at;  // position of its header (past any WRAP)
    uint32_t size;
  };

  // Why the ring's next pages could not be backed (ENOSPC / ENOMEM).
  struct SpaceError {
    int code = 0;
    std::string message;
  };
  Attempt try_put_locked(const Part* parts, size_t count, size_t len, SpaceError* space);
  // Backs the ring's first `end` bytes with pages (see SharedMapping::reserve).
  bool reserve_ring_locked(uint64_t end, SpaceError* space);
  Attempt find_locked(Found* found);
  void commit_get_locked(const Found& found);
  int lock_side(OwnedLockState& lock, bool producer, const platform::Deadline& deadline);
  void recover(bool producer);
  // Sleeps until `word` leaves `seen` or the queue closes; false on timeout.
  bool wait_change(std::atomic<uint64_t>& watched, uint64_t seen,
                   std::atomic<uint32_t>& seq, std::atomic<uint32_t>& waiting,
                   platform::WaitCell& cell, const platform::Deadline& deadline);
  template <class Copy>
  int take(const platform::Deadline& deadline, Copy copy);

  void* at(uint64_t position) const noexcept {
    return ring_ + (position & (capacity_ - 1));
  }

  QueueState& s_;
  // Read once from shared memory and checked: the ring's geometry is never
  // taken from a peer again.
  uint64_t capacity_;
  uint64_t maxsize_;
  unsigned char* ring_;
  uint64_t data_offset_;
  // How much of the ring, from its start, this process has made sure is
  // backed by pages (under tail_lock). Kept per process, never read from
  // shared memory: a peer can not talk us into writing where no page is.
  uint64_t reserved_ = 0;
  // This process's gets in a row that found a small message without
  // waiting (see take).
  std::atomic<uint32_t> quick_small_gets_{0};
  std::mutex watch_mu_;
  // Last, so that it stops before anything else of the queue goes.
  std::unique_ptr<QueueWatch> watch_;
};

}  // namespace mproc::core
