// A raw block of shared memory (Python's Value, Array and
// shared_memory.SharedMemory) with a lock of its own for guarding it
// (Value's get_lock()). The first page holds the bookkeeping and the lock;
// the caller's bytes start on the next page, so they are page-aligned.
#pragma once

#include <cstdint>

#include "core/sync/lock.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

struct BlockState {
  uint64_t data_offset;
  uint64_t data_size;
};

class SharedBlock : public SharedObject {
 public:
  static std::shared_ptr<SharedBlock> create(size_t size, const SharedOptions& options);
  static std::shared_ptr<SharedBlock> open(const std::string& name);
  static std::shared_ptr<SharedBlock> decode(WireReader& in, ReceivedFds& fds);
  explicit SharedBlock(std::shared_ptr<SharedRegion> region);

  void* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  // The block's own lock (the same one in every process).
  std::shared_ptr<Lock> lock();
  int arg_type() const noexcept override;

 private:
  void* data_;
  size_t size_;
};

}  // namespace mproc::core
