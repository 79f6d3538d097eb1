#include "core/queue/queue.hpp"

#include <mproc/args.h>


#include <algorithm>
#include <cstring>
#include <string>

#include "core/fault.hpp"
#include "platform/error.hpp"
#include "platform/sysinfo.hpp"
#include "platform/tsan.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr int64_t kSpinNs = 50000;
// How long a consumer that has just drained a stream holds off before
// looking for the next message (see take).
constexpr int64_t kStreamGapNs = 2000;
constexpr uint32_t kStreamRun = 4;
constexpr uint32_t kStreamMessageMax = 512;
// A put or get that must not block (timeout 0) still gives a side lock
// held by a live peer this long, spinning, before it answers EFULL/EEMPTY:
// a holder keeps the lock for a fraction of a microsecond, so a lock seen
// busy is nearly always free again within this, and "0 never blocks" holds
// (a dead holder is seen at once: the kernel marks its lock).
constexpr int64_t kLockGraceNs = 100 * 1000;

Deadline lock_deadline(const Deadline& deadline) {
  return deadline.immediate() ? Deadline::after_ns(kLockGraceNs) : deadline;
}
// A producer this far into the ring goes back to its beginning as soon as
// what is queued fits below its current offset. The part of the ring in use
// then follows the backlog instead of sweeping the whole capacity: pages
// stay resident and warm in cache, and a large queue costs only what its
// backlog needs.
constexpr uint64_t kRewindAt = 256 * 1024;

size_t page_size() { return platform::page_size(); }

uint64_t round_up_pow2(uint64_t v) {
  uint64_t p = 4096;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

std::shared_ptr<Queue> Queue::create(const QueueOptions& options) {
  // Record headers hold sizes in 32 bits; a ring of at most 4 GiB keeps
  // every message (at most half of it) and every wrap padding (less than
  // all of it) within them.
  if (options.capacity == 0 || options.capacity > kMaxQueueCapacity)
    fail(MPROC_EINVAL, "queue: capacity must be between 1 byte and 4 GiB");
  uint64_t capacity = round_up_pow2(options.capacity);
  size_t data_offset = page_size();
  static_assert(kStateOffset + sizeof(QueueState) <= 4096);
  // Only the state page is backed now; the ring is backed as the backlog
  // reaches it (reserve_ring_locked), so a large capacity costs nothing
  // until used and a small /dev/shm fails a put cleanly instead of with
  // SIGBUS.
  auto region = SharedRegion::create(ObjectKind::kQueue, data_offset + capacity,
                                     options.shared, data_offset);
  auto& s = region->state<QueueState>();
  s.capacity = capacity;
  s.maxsize = options.maxsize;
  s.data_offset = data_offset;
  s.closed.store(0, std::memory_order_relaxed);
  owned_lock_init(s.tail_lock);
  owned_lock_init(s.head_lock);
  platform::wait_cell_init(s.not_empty_cell);
  platform::wait_cell_init(s.not_full_cell);
  platform::wait_cell_init(s.done_cell);
  region->publish();
  return std::make_shared<Queue>(std::move(region));
}

std::shared_ptr<Queue> Queue::open(const std::string& name) {
  return std::make_shared<Queue>(SharedRegion::open(name, ObjectKind::kQueue));
}

std::shared_ptr<Queue> Queue::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<Queue>(SharedRegion::decode(in, fds, ObjectKind::kQueue));
}

Queue::Queue(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<QueueState>()) {
  capacity_ = s_.capacity;
  maxsize_ = s_.maxsize;
  uint64_t data_offset = s_.data_offset;
  uint64_t region_size = this->region()->size();
  bool pow2 = capacity_ >= 4096 && (capacity_ & (capacity_ - 1)) == 0;
  if (!pow2 || data_offset < kStateOffset + sizeof(QueueState) || data_offset % 8 != 0 ||
      data_offset > region_size || capacity_ > region_size - data_offset)
    fail(MPROC_ECORRUPT, "queue: its recorded geometry does not fit its memory");
  ring_ = static_cast<unsigned char*>(this->region()->base()) + data_offset;
  data_offset_ = data_offset;
  this->region()->keep_while_held(&s_.tail_lock.word);
  this->region()->keep_while_held(&s_.head_lock.word);
}

bool Queue::reserve_ring_locked(uint64_t end, SpaceError* space) {
  constexpr uint64_t kFirstStep = 64 * 1024;
  uint64_t page = page_size();
  uint64_t wanted = (end + page - 1) / page * page;
  // Grow geometrically so a filling ring costs few system calls, but
  // settle for exactly what this put needs when room is short.
  uint64_t ample = std::max({wanted, reserved_ * 2, kFirstStep});
  if (ample > capacity_) ample = capacity_;
  for (uint64_t target : {ample, wanted}) {
    if (target <= reserved_) continue;
    space->code = region()->reserve(data_offset_ + reserved_, target - reserved_,
                                    &space->message);
    if (space->code == 0) {
      reserved_ = target;
      return true;
    }
  }
  return reserved_ >= end;
}

int Queue::arg_type() const noexcept { return MPROC_ARG_QUEUE; }

// ---- Locking and recovery ---------------------------------------------------

void Queue::recover(bool producer) {
  // The previous holder died inside its critical section. Before its
  // commit it changed nothing anyone reads; after it, only the counter may
  // lag, and the intent says what it should be.
  if (producer) {
    if (s_.tail.load(std::memory_order_relaxed) == s_.put_intent.position)
      s_.put_count.store(s_.put_intent.count, std::memory_order_release);
  } else {
    if (s_.head.load(std::memory_order_relaxed) == s_.get_intent.position)
      s_.get_count.store(s_.get_intent.count, std::memory_order_release);
  }
}

int Queue::lock_side(OwnedLockState& lock, bool producer, const Deadline& deadline) {
  int rc = owned_lock_acquire(lock, deadline);
  if (rc == MPROC_EOWNERDEAD) {
    recover(producer);
    rc = 0;
  }
  return rc;
}

bool Queue::wait_change(std::atomic<uint64_t>& watched, uint64_t seen,
                        std::atomic<uint32_t>& seq, std::atomic<uint32_t>& waiting,
                        platform::WaitCell& cell, const Deadline& deadline) {
  auto changed = [&] { return watched.load(std::memory_order_acquire) != seen || closed(); };
  if (platform::spin_until(changed, kSpinNs)) return true;
  uint32_t s = seq.load(std::memory_order_acquire);
  waiting.fetch_add(1, std::memory_order_seq_cst);
  bool in_time = true;
  // Counted as waiting before the last look: whoever changes `watched`
  // afterwards sees the count and wakes us. The changer stores `watched`
  // (or `closed`) and then loads the count, all seq_cst; this side adds to
  // the count and then loads `watched` and `closed`, seq_cst too. In the
  // single order of those four, one side sees the other's store. (A fence
  // would do the same, but ThreadSanitizer does not model fences.)
  bool changed_now = watched.load(std::memory_order_seq_cst) != seen ||
                     s_.closed.load(std::memory_order_seq_cst) != 0;
  if (!changed_now) in_time = platform::wait_on(cell, seq, s, deadline) || !deadline.expired();
  waiting.fetch_sub(1, std::memory_order_relaxed);
  return in_time;
}

int Queue::taken_settled(uint64_t* out, const Deadline& deadline) {
  int rc = lock_side(s_.head_lock, false, deadline);
  if (rc != 0) return rc;
  *out = s_.get_count.load(std::memory_order_acquire);
  owned_lock_release(s_.head_lock);
  return 0;
}

// ---- Put --------------------------------------------------------------------

Queue::Attempt Queue::try_put_locked(const Part* parts, size_t count_parts, size_t len,
                                     SpaceError* space) {
  uint64_t t = s_.tail.load(std::memory_order_relaxed);
  // A peer can write the tail: off the 8-byte grid, the record (or its
  // WRAP header) would reach past the ring's end.
  if (t % 8 != 0) return Attempt::kCorrupt;
  uint64_t need = record_size(len);
  uint64_t off = t & (capacity_ - 1);
  uint64_t pad = off + need > capacity_ ? capacity_ - off : 0;
  uint64_t count = s_.put_count.load(std::memory_order_relaxed);

  auto room = [&] {
    uint64_t used = t - s_.seen_head;
    bool bytes_ok = used <= capacity_ && pad + need <= capacity_ - used;
    bool items_ok = maxsize_ == 0 || count - s_.seen_taken < maxsize_;
    return bytes_ok && items_ok;
  };
  // Past kRewindAt, look now and then (every kRewindAt bytes) whether the
  // backlog is small enough to start again at the ring's beginning.
  bool look_for_rewind = pad == 0 && off >= kRewindAt && t >= s_.rewind_check_at;
  if (!room() || look_for_rewind) {
    s_.seen_head = s_.head.load(std::memory_order_acquire);
    s_.seen_taken = s_.get_count.load(std::memory_order_acquire);
    if (t - s_.seen_head > capacity_ || s_.seen_head % 8 != 0) return Attempt::kCorrupt;
    if (look_for_rewind) {
      s_.rewind_check_at = t + kRewindAt;
      // Padding to the end of the ring counts as used until consumed, so
      // this is room() with pad = capacity - off.
      if ((t - s_.seen_head) + need <= off) pad = capacity_ - off;
    }
    if (!room()) return Attempt::kNoRoom;
  }
  // The bytes written below: a WRAP header at `off` and the record at the
  // ring's start, or the record at `off`.
  uint64_t end = pad > 0 ? std::max(off + kRecordHeader, need) : off + need;
  if (end > reserved_ && !reserve_ring_locked(end, space)) {
    // No pages to grow into: start again at the ring's beginning, which
    // is backed already, if what is queued fits below this offset.
    s_.seen_head = s_.head.load(std::memory_order_acquire);
    bool fits_below = pad == 0 && t - s_.seen_head <= capacity_ && (t - s_.seen_head) + need <= off;
    if (!fits_below || std::max(off + kRecordHeader, need) > reserved_) return Attempt::kNoSpace;
    pad = capacity_ - off;
  }

  // The room judged above may come from seen_head, which a producer in
  // another process refreshed: the consumer's release of these bytes (its
  // commit of head) is ordered before this by that process's acquire,
  // which ThreadSanitizer can not see.
  platform::tsan_acquire(&s_.head);
  if (pad > 0) {
    auto* wrap = static_cast<RecordHeader*>(at(t));
    wrap->size = static_cast<uint32_t>(pad);
    wrap->tag = kWrapTag;
    fault_step(FaultSite::kQueuePutStep, QueuePutStep::kWrapWritten);
  }
  uint64_t record = t + pad;
  auto* header = static_cast<RecordHeader*>(at(record));
  header->size = static_cast<uint32_t>(len);
  header->tag = kMessageTag;
  fault_step(FaultSite::kQueuePutStep, QueuePutStep::kHeaderWritten);
  auto* out = reinterpret_cast<unsigned char*>(header + 1);
  for (size_t i = 0; i < count_parts; ++i) {
    if (parts[i].len > 0) std::memcpy(out, parts[i].data, parts[i].len);
    out += parts[i].len;
  }
  fault_step(FaultSite::kQueuePutStep, QueuePutStep::kPayloadWritten);

  uint64_t new_tail = record + need;
  s_.put_intent = {new_tail, count + 1};
  fault_step(FaultSite::kQueuePutStep, QueuePutStep::kIntentWritten);
  s_.tail.store(new_tail, std::memory_order_seq_cst);  // the commit
  fault_step(FaultSite::kQueuePutStep, QueuePutStep::kCommitted);
  s_.put_count.store(count + 1, std::memory_order_release);
  fault_step(FaultSite::kQueuePutStep, QueuePutStep::kCounted);
  return Attempt::kDone;
}

int Queue::put_parts(const Part* parts, size_t count, const Deadline& deadline) {
  size_t len = 0;
  for (size_t i = 0; i < count; ++i) len += parts[i].len;
  if (closed()) return MPROC_ECLOSED;
  if (len > max_message()) return MPROC_ETOOBIG;
  for (;;) {
    if (lock_side(s_.tail_lock, true, lock_deadline(deadline)) != 0) return MPROC_EFULL;
    fault_step(FaultSite::kQueuePutStep, QueuePutStep::kLocked);
    if (closed()) {
      owned_lock_release(s_.tail_lock);
      return MPROC_ECLOSED;
    }
    SpaceError space;
    Attempt a = try_put_locked(parts, count, len, &space);
    uint64_t head_seen = s_.seen_head;
    owned_lock_release(s_.tail_lock);
    if (a == Attempt::kNoSpace)
      fail(space.code, "queue put: " + space.message + "; nothing was put");
    if (a == Attempt::kDone) {
      fault_step(FaultSite::kQueuePutStep, QueuePutStep::kUnlocked);
      if (s_.getters_waiting.load(std::memory_order_seq_cst) > 0) {
        s_.not_empty_seq.fetch_add(1, std::memory_order_release);
        bool watched = s_.fd_watchers.load(std::memory_order_relaxed) > 0;
        platform::wake(s_.not_empty_cell, s_.not_empty_seq, watched ? platform::kWakeAll : 1);
      }
      return 0;
    }
    if (a == Attempt::kCorrupt) return MPROC_ECORRUPT;
    if (deadline.immediate()) return MPROC_EFULL;
    // Room comes from a get, which moves the head (and the taken count).
    if (!wait_change(s_.head, head_seen, s_.not_full_seq, s_.putters_waiting,
                     s_.not_full_cell, deadline))
      return MPROC_EFULL;
  }
}

// ---- Get --------------------------------------------------------------------

Queue::Attempt Queue::find_locked(Found* found) {
  uint64_t h = s_.head.load(std::memory_order_relaxed);
  if (s_.seen_tail == h || s_.seen_tail - h > capacity_)
    s_.seen_tail = s_.tail.load(std::memory_order_acquire);
  uint64_t t = s_.seen_tail;
  if (t - h > capacity_ || h % 8 != 0 || t % 8 != 0) return Attempt::kCorrupt;
  if (t == h) return Attempt::kEmpty;
  // As in try_put_locked: seen_tail may be another process's acquire of
  // the producer's commit, which published these bytes.
  platform::tsan_acquire(&s_.tail);

  auto* header = static_cast<const RecordHeader*>(at(h));
  uint32_t tag = header->tag;
  uint32_t size = header->size;
  if (tag == kWrapTag) {
    uint64_t off = h & (capacity_ - 1);
    if (size != capacity_ - off || t - h < size) return Attempt::kCorrupt;
    h += size;
    if (t == h) return Attempt::kCorrupt;  // a wrap is always followed by a record
    header = static_cast<const RecordHeader*>(at(h));
    tag = header->tag;
    size = header->size;
  }
  if (tag != kMessageTag || size > max_message() || record_size(size) > t - h ||
      (h & (capacity_ - 1)) + record_size(size) > capacity_)
    return Attempt::kCorrupt;
  *found = {h, size};
  return Attempt::kDone;
}

void Queue::commit_get_locked(const Found& found) {
  uint64_t new_head = found.record_at + record_size(found.size);
  uint64_t count = s_.get_count.load(std::memory_order_relaxed) + 1;
  s_.get_intent = {new_head, count};
  fault_step(FaultSite::kQueueGetStep, QueueGetStep::kIntentWritten);
  s_.head.store(new_head, std::memory_order_seq_cst);  // the commit
  fault_step(FaultSite::kQueueGetStep, QueueGetStep::kCommitted);
  s_.get_count.store(count, std::memory_order_release);
  fault_step(FaultSite::kQueueGetStep, QueueGetStep::kCounted);
}

// A consumer that finds the queue empty right after a run of gets that
// did not wait is draining a stream of small messages faster than it is
// filled. Looking for the next message at once would take each record's
// cache lines from the producer while it writes them, one message at a
// time, and cut what it can put by half or more (bench/:
// queue_throughput 64). Holding off a couple of microseconds lets the
// producer run ahead and the consumer then read a batch. A consumer whose
// gets keep waiting is in a request/response exchange instead and looks at
// once, for latency; large messages cost their copying, not this, and gain
// nothing from the pause.
template <class Copy>
int Queue::take(const Deadline& deadline, Copy copy) {
  bool waited = false;
  for (;;) {
    if (lock_side(s_.head_lock, false, lock_deadline(deadline)) != 0) return MPROC_EEMPTY;
    fault_step(FaultSite::kQueueGetStep, QueueGetStep::kLocked);
    Found found{};
    Attempt a;
    uint64_t tail_seen;
    {
      // Released however the copy ends (it may throw std::bad_alloc).
      struct Unlock {
        OwnedLockState& lock;
        ~Unlock() { owned_lock_release(lock); }
      } unlock{s_.head_lock};
      a = find_locked(&found);
      tail_seen = s_.seen_tail;
      if (a == Attempt::kDone) {
        fault_step(FaultSite::kQueueGetStep, QueueGetStep::kFound);
        const void* payload = static_cast<const RecordHeader*>(at(found.record_at)) + 1;
        if (!copy(payload, found.size)) return MPROC_ETOOBIG;
        fault_step(FaultSite::kQueueGetStep, QueueGetStep::kCopied);
        commit_get_locked(found);
      }
    }
    if (a == Attempt::kDone) {
      fault_step(FaultSite::kQueueGetStep, QueueGetStep::kUnlocked);
      bool quick_small = !waited && found.size <= kStreamMessageMax;
      quick_small_gets_.store(
          quick_small ? quick_small_gets_.load(std::memory_order_relaxed) + 1 : 0,
          std::memory_order_relaxed);
      if (s_.putters_waiting.load(std::memory_order_seq_cst) > 0) {
        s_.not_full_seq.fetch_add(1, std::memory_order_release);
        platform::wake(s_.not_full_cell, s_.not_full_seq, platform::kWakeAll);
      }
      return 0;
    }
    if (a == Attempt::kCorrupt) return MPROC_ECORRUPT;
    if (closed()) return MPROC_ECLOSED;
    if (deadline.immediate()) return MPROC_EEMPTY;
    if (!waited && quick_small_gets_.load(std::memory_order_relaxed) >= kStreamRun)
      platform::relax_for_ns(kStreamGapNs);
    waited = true;
    if (!wait_change(s_.tail, tail_seen, s_.not_empty_seq, s_.getters_waiting,
                     s_.not_empty_cell, deadline))
      return MPROC_EEMPTY;
  }
}

int Queue::get(mproc_msg_s** out, const Deadline& deadline) {
  mproc_msg_s* m = nullptr;
  int rc = take(deadline, [&](const void* payload, uint32_t size) {
    m = message_alloc(size);
    if (size > 0) std::memcpy(m->data(), payload, size);
    return true;
  });
  if (rc == 0) *out = m;
  return rc;
}

int Queue::get_into(void* buf, size_t cap, size_t* len, const Deadline& deadline) {
  return take(deadline, [&](const void* payload, uint32_t size) {
    *len = size;
    if (size > cap) return false;
    if (size > 0) std::memcpy(buf, payload, size);
    return true;
  });
}

// ---- State, close, join ------------------------------------------------------

uint64_t Queue::qsize() const noexcept {
  uint64_t taken = s_.get_count.load(std::memory_order_acquire);
  uint64_t put = s_.put_count.load(std::memory_order_acquire);
  return put >= taken ? put - taken : 0;
}

bool Queue::full() const noexcept { return maxsize_ != 0 && qsize() >= maxsize_; }

void Queue::close() {
  s_.closed.store(1, std::memory_order_seq_cst);
  for (auto* pair : {&s_.not_empty_seq, &s_.not_full_seq, &s_.done_seq}) pair->fetch_add(1);
  platform::wake(s_.not_empty_cell, s_.not_empty_seq, platform::kWakeAll);
  platform::wake(s_.not_full_cell, s_.not_full_seq, platform::kWakeAll);
  platform::wake(s_.done_cell, s_.done_seq, platform::kWakeAll);
}

int Queue::task_done() {
  uint64_t done = s_.done_count.load(std::memory_order_acquire);
  for (;;) {
    if (done >= s_.get_count.load(std::memory_order_acquire)) return MPROC_ESTATE;
    if (s_.done_count.compare_exchange_weak(done, done + 1, std::memory_order_seq_cst)) break;
  }
  if (s_.joiners_waiting.load(std::memory_order_seq_cst) > 0) {
    s_.done_seq.fetch_add(1, std::memory_order_release);
    platform::wake(s_.done_cell, s_.done_seq, platform::kWakeAll);
  }
  return 0;
}

int Queue::join(const Deadline& deadline) {
  auto all_done = [this] {
    return s_.done_count.load(std::memory_order_seq_cst) >=
           s_.put_count.load(std::memory_order_seq_cst);
  };
  for (;;) {
    if (all_done()) return 0;
    if (deadline.immediate()) return MPROC_ETIMEDOUT;
    uint32_t seen = s_.done_seq.load(std::memory_order_acquire);
    s_.joiners_waiting.fetch_add(1, std::memory_order_seq_cst);
    bool in_time = all_done() || platform::wait_on(s_.done_cell, s_.done_seq, seen, deadline) ||
                   !deadline.expired();
    s_.joiners_waiting.fetch_sub(1, std::memory_order_relaxed);
    if (!in_time) return all_done() ? 0 : MPROC_ETIMEDOUT;
  }
}

}  // namespace mproc::core
