// A shared object's home: a region of a shared mapping that starts with an
// ObjectHeader and holds one object's state. Most objects have a mapping of
// their own; a shared block's lock and a condition's own lock live inside
// their owner's mapping at an offset.
//
// Regions travel to children as (descriptor, offset, kind) and to unrelated
// processes by name. Whoever maps a region checks its header (magic, kind,
// version, bounds) before touching it: shared memory is written by other
// processes and is treated as untrusted.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/shareable.hpp"
#include "platform/shm.hpp"

namespace mproc::core {

enum class ObjectKind : uint16_t {
  kLock = 1,
  kRLock = 2,
  kSemaphore = 3,
  kEvent = 4,
  kCondition = 5,
  kBarrier = 6,
  kBlock = 7,
  kQueue = 8,
  kDict = 9,
  kList = 10,
};
const char* object_kind_name(ObjectKind kind) noexcept;

struct ObjectHeader {
  static constexpr uint32_t kMagic = 0x4f435250;  // "PRCO"
  static constexpr uint16_t kVersion = 2;  // 2: bounded flag, robust lock nodes
  std::atomic<uint32_t> magic;  // written last, once the state is ready
  uint16_t version;
  uint16_t kind;
  uint64_t size;  // bytes of the region, header included
};
// Where a region's state begins, after its header.
inline constexpr size_t kStateOffset = 64;

// How a new object is made: anonymous (the default) or under a name.
struct SharedOptions {
  bool named = false;
  std::string name;  // empty with named: an unguessable name is chosen
};

class SharedRegion {
 public:
  // A new region in a mapping of its own, `state_size` bytes of state (the
  // mapping may be larger; the rest is for sub-regions). The header is
  // written but not published: initialise the state, then publish().
  // The first `reserved` bytes are backed with pages at once (all of it
  // by default); a region that fills gradually, as a queue's ring does,
  // reserves the rest as it goes (reserve()).
  static std::shared_ptr<SharedRegion> create(ObjectKind kind, size_t mapping_size,
                                              const SharedOptions& options,
                                              size_t reserved = SIZE_MAX);
  // The named object's region; ENOENT if none, ETYPE if it is of another
  // kind.
  static std::shared_ptr<SharedRegion> open(const std::string& name, ObjectKind kind);
  // The region written by encode(); ECORRUPT/ETYPE if it does not check out.
  static std::shared_ptr<SharedRegion> decode(WireReader& in, ReceivedFds& fds,
                                              ObjectKind kind);

  // A region inside this one's mapping at `offset`; create_sub also writes
  // its header (unpublished).
  std::shared_ptr<SharedRegion> create_sub(size_t offset, size_t size, ObjectKind kind);
  std::shared_ptr<SharedRegion> sub(size_t offset, ObjectKind kind);

  void encode(WireWriter& out, std::vector<int>& fds) const;
  // See SharedMapping::keep_while_held.
  void keep_while_held(const std::atomic<uint32_t>* word) { mapping_->keep_while_held(word); }
  // Backs [offset, offset + len) of the region with pages so that writes
  // there never fault: 0, or ENOSPC / ENOMEM with `message`.
  int reserve(size_t offset, size_t len, std::string* message) const {
    return mapping_->reserve(offset_ + offset, len, message);
  }
  void publish() noexcept;

  ObjectHeader& header() const noexcept { return *static_cast<ObjectHeader*>(base()); }
  // The region's state: ECORRUPT when the region is too small to hold a
  // `State` (a peer wrote a small size into the header).
  template <class State>
  State& state() const {
    if (size_ < kStateOffset + sizeof(State)) fail_too_small(sizeof(State));
    return *reinterpret_cast<State*>(static_cast<char*>(base()) + kStateOffset);
  }
  void* base() const noexcept {
    return static_cast<char*>(mapping_->data()) + offset_;
  }
  // The header's size as it was checked when the region was mapped (a
  // peer can change the header afterwards; this does not change).
  size_t size() const noexcept { return size_; }
  ObjectKind kind() const noexcept { return kind_; }
  const std::string& name() const noexcept { return name_; }

  SharedRegion(std::shared_ptr<platform::SharedMapping> mapping, size_t offset,
               ObjectKind kind, std::string name);

 private:
  // Checks the header at offset_ against the expected kind, and keeps
  // its size.
  void validate();
  [[noreturn]] void fail_too_small(size_t state_size) const;

  std::shared_ptr<platform::SharedMapping> mapping_;
  size_t offset_;
  ObjectKind kind_;
  std::string name_;
  size_t size_ = 0;
};

// Removes a named object's name (mproc_unlink).
void unlink_shared(const std::string& name);

}  // namespace mproc::core
