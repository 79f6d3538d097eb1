// Event (Python's multiprocessing.Event): a flag in shared memory that
// waiters in any process sleep on until it is set.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/shared_object.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct EventState {
  std::atomic<uint32_t> flag;
  std::atomic<uint32_t> sleepers;
  platform::WaitCell cell;
};

class Event : public SharedObject {
 public:
  static std::shared_ptr<Event> create(const SharedOptions& options);
  static std::shared_ptr<Event> open(const std::string& name);
  static std::shared_ptr<Event> decode(WireReader& in, ReceivedFds& fds);
  explicit Event(std::shared_ptr<SharedRegion> region);

  void set();
  void clear() noexcept { s_.flag.store(0, std::memory_order_release); }
  bool is_set() const noexcept { return s_.flag.load(std::memory_order_acquire) != 0; }
  // 0 once set, MPROC_ETIMEDOUT if it was not set in time.
  int wait(const platform::Deadline& deadline);
  int arg_type() const noexcept override;

 private:
  EventState& s_;
};

}  // namespace mproc::core
