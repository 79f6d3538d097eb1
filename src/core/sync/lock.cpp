#include "core/sync/lock.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

size_t page_size() {
  static const size_t size = platform::page_size();
  return size;
}

std::shared_ptr<SharedRegion> new_lock_region(ObjectKind kind, const SharedOptions& options) {
  auto region = SharedRegion::create(kind, page_size(), options);
  init_lock_region(*region);
  region->publish();
  return region;
}

}  // namespace

void init_lock_region(SharedRegion& region) {
  static_assert(kStateOffset + sizeof(OwnedLockState) <= kLockRegionSize);
  owned_lock_init(region.state<OwnedLockState>());
}

std::shared_ptr<Lock> Lock::create(const SharedOptions& options) {
  return std::make_shared<Lock>(new_lock_region(ObjectKind::kLock, options));
}

std::shared_ptr<Lock> Lock::open(const std::string& name) {
  return std::make_shared<Lock>(SharedRegion::open(name, ObjectKind::kLock));
}

std::shared_ptr<Lock> Lock::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<Lock>(SharedRegion::decode(in, fds, ObjectKind::kLock));
}

int Lock::arg_type() const noexcept { return MPROC_ARG_LOCK; }

std::shared_ptr<RLock> RLock::create(const SharedOptions& options) {
  return std::make_shared<RLock>(new_lock_region(ObjectKind::kRLock, options));
}

std::shared_ptr<RLock> RLock::open(const std::string& name) {
  return std::make_shared<RLock>(SharedRegion::open(name, ObjectKind::kRLock));
}

std::shared_ptr<RLock> RLock::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<RLock>(SharedRegion::decode(in, fds, ObjectKind::kRLock));
}

int RLock::arg_type() const noexcept { return MPROC_ARG_RLOCK; }

}  // namespace mproc::core
