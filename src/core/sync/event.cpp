#include "core/sync/event.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {
constexpr int64_t kSpinNs = 20000;
}  // namespace

Event::Event(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<EventState>()) {}

std::shared_ptr<Event> Event::create(const SharedOptions& options) {
  auto region = SharedRegion::create(ObjectKind::kEvent,
                                     platform::page_size(), options);
  auto& s = region->state<EventState>();
  s.flag.store(0, std::memory_order_relaxed);
  s.sleepers.store(0, std::memory_order_relaxed);
  platform::wait_cell_init(s.cell);
  region->publish();
  return std::make_shared<Event>(std::move(region));
}

std::shared_ptr<Event> Event::open(const std::string& name) {
  return std::make_shared<Event>(SharedRegion::open(name, ObjectKind::kEvent));
}

std::shared_ptr<Event> Event::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<Event>(SharedRegion::decode(in, fds, ObjectKind::kEvent));
}

int Event::arg_type() const noexcept { return MPROC_ARG_EVENT; }

void Event::set() {
  s_.flag.store(1, std::memory_order_seq_cst);
  if (s_.sleepers.load(std::memory_order_seq_cst) > 0)
    platform::wake(s_.cell, s_.flag, platform::kWakeAll);
}

int Event::wait(const platform::Deadline& deadline) {
  if (is_set()) return 0;
  if (deadline.immediate()) return MPROC_ETIMEDOUT;
  if (platform::spin_until([this] { return is_set(); }, kSpinNs)) return 0;
  s_.sleepers.fetch_add(1, std::memory_order_seq_cst);
  int rc = 0;
  while (s_.flag.load(std::memory_order_seq_cst) == 0) {
    if (!platform::wait_on(s_.cell, s_.flag, 0, deadline) && deadline.expired()) {
      rc = is_set() ? 0 : MPROC_ETIMEDOUT;
      break;
    }
  }
  s_.sleepers.fetch_sub(1, std::memory_order_relaxed);
  return rc;
}

}  // namespace mproc::core
