// SharedDict: byte-string keys to byte-string values in shared memory
// (mproc/shared_containers.h), over Container.
//
// The root is a hash table: a slot block of Refs to entry blocks (key and
// value together), open addressing with linear probing, deleted slots
// marked kTombstoneRef. A key's home slot is the high half of its hash
// scaled to the table size. The table is rebuilt (one new block, one store
// of the root) when half its slots are taken, which keeps lookups to a
// slot or two; entries are not moved then, only referenced again.
#pragma once

#include <memory>
#include <string>

#include "core/containers/container.hpp"
#include "core/containers/snapshot.hpp"

namespace mproc::core {

class SharedDict : public Container {
 public:
  static std::shared_ptr<SharedDict> create(const ContainerOptions& options);
  static std::shared_ptr<SharedDict> open(const std::string& name);
  static std::shared_ptr<SharedDict> decode(WireReader& in, ReceivedFds& fds);
  explicit SharedDict(std::shared_ptr<SharedRegion> region);

  // 0 (the value went to `sink`, if not null), MPROC_ENOTFOUND,
  // MPROC_ETOOBIG (the sink refused it).
  int get(const void* key, size_t klen, ValueSink sink, void* ctx) const;
  bool contains(const void* key, size_t klen) const;
  // How an update's key must be found for it to happen.
  enum class When { kAlways, kAbsent, kEquals };
  // Sets key to value: kAlways; kAbsent: only a new key (else
  // MPROC_EEXIST); kEquals: only when its value is `expected` now (else
  // MPROC_ESTATE, or MPROC_ENOTFOUND for a missing key). Throws EFULL,
  // ETOOBIG, ENOSPC, ECORRUPT.
  int set(const void* key, size_t klen, const void* value, size_t vlen, When when = When::kAlways,
          const void* expected = nullptr, size_t elen = 0);
  // Deletes key, its value going to `sink` first if one is given: 0 or
  // MPROC_ENOTFOUND.
  int remove(const void* key, size_t klen, ValueSink sink, void* ctx);
  uint64_t size() const;
  void clear();
  // Every entry at one moment (values too, or empty ones).
  void snapshot(bool values, Snapshot* out) const;
  int arg_type() const noexcept override;

 private:
  enum class Look { kFound, kMissing, kChanged };
  struct Probe {
    uint64_t pos = 0;        // the key's slot, or the empty slot that ended the search
    uint64_t insert_at = 0;  // the first deleted slot on the way, else pos
    Ref ref = 0;             // found: the entry
    View entry;
    uint32_t klen = 0;
    uint32_t vlen = 0;
  };
  Look probe(const View& table, uint64_t n, const void* key, size_t klen, uint64_t hash,
             Probe* p) const;
  // The current table, under the lock; false when there is none (empty).
  bool table(View* t, uint64_t* n) const;
  // Builds a table for `count` entries holding every entry of the old one
  // (`n` slots; none: 0) and `extra`, and makes it the root; the old table
  // block is freed.
  void rebuild(Update& u, const std::atomic<uint64_t>* old, uint64_t n, uint64_t count,
               Ref extra, uint32_t extra_hash32) const;
  static uint64_t home(uint32_t hash32, uint64_t n) noexcept {
    return (static_cast<uint64_t>(hash32) * n) >> 32;
  }
  void check_root(const BlockHeader* root, const std::atomic<uint64_t>* slots,
                  uint64_t n) const override;

  uint64_t seed_;
};

}  // namespace mproc::core
