#include "core/containers/dict.hpp"

#include <mproc/args.h>

#include <cstring>

#include "core/containers/hash.hpp"

namespace mproc::core {
namespace {

constexpr uint64_t kFirstSlots = 16;

uint32_t high_half(uint64_t hash) noexcept { return static_cast<uint32_t>(hash >> 32); }

}  // namespace

std::shared_ptr<SharedDict> SharedDict::create(const ContainerOptions& options) {
  return make<SharedDict>(ObjectKind::kDict, options);
}

std::shared_ptr<SharedDict> SharedDict::open(const std::string& name) {
  return open_as<SharedDict>(name, ObjectKind::kDict);
}

std::shared_ptr<SharedDict> SharedDict::decode(WireReader& in, ReceivedFds& fds) {
  return decode_as<SharedDict>(in, fds, ObjectKind::kDict);
}

SharedDict::SharedDict(std::shared_ptr<SharedRegion> region)
    : Container(std::move(region), "shared dict"), seed_(s_.hash_seed) {}

int SharedDict::arg_type() const noexcept { return MPROC_ARG_DICT; }

// ---- Finding a key --------------------------------------------------------------

SharedDict::Look SharedDict::probe(const View& table, uint64_t n, const void* key, size_t klen,
                                   uint64_t hash, Probe* p) const {
  const std::atomic<uint64_t>* slot = table.slots();
  uint32_t h32 = high_half(hash);
  uint64_t pos = home(h32, n);
  bool tombstone_seen = false;
  for (uint64_t i = 0; i < n; ++i, pos = pos + 1 == n ? 0 : pos + 1) {
    Ref r = slot[pos].load(std::memory_order_acquire);
    if (r == kEmptyRef) {
      p->pos = pos;
      if (!tombstone_seen) p->insert_at = pos;
      return Look::kMissing;
    }
    if (r == kTombstoneRef) {
      if (!tombstone_seen) p->insert_at = pos;
      tombstone_seen = true;
      continue;
    }
    View e;
    if (!view(r, &e)) return Look::kChanged;
    const BlockHeader* eh = e.header;
    uint32_t kl = eh->key_len.load(std::memory_order_relaxed);
    uint32_t vl = eh->value_len.load(std::memory_order_relaxed);
    if (static_cast<uint64_t>(kl) + vl > e.size - kBlockHeader) return Look::kChanged;
    bool same = eh->hash32.load(std::memory_order_relaxed) == h32 && kl == klen &&
                (klen == 0 || std::memcmp(e.bytes(), key, klen) == 0);
    if (!unchanged(e)) return Look::kChanged;
    if (same) {
      p->pos = pos;
      if (!tombstone_seen) p->insert_at = pos;
      p->ref = r;
      p->entry = e;
      p->klen = kl;
      p->vlen = vl;
      return Look::kFound;
    }
  }
  // A table never fills (it is rebuilt at half), but a corrupt one may.
  p->pos = n;
  if (!tombstone_seen) p->insert_at = n;
  return tombstone_seen ? Look::kMissing : Look::kChanged;
}

bool SharedDict::table(View* t, uint64_t* n) const {
  Ref root = s_.root.load(std::memory_order_relaxed);
  if (root == kEmptyRef) return false;
  if (!view_slots(root, t, n)) corrupt("its root does not name a table");
  return true;
}

int SharedDict::get(const void* key, size_t klen, ValueSink sink, void* ctx) const {
  uint64_t hash = hash_key(key, klen, seed_);
  return read([&](bool) -> int {
    Ref root = s_.root.load(std::memory_order_acquire);
    if (root == kEmptyRef) return MPROC_ENOTFOUND;
    View t;
    uint64_t n = 0;
    if (!view_slots(root, &t, &n)) return kRetry;
    Probe p;
    Look look = probe(t, n, key, klen, hash, &p);
    if (look == Look::kChanged) return kRetry;
    if (look == Look::kMissing) return unchanged(t) ? MPROC_ENOTFOUND : kRetry;
    bool fits = sink == nullptr || sink(ctx, p.entry.bytes() + p.klen, p.vlen);
    if (!unchanged(p.entry) || !unchanged(t)) return kRetry;
    return fits ? 0 : MPROC_ETOOBIG;
  });
}

bool SharedDict::contains(const void* key, size_t klen) const {
  return get(key, klen, nullptr, nullptr) == 0;
}

uint64_t SharedDict::size() const {
  uint64_t out = 0;
  read([&](bool locked) -> int {
    uint64_t v = 0;
    if (!locked && !version_even(&v)) return kRetry;
    out = s_.count.load(std::memory_order_relaxed);
    if (!locked && !version_still(v)) return kRetry;
    return 0;
  });
  return out;
}

void SharedDict::snapshot(bool values, Snapshot* out) const {
  read([&](bool locked) -> int {
    out->clear();
    uint64_t v = 0;
    if (!locked && !version_even(&v)) return kRetry;
    Ref root = s_.root.load(std::memory_order_acquire);
    if (root == kEmptyRef) return locked || version_still(v) ? 0 : kRetry;
    View t;
    uint64_t n = 0;
    if (!view_slots(root, &t, &n)) return kRetry;
    for (uint64_t i = 0; i < n; ++i) {
      Ref r = t.slots()[i].load(std::memory_order_acquire);
      if (!ref_is_block(r)) continue;
      View e;
      if (!view(r, &e)) return kRetry;
      uint32_t kl = e.header->key_len.load(std::memory_order_relaxed);
      uint32_t vl = e.header->value_len.load(std::memory_order_relaxed);
      if (static_cast<uint64_t>(kl) + vl > e.size - kBlockHeader) return kRetry;
      out->add(e.bytes(), kl, e.bytes() + kl, values ? vl : 0);
      if (!unchanged(e)) return kRetry;
    }
    if (!unchanged(t) || (!locked && !version_still(v))) return kRetry;
    return 0;
  });
}

// ---- Updating ----------------------------------------------------------------------

void SharedDict::rebuild(Update& u, const std::atomic<uint64_t>* old, uint64_t n,
                         uint64_t count, Ref extra, uint32_t extra_hash32) const {
  BlockHeader* h = nullptr;
  uint64_t m = 0;
  // A quarter full after the rebuild: it is rebuilt again at half.
  uint64_t want = count * 4 > kFirstSlots ? count * 4 : kFirstSlots;
  uint64_t off = new_slots(u, want, &h, &m);
  auto* fresh = reinterpret_cast<std::atomic<uint64_t>*>(reinterpret_cast<unsigned char*>(h) +
                                                         kBlockHeader);
  auto place = [&](Ref r, uint32_t h32) {
    uint64_t pos = home(h32, m);
    for (uint64_t i = 0; i < m; ++i, pos = pos + 1 == m ? 0 : pos + 1) {
      if (fresh[pos].load(std::memory_order_relaxed) == kEmptyRef) {
        fresh[pos].store(r, std::memory_order_relaxed);
        return;
      }
    }
    corrupt("its table holds more entries than its count says");
  };
  for (uint64_t i = 0; i < n; ++i) {
    Ref r = old[i].load(std::memory_order_relaxed);
    if (ref_is_block(r)) place(r, block(r)->hash32.load(std::memory_order_relaxed));
  }
  if (extra != 0) place(extra, extra_hash32);
  Ref old_ref = u.load(s_.root);
  u.store(s_.root, seal(u, off));
  if (old_ref != kEmptyRef) free_block(u, old_ref);
  u.store(s_.tombstones, 0);
}

int SharedDict::set(const void* key, size_t klen, const void* value, size_t vlen, When when,
                    const void* expected, size_t elen) {
  uint64_t hash = hash_key(key, klen, seed_);
  Update u(*this);
  View t;
  uint64_t n = 0;
  Probe p;
  Look look = Look::kMissing;
  if (table(&t, &n)) {
    look = probe(t, n, key, klen, hash, &p);
    if (look == Look::kChanged) corrupt("a lookup found it inconsistent under the lock");
  }
  auto* slot = n > 0 ? writable(t.slots()) : nullptr;
  if (look == Look::kFound) {
    if (when == When::kAbsent) return MPROC_EEXIST;
    if (when == When::kEquals &&
        (p.vlen != elen || (elen > 0 && std::memcmp(p.entry.bytes() + p.klen, expected, elen) != 0)))
      return MPROC_ESTATE;
    Ref e = new_entry(u, key, klen, high_half(hash), value, vlen);
    u.store(slot[p.pos], e);
    free_block(u, p.ref);
    u.commit();
    return 0;
  }
  if (when == When::kEquals) return MPROC_ENOTFOUND;
  uint64_t count = s_.count.load(std::memory_order_relaxed);
  uint64_t tombstones = s_.tombstones.load(std::memory_order_relaxed);
  Ref e = new_entry(u, key, klen, high_half(hash), value, vlen);
  bool reuses = p.insert_at != p.pos;
  if (!reuses && (count + tombstones + 1) * 2 > n) {
    rebuild(u, slot, n, count + 1, e, high_half(hash));
  } else {
    u.store(slot[p.insert_at], e);
    if (reuses) u.store(s_.tombstones, tombstones - 1);
  }
  u.store(s_.count, count + 1);
  u.commit();
  return 0;
}

int SharedDict::remove(const void* key, size_t klen, ValueSink sink, void* ctx) {
  uint64_t hash = hash_key(key, klen, seed_);
  Update u(*this);
  View t;
  uint64_t n = 0;
  if (!table(&t, &n)) return MPROC_ENOTFOUND;
  Probe p;
  Look look = probe(t, n, key, klen, hash, &p);
  if (look == Look::kChanged) corrupt("a lookup found it inconsistent under the lock");
  if (look == Look::kMissing) return MPROC_ENOTFOUND;
  if (sink != nullptr) sink(ctx, p.entry.bytes() + p.klen, p.vlen);
  auto* slot = writable(t.slots());
  // A slot followed by an empty one ends no probe that must go on past
  // it: it may become empty again rather than a tombstone.
  uint64_t next = p.pos + 1 == n ? 0 : p.pos + 1;
  if (slot[next].load(std::memory_order_relaxed) == kEmptyRef) {
    u.store(slot[p.pos], kEmptyRef);
  } else {
    u.store(slot[p.pos], kTombstoneRef);
    u.store(s_.tombstones, s_.tombstones.load(std::memory_order_relaxed) + 1);
  }
  u.store(s_.count, s_.count.load(std::memory_order_relaxed) - 1);
  free_block(u, p.ref);
  u.commit();
  return 0;
}

void SharedDict::clear() {
  Update u(*this);
  detach_root(u, kEmptyRef);
  u.store(s_.count, 0);
  u.store(s_.tombstones, 0);
  u.commit();
  sweep_all(u);
}

// ---- Checking ------------------------------------------------------------------------

void SharedDict::check_root(const BlockHeader*, const std::atomic<uint64_t>* slot,
                            uint64_t n) const {
  uint64_t entries = 0, tombstones = 0;
  for (uint64_t i = 0; i < n; ++i) {
    Ref r = slot[i].load(std::memory_order_relaxed);
    if (r == kTombstoneRef) ++tombstones;
    if (!ref_is_block(r)) continue;
    ++entries;
    uint64_t size = 0;
    const BlockHeader* e = block(r, &size);
    uint32_t kl = e->key_len.load(std::memory_order_relaxed);
    uint32_t vl = e->value_len.load(std::memory_order_relaxed);
    if (static_cast<uint64_t>(kl) + vl > size - kBlockHeader) corrupt("an entry overflows its block");
    auto* bytes = reinterpret_cast<const unsigned char*>(e) + kBlockHeader;
    uint32_t h32 = high_half(hash_key(bytes, kl, seed_));
    if (e->hash32.load(std::memory_order_relaxed) != h32) corrupt("an entry's hash is wrong");
    // Reachable: no empty slot between its home and where it is.
    for (uint64_t pos = home(h32, n); pos != i; pos = pos + 1 == n ? 0 : pos + 1)
      if (slot[pos].load(std::memory_order_relaxed) == kEmptyRef)
        corrupt("an entry can not be found from its home slot");
  }
  if (entries != s_.count.load(std::memory_order_relaxed))
    corrupt("it counts " + std::to_string(s_.count.load()) + " entries but holds " +
            std::to_string(entries));
  if (tombstones != s_.tombstones.load(std::memory_order_relaxed))
    corrupt("its count of deleted slots is wrong");
}

}  // namespace mproc::core
