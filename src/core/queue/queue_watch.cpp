#include "core/queue/queue_watch.hpp"

#include <new>

#include "core/queue/queue.hpp"
#include "platform/fork_registry.hpp"

namespace mproc::core {

using platform::Deadline;

// ---- The Queue's side of watching ------------------------------------------------

Queue::~Queue() = default;  // a QueueWatch, if any, stops first (declared last)

int Queue::fileno() {
  std::lock_guard<std::mutex> lock(watch_mu_);
  if (!watch_ || !watch_->here()) {
    watch_.reset();  // a fork child's copy of its parent's watch ends quietly
    watch_ = std::make_unique<QueueWatch>(*this);
  }
  return watch_->fd();
}

void Queue::watch_positions(uint64_t* head, uint64_t* tail) const noexcept {
  *head = s_.head.load(std::memory_order_seq_cst);
  *tail = s_.tail.load(std::memory_order_seq_cst);
}

void Queue::watch_wait(uint64_t head, uint64_t tail, const std::atomic<bool>& stop) {
  // With a message in: until a get moves the head (gets wake every
  // sleeping putter). Without: until a put moves the tail (counted as a
  // watcher, a put wakes every sleeping getter, this thread among them).
  bool has_message = head != tail;
  std::atomic<uint64_t>& watched = has_message ? s_.head : s_.tail;
  uint64_t seen = has_message ? head : tail;
  std::atomic<uint32_t>& seq = has_message ? s_.not_full_seq : s_.not_empty_seq;
  std::atomic<uint32_t>& waiting = has_message ? s_.putters_waiting : s_.getters_waiting;
  platform::WaitCell& cell = has_message ? s_.not_full_cell : s_.not_empty_cell;
  uint32_t s = seq.load(std::memory_order_seq_cst);
  waiting.fetch_add(1, std::memory_order_seq_cst);
  // Counted before the last look (see wait_change); and `stop` is stored
  // before watch_wake moves the sequence, so either this look sees it or
  // the sleep below does not begin (the sequence moved past `s`).
  if (watched.load(std::memory_order_seq_cst) == seen && !closed() &&
      !stop.load(std::memory_order_seq_cst))
    platform::wait_on(cell, seq, s, Deadline::never());
  waiting.fetch_sub(1, std::memory_order_seq_cst);
}

void Queue::watch_count(int delta) noexcept {
  s_.fd_watchers.fetch_add(static_cast<uint32_t>(delta), std::memory_order_seq_cst);
}

void Queue::watch_wake() noexcept {
  // Every sleeper of both kinds wakes, looks, and sleeps again: a moment
  // of work for them, once, when a watch stops.
  s_.not_empty_seq.fetch_add(1, std::memory_order_release);
  platform::wake(s_.not_empty_cell, s_.not_empty_seq, platform::kWakeAll);
  s_.not_full_seq.fetch_add(1, std::memory_order_release);
  platform::wake(s_.not_full_cell, s_.not_full_seq, platform::kWakeAll);
}

// ---- QueueWatch -----------------------------------------------------------------------

QueueWatch::QueueWatch(Queue& q) : q_(q), generation_(platform::fork_generation()) {
  q_.watch_count(1);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    q_.watch_count(-1);
    throw;
  }
}

bool QueueWatch::here() const noexcept { return generation_ == platform::fork_generation(); }

QueueWatch::~QueueWatch() {
  if (!here()) {
    // The thread object names a thread of the parent's: forget it without
    // joining, and leave the parent's count of watchers alone.
    new (&thread_) std::thread();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true, std::memory_order_seq_cst);
    cv_.notify_all();
  }
  q_.watch_wake();
  thread_.join();
  q_.watch_count(-1);
}

void QueueWatch::run() noexcept {
  while (!stop_.load(std::memory_order_seq_cst)) {
    uint64_t head, tail;
    q_.watch_positions(&head, &tail);
    bool has = head != tail || q_.closed();
    if (has) {
      ready_.set();
    } else {
      ready_.clear();
    }
    if (q_.closed()) {
      // Nothing moves the state of a closed queue that a waiter could
      // sleep on without spinning: it stays "ready" until the watch stops.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_.load(); });
      return;
    }
    q_.watch_wait(head, tail, stop_);
  }
}

}  // namespace mproc::core
