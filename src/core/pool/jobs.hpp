// What callers wait on: a Future for one task, a MapJob for a blocking map
// over fixed-size items, an ImapJob for an iterator over variable-size
// results. The pool's collector thread completes them; callers wait on
// their condition variables.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/deadline.hpp"

namespace mproc::core {

class Future {
 public:
  using Callback = std::function<void(const std::shared_ptr<Future>&)>;

  explicit Future(Callback callback) : callback_(std::move(callback)) {}

  // Records the outcome; returns the callback to run (outside any lock),
  // or an empty one.
  Callback complete(int code, std::string message, std::string output);
  // 0 once done, MPROC_ETIMEDOUT otherwise.
  int wait(const platform::Deadline& deadline);
  bool done();
  // Valid once done().
  int code();
  const std::string& message();
  const std::string& output();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  int code_ = 0;
  std::string message_;
  std::string output_;
  Callback callback_;
};

class MapJob {
 public:
  MapJob(void* outputs, size_t out_size, size_t chunks)
      : outputs_(static_cast<char*>(outputs)), out_size_(out_size), remaining_(chunks) {}

  // One chunk's outcome: its outputs start at item `first`. Failures keep
  // the earliest failing item.
  void complete_chunk(uint64_t first, const char* outputs, size_t bytes, int code,
                      uint64_t failed_index, const std::string& message);
  // 0, the first failure's code (with *failed and *message), or
  // MPROC_ETIMEDOUT, after which nothing is written to the outputs.
  int wait(const platform::Deadline& deadline, uint64_t* failed, std::string* message);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  char* outputs_;
  size_t out_size_;
  size_t remaining_;
  bool abandoned_ = false;
  int code_ = 0;
  uint64_t failed_ = 0;
  std::string message_;
};

class ImapJob {
 public:
  ImapJob(size_t count, bool ordered) : results_(count), ordered_(ordered) {}

  // Item `index` finished with `code` and `bytes` (output, or message).
  void complete_item(uint64_t index, int code, std::string bytes);
  // 0 (output), the item's error code (message in *bytes), MPROC_EOF when
  // all were delivered, MPROC_ETIMEDOUT.
  int next(const platform::Deadline& deadline, size_t* index, std::string* bytes);
  size_t count() const noexcept { return results_.size(); }

 private:
  struct Item {
    int code;
    std::string bytes;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<Item>> results_;
  const bool ordered_;
  size_t next_ = 0;          // ordered: the next index to hand out
  std::deque<size_t> ready_;  // unordered: finished, not handed out
  size_t delivered_ = 0;
};

// Waits on `cv` until `ready()` or the deadline; false on timeout.
template <class Ready>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                const platform::Deadline& deadline, Ready ready) {
  if (deadline.forever()) {
    cv.wait(lock, ready);
    return true;
  }
  return cv.wait_for(lock, std::chrono::nanoseconds(deadline.remaining_ns()), ready);
}

}  // namespace mproc::core
