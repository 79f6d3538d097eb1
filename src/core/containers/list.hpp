// SharedList: a sequence of byte strings in shared memory
// (mproc/shared_containers.h), over Container.
//
// The root is an array: a slot block of Refs to element blocks, its length
// in the block's aux word. Appending stores a slot and then the length (the
// one store readers see); popping the last element stores the length
// first. Inserting or deleting elsewhere, and growing, write a new array
// and store the root. Indexes follow Python: negative ones count from the
// end, and are resolved under the lock, so pop(-1) takes the last element
// even while others append.
#pragma once

#include <memory>
#include <string>

#include "core/containers/container.hpp"
#include "core/containers/snapshot.hpp"

namespace mproc::core {

class SharedList : public Container {
 public:
  static std::shared_ptr<SharedList> create(const ContainerOptions& options);
  static std::shared_ptr<SharedList> open(const std::string& name);
  static std::shared_ptr<SharedList> decode(WireReader& in, ReceivedFds& fds);
  explicit SharedList(std::shared_ptr<SharedRegion> region);

  // 0, MPROC_ERANGE (no such index), MPROC_ETOOBIG (the sink refused it).
  int get(int64_t index, ValueSink sink, void* ctx) const;
  // Throw EFULL, ETOOBIG, ENOSPC, ECORRUPT.
  void append(const void* value, size_t len);
  // 0 or MPROC_ERANGE.
  int set(int64_t index, const void* value, size_t len);
  // Inserts before `index`, clamped to the list as Python's insert does.
  void insert(int64_t index, const void* value, size_t len);
  // Removes the element at `index`, its value going to `sink` if one is
  // given: 0 or MPROC_ERANGE (MPROC_ERANGE too for an empty list).
  int pop(int64_t index, ValueSink sink, void* ctx);
  uint64_t size() const;
  void clear();
  // Every element at one moment (as values; keys are empty).
  void snapshot(Snapshot* out) const;
  int arg_type() const noexcept override;

 private:
  struct Array {
    BlockHeader* header;
    std::atomic<uint64_t>* slot;
    uint64_t capacity;
    uint64_t length;
  };
  // The current array, under the lock.
  Array array() const;
  // A new array for `length` elements: the current one's, with `skip` left
  // out (or none: UINT64_MAX) and `extra` put at `at` (or none: 0), made
  // the root; the old array block is freed.
  void rebuild(Update& u, const Array& old, uint64_t skip, uint64_t at, Ref extra) const;
  void check_root(const BlockHeader* root, const std::atomic<uint64_t>* slots,
                  uint64_t n) const override;
};

}  // namespace mproc::core
