// Outcomes of pool tasks submitted without a future of their own, gathered
// in one queue: a caller with many tasks in flight takes them in batches,
// one call for many outcomes, instead of asking each task's future (what a
// front end pays per call, as Python's ctypes does, then counts once per
// batch rather than once per task).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "core/pool/jobs.hpp"
#include "platform/deadline.hpp"

namespace mproc::core {

// One outcome as take() lays it out: this header, then `size` bytes (the
// output if code is 0, else the message), then padding to 8 bytes.
struct CompletionHeader {
  uint64_t tag;
  int32_t code;
  uint32_t reserved;
  uint64_t size;
};

class Completions : public std::enable_shared_from_this<Completions> {
 public:
  // The callback a task's options carry so that its outcome, labelled
  // `tag`, joins this queue.
  Future::Callback sink(uint64_t tag);
  // Copies whole outcomes into `buf` (at most `cap` bytes), oldest first,
  // waiting until there is at least one. 0 with *used the bytes written;
  // MPROC_ETIMEDOUT if none came by `deadline`; MPROC_ETOOBIG with *used
  // the room the oldest one needs.
  int take(char* buf, size_t cap, size_t* used, const platform::Deadline& deadline);

  static size_t room_for(size_t size) noexcept {
    return sizeof(CompletionHeader) + ((size + 7) & ~size_t{7});
  }

 private:
  struct Record {
    uint64_t tag;
    int code;
    std::string bytes;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Record> records_;
};

}  // namespace mproc::core
