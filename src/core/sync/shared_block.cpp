#include "core/sync/shared_block.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

constexpr size_t kLockOffset = 512;

size_t page_size() { return platform::page_size(); }

}  // namespace

SharedBlock::SharedBlock(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)) {
  const BlockState& s = state<BlockState>();
  // Another process wrote these: check them against the mapping itself.
  size_t region_size = this->region()->size();
  if (s.data_offset < kLockOffset + kLockRegionSize || s.data_offset > region_size ||
      s.data_size > region_size - s.data_offset)
    fail(MPROC_ECORRUPT, "shared block: its recorded layout does not fit its memory");
  data_ = static_cast<char*>(this->region()->base()) + s.data_offset;
  size_ = s.data_size;
}

std::shared_ptr<SharedBlock> SharedBlock::create(size_t size, const SharedOptions& options) {
  if (size == 0) fail(MPROC_EINVAL, "shared block: size must be at least 1 byte");
  size_t page = page_size();
  if (size > SIZE_MAX - 2 * page) fail(MPROC_ENOMEM, "shared block: size too large");
  size_t total = page + (size + page - 1) / page * page;
  auto region = SharedRegion::create(ObjectKind::kBlock, total, options);
  auto& s = region->state<BlockState>();
  s.data_offset = page;
  s.data_size = size;
  auto lock = region->create_sub(kLockOffset, kLockRegionSize, ObjectKind::kLock);
  init_lock_region(*lock);
  lock->publish();
  region->publish();
  return std::make_shared<SharedBlock>(std::move(region));
}

std::shared_ptr<SharedBlock> SharedBlock::open(const std::string& name) {
  return std::make_shared<SharedBlock>(SharedRegion::open(name, ObjectKind::kBlock));
}

std::shared_ptr<SharedBlock> SharedBlock::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<SharedBlock>(SharedRegion::decode(in, fds, ObjectKind::kBlock));
}

std::shared_ptr<Lock> SharedBlock::lock() {
  return std::make_shared<Lock>(region()->sub(kLockOffset, ObjectKind::kLock));
}

int SharedBlock::arg_type() const noexcept { return MPROC_ARG_SHM; }

}  // namespace mproc::core
