#include "core/containers/list.hpp"

#include <mproc/args.h>

#include <algorithm>

namespace mproc::core {
namespace {

constexpr uint64_t kFirstSlots = 16;
constexpr uint64_t kNone = UINT64_MAX;

// Python's index: negative counts from the end; false when out of range.
bool resolve(int64_t index, uint64_t length, uint64_t* out) noexcept {
  if (index < 0) {
    uint64_t back = static_cast<uint64_t>(-(index + 1)) + 1;  // |index|, without overflow
    if (back > length) return false;
    *out = length - back;
    return true;
  }
  if (static_cast<uint64_t>(index) >= length) return false;
  *out = static_cast<uint64_t>(index);
  return true;
}

}  // namespace

std::shared_ptr<SharedList> SharedList::create(const ContainerOptions& options) {
  return make<SharedList>(ObjectKind::kList, options);
}

std::shared_ptr<SharedList> SharedList::open(const std::string& name) {
  return open_as<SharedList>(name, ObjectKind::kList);
}

std::shared_ptr<SharedList> SharedList::decode(WireReader& in, ReceivedFds& fds) {
  return decode_as<SharedList>(in, fds, ObjectKind::kList);
}

SharedList::SharedList(std::shared_ptr<SharedRegion> region)
    : Container(std::move(region), "shared list") {}

int SharedList::arg_type() const noexcept { return MPROC_ARG_LIST; }

// ---- Reading ------------------------------------------------------------------------

int SharedList::get(int64_t index, ValueSink sink, void* ctx) const {
  return read([&](bool) -> int {
    Ref root = s_.root.load(std::memory_order_acquire);
    if (root == kEmptyRef) return MPROC_ERANGE;
    View a;
    uint64_t n = 0;
    if (!view_slots(root, &a, &n)) return kRetry;
    uint64_t length = a.header->aux.load(std::memory_order_acquire);
    uint64_t i = 0;
    if (length > n) return kRetry;
    if (!resolve(index, length, &i)) return unchanged(a) ? MPROC_ERANGE : kRetry;
    View e;
    if (!view(a.slots()[i].load(std::memory_order_acquire), &e)) return kRetry;
    uint32_t len = e.header->value_len.load(std::memory_order_relaxed);
    if (len > e.size - kBlockHeader) return kRetry;
    bool fits = sink(ctx, e.bytes(), len);
    if (!unchanged(e) || !unchanged(a)) return kRetry;
    return fits ? 0 : MPROC_ETOOBIG;
  });
}

uint64_t SharedList::size() const {
  uint64_t out = 0;
  read([&](bool) -> int {
    Ref root = s_.root.load(std::memory_order_acquire);
    out = 0;
    if (root == kEmptyRef) return 0;
    View a;
    uint64_t n = 0;
    if (!view_slots(root, &a, &n)) return kRetry;
    out = a.header->aux.load(std::memory_order_acquire);
    return out <= n && unchanged(a) ? 0 : kRetry;
  });
  return out;
}

void SharedList::snapshot(Snapshot* out) const {
  read([&](bool locked) -> int {
    out->clear();
    uint64_t v = 0;
    if (!locked && !version_even(&v)) return kRetry;
    Ref root = s_.root.load(std::memory_order_acquire);
    if (root == kEmptyRef) return locked || version_still(v) ? 0 : kRetry;
    View a;
    uint64_t n = 0;
    if (!view_slots(root, &a, &n)) return kRetry;
    uint64_t length = a.header->aux.load(std::memory_order_acquire);
    if (length > n) return kRetry;
    for (uint64_t i = 0; i < length; ++i) {
      View e;
      if (!view(a.slots()[i].load(std::memory_order_acquire), &e)) return kRetry;
      uint32_t len = e.header->value_len.load(std::memory_order_relaxed);
      if (len > e.size - kBlockHeader) return kRetry;
      out->add(e.bytes(), 0, e.bytes(), len);
      if (!unchanged(e)) return kRetry;
    }
    if (!unchanged(a) || (!locked && !version_still(v))) return kRetry;
    return 0;
  });
}

// ---- Updating --------------------------------------------------------------------------

SharedList::Array SharedList::array() const {
  Array a{};
  Ref root = s_.root.load(std::memory_order_relaxed);
  if (root == kEmptyRef) return a;
  a.slot = slots(root, &a.capacity);
  a.header = block(root);
  a.length = a.header->aux.load(std::memory_order_relaxed);
  if (a.length > a.capacity) corrupt("its length is over its array's capacity");
  return a;
}

void SharedList::rebuild(Update& u, const Array& old, uint64_t skip, uint64_t at,
                         Ref extra) const {
  uint64_t length = old.length - (skip < old.length ? 1 : 0) + (extra != 0 ? 1 : 0);
  uint64_t want = std::max(kFirstSlots, old.capacity);
  if (length > want) {
    want = old.capacity * 2;
  } else if (length * 4 < want && want > kFirstSlots) {
    want = std::max(kFirstSlots, want / 2);
  }
  BlockHeader* h = nullptr;
  uint64_t m = 0;
  uint64_t off = new_slots(u, want, &h, &m);
  auto* fresh = reinterpret_cast<std::atomic<uint64_t>*>(reinterpret_cast<unsigned char*>(h) +
                                                         kBlockHeader);
  uint64_t j = 0;
  for (uint64_t i = 0; i <= old.length; ++i) {
    if (extra != 0 && j == at) fresh[j++].store(extra, std::memory_order_relaxed);
    if (i == old.length) break;
    if (i != skip) fresh[j++].store(old.slot[i].load(std::memory_order_relaxed),
                                    std::memory_order_relaxed);
  }
  h->aux.store(length, std::memory_order_relaxed);
  Ref old_ref = u.load(s_.root);
  u.store(s_.root, seal(u, off));
  if (old_ref != kEmptyRef) free_block(u, old_ref);
}

void SharedList::append(const void* value, size_t len) { insert(INT64_MAX, value, len); }

void SharedList::insert(int64_t index, const void* value, size_t len) {
  Update u(*this);
  Array a = array();
  // Python's clamping: before the first, or after the last.
  uint64_t at = a.length;
  if (index < 0) {
    uint64_t back = static_cast<uint64_t>(-(index + 1)) + 1;
    at = back >= a.length ? 0 : a.length - back;
  } else if (static_cast<uint64_t>(index) < a.length) {
    at = static_cast<uint64_t>(index);
  }
  Ref e = new_entry(u, nullptr, 0, 0, value, len);
  if (at == a.length && a.length < a.capacity) {
    u.store(a.slot[at], e);
    u.store(a.header->aux, a.length + 1);  // what readers see
  } else {
    rebuild(u, a, kNone, at, e);
  }
  u.commit();
}

int SharedList::set(int64_t index, const void* value, size_t len) {
  Update u(*this);
  Array a = array();
  uint64_t i = 0;
  if (!resolve(index, a.length, &i)) return MPROC_ERANGE;
  Ref old = a.slot[i].load(std::memory_order_relaxed);
  block(old);  // checked before anything is written
  u.store(a.slot[i], new_entry(u, nullptr, 0, 0, value, len));
  free_block(u, old);
  u.commit();
  return 0;
}

int SharedList::pop(int64_t index, ValueSink sink, void* ctx) {
  Update u(*this);
  Array a = array();
  uint64_t i = 0;
  if (!resolve(index, a.length, &i)) return MPROC_ERANGE;
  Ref e = a.slot[i].load(std::memory_order_relaxed);
  uint64_t size = 0;
  BlockHeader* h = block(e, &size);
  uint32_t len = h->value_len.load(std::memory_order_relaxed);
  if (len > size - kBlockHeader) corrupt("an element overflows its block");
  if (sink != nullptr) sink(ctx, reinterpret_cast<const unsigned char*>(h) + kBlockHeader, len);
  bool shrink = (a.length - 1) * 4 < a.capacity && a.capacity > kFirstSlots;
  if (i + 1 == a.length && !shrink) {
    u.store(a.header->aux, a.length - 1);  // what readers see
    u.store(a.slot[i], kEmptyRef);
  } else {
    rebuild(u, a, i, kNone, 0);
  }
  free_block(u, e);
  u.commit();
  return 0;
}

void SharedList::clear() {
  Update u(*this);
  detach_root(u, kEmptyRef);
  u.commit();
  sweep_all(u);
}

void SharedList::check_root(const BlockHeader* root, const std::atomic<uint64_t>* slot,
                            uint64_t n) const {
  if (root == nullptr) return;
  uint64_t length = root->aux.load(std::memory_order_relaxed);
  if (length > n) corrupt("its length is over its array's capacity");
  for (uint64_t i = 0; i < n; ++i) {
    Ref r = slot[i].load(std::memory_order_relaxed);
    if (i < length && !ref_is_block(r)) corrupt("an element is missing");
    if (i >= length && r != kEmptyRef) corrupt("a slot past the end is not empty");
    if (i < length) {
      uint64_t size = 0;
      const BlockHeader* e = block(r, &size);
      if (e->value_len.load(std::memory_order_relaxed) > size - kBlockHeader)
        corrupt("an element overflows its block");
    }
  }
}

}  // namespace mproc::core
