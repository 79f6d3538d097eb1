#include "core/sync/shared_region.hpp"

#include <thread>

#include "platform/deadline.hpp"
#include "platform/error.hpp"

namespace mproc::core {

const char* object_kind_name(ObjectKind kind) noexcept {
  switch (kind) {
    case ObjectKind::kLock: return "lock";
    case ObjectKind::kRLock: return "recursive lock";
    case ObjectKind::kSemaphore: return "semaphore";
    case ObjectKind::kEvent: return "event";
    case ObjectKind::kCondition: return "condition";
    case ObjectKind::kBarrier: return "barrier";
    case ObjectKind::kBlock: return "shared block";
    case ObjectKind::kQueue: return "queue";
    case ObjectKind::kDict: return "shared dict";
    case ObjectKind::kList: return "shared list";
  }
  return "unknown object";
}

SharedRegion::SharedRegion(std::shared_ptr<platform::SharedMapping> mapping, size_t offset,
                           ObjectKind kind, std::string name)
    : mapping_(std::move(mapping)), offset_(offset), kind_(kind), name_(std::move(name)) {}

std::shared_ptr<SharedRegion> SharedRegion::create(ObjectKind kind, size_t mapping_size,
                                                   const SharedOptions& options,
                                                   size_t reserved) {
  if (reserved > mapping_size) reserved = mapping_size;
  std::string name;
  std::shared_ptr<platform::SharedMapping> mapping;
  if (options.named) {
    name = options.name.empty() ? platform::SharedMapping::random_name() : options.name;
    mapping = std::make_shared<platform::SharedMapping>(
        platform::SharedMapping::create_named(name, mapping_size, reserved));
  } else {
    mapping = std::make_shared<platform::SharedMapping>(
        platform::SharedMapping::create(mapping_size, reserved));
  }
  auto region = std::make_shared<SharedRegion>(std::move(mapping), 0, kind, std::move(name));
  ObjectHeader& h = region->header();
  h.version = ObjectHeader::kVersion;
  h.kind = static_cast<uint16_t>(kind);
  h.size = mapping_size;
  region->size_ = mapping_size;
  return region;
}

std::shared_ptr<SharedRegion> SharedRegion::create_sub(size_t offset, size_t size,
                                                       ObjectKind kind) {
  if (offset + size > mapping_->size()) fail(MPROC_EINTERNAL, "sub-region out of bounds");
  auto region = std::make_shared<SharedRegion>(mapping_, offset_ + offset, kind, std::string());
  ObjectHeader& h = region->header();
  h.version = ObjectHeader::kVersion;
  h.kind = static_cast<uint16_t>(kind);
  h.size = size;
  region->size_ = size;
  return region;
}

std::shared_ptr<SharedRegion> SharedRegion::sub(size_t offset, ObjectKind kind) {
  auto region = std::make_shared<SharedRegion>(mapping_, offset_ + offset, kind, std::string());
  region->validate();
  return region;
}

void SharedRegion::publish() noexcept {
  header().magic.store(ObjectHeader::kMagic, std::memory_order_release);
}

void SharedRegion::validate() {
  // A whole named mapping without our header is some other program's
  // object (one of CPython's SharedMemory blocks, say): the wrong type, not
  // a corrupt one of ours.
  bool whole_named = offset_ == 0 && !name_.empty();
  if (whole_named && (mapping_->size() < kStateOffset ||
                      header().magic.load(std::memory_order_acquire) != ObjectHeader::kMagic))
    fail(MPROC_ETYPE, "shared object '" + name_ + "' is not an mproc object (opened as: " +
                          object_kind_name(kind_) + ")");
  if (offset_ % 8 != 0 || offset_ > mapping_->size() ||
      mapping_->size() - offset_ < kStateOffset)
    fail(MPROC_ECORRUPT, std::string(object_kind_name(kind_)) + ": region out of bounds");
  const ObjectHeader& h = header();
  if (h.magic.load(std::memory_order_acquire) != ObjectHeader::kMagic)
    fail(MPROC_ECORRUPT, std::string(object_kind_name(kind_)) +
                             ": shared memory does not hold an mproc object");
  if (h.version != ObjectHeader::kVersion)
    fail(MPROC_ECORRUPT, std::string(object_kind_name(kind_)) +
                             ": made by an incompatible version of mproc");
  if (h.kind != static_cast<uint16_t>(kind_))
    fail(MPROC_ETYPE, std::string("expected a ") + object_kind_name(kind_) + ", found a " +
                          object_kind_name(static_cast<ObjectKind>(h.kind)));
  const uint64_t size = h.size;  // read once: a peer may be writing it
  if (size < kStateOffset || size > mapping_->size() - offset_)
    fail(MPROC_ECORRUPT, std::string(object_kind_name(kind_)) + ": header size is wrong");
  size_ = size;
}

void SharedRegion::fail_too_small(size_t state_size) const {
  fail(MPROC_ECORRUPT, std::string(object_kind_name(kind_)) + ": its region of " +
                           std::to_string(size_) + " bytes can not hold its state (" +
                           std::to_string(state_size) + " bytes)");
}

std::shared_ptr<SharedRegion> SharedRegion::open(const std::string& name, ObjectKind kind) {
  // A creator sizes and publishes within microseconds of creating the
  // name; give it a moment rather than fail an open that raced it.
  platform::Deadline grace = platform::Deadline::after_ms(2000);
  auto mapping = std::make_shared<platform::SharedMapping>(
      platform::SharedMapping::open_named(name, grace));
  auto region = std::make_shared<SharedRegion>(std::move(mapping), 0, kind, name);
  // Until its header is begun (version written) an object may as well be
  // someone else's: that is given only a short while.
  platform::Deadline unbegun = platform::Deadline::after_ms(50);
  auto waiting = [&] {
    const ObjectHeader& h = region->header();
    if (h.magic.load(std::memory_order_acquire) == ObjectHeader::kMagic) return false;
    return !(h.version == ObjectHeader::kVersion ? grace : unbegun).expired();
  };
  if (region->mapping_->size() >= kStateOffset)
    while (waiting()) std::this_thread::yield();
  region->validate();
  return region;
}

std::shared_ptr<SharedRegion> SharedRegion::decode(WireReader& in, ReceivedFds& fds,
                                                   ObjectKind kind) {
  platform::UniqueFd fd = fds.take(in.u32());
  int64_t offset = in.i64();
  std::string name = in.str();
  if (offset < 0) fail(MPROC_ECORRUPT, "region with a negative offset");
  auto mapping = std::make_shared<platform::SharedMapping>(
      platform::SharedMapping::from_fd(std::move(fd)));
  auto region = std::make_shared<SharedRegion>(std::move(mapping), static_cast<size_t>(offset),
                                               kind, std::move(name));
  region->validate();
  return region;
}

void SharedRegion::encode(WireWriter& out, std::vector<int>& fds) const {
  encode_fd(out, fds, mapping_->fd());
  out.i64(static_cast<int64_t>(offset_));
  out.str(name_);
}

void unlink_shared(const std::string& name) { platform::SharedMapping::unlink_named(name); }

}  // namespace mproc::core
