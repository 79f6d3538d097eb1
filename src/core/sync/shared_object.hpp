// What every shared synchronisation object has in common: a region of
// shared memory, a name if it has one, and the ability to travel to a
// child as an argument.
#pragma once

#include <memory>

#include "core/sync/shared_region.hpp"

namespace mproc::core {

class SharedObject : public Shareable {
 public:
  explicit SharedObject(std::shared_ptr<SharedRegion> region) : region_(std::move(region)) {}
  const std::string& name() const noexcept { return region_->name(); }
  const std::shared_ptr<SharedRegion>& region() const noexcept { return region_; }
  void encode(WireWriter& out, std::vector<int>& fds) const override {
    region_->encode(out, fds);
  }

 protected:
  // ECORRUPT when the region is too small for it (SharedRegion::state).
  template <class State>
  State& state() const {
    return region_->state<State>();
  }

 private:
  std::shared_ptr<SharedRegion> region_;
};

}  // namespace mproc::core
