// WaitSet: Python's multiprocessing.connection.wait() over any mix of
// objects (connections, listeners, process and command sentinels, queues,
// the program's own descriptors), as a reusable set.
//
// Each member is a descriptor to wait on and a check that says whether
// the member is ready now. The descriptor alone may mislead -- a
// connection may hold whole messages it read ahead while its socket is
// quiet; a queue's descriptor lags its state by a moment -- so the checks
// decide: wait() looks at every check, waits on the descriptors only when
// none is ready, and looks again after every wake-up.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "platform/deadline.hpp"

namespace mproc::core {

class WaitSet {
 public:
  struct Member {
    // The descriptor to wait on for reading; called only when ready()
    // said no just before. May throw (the member is then reported ready:
    // a call on it will answer at once, with the reason).
    std::function<int()> fd;
    std::function<bool()> ready;
  };

  // Returns the member's slot: a stable index, reused only after remove.
  size_t add(Member m);
  // Throws MPROC_EINVAL for a slot not in use.
  void remove(size_t slot);
  // 0 with the ready slots in order in *ready (all of them; at least one),
  // or MPROC_ETIMEDOUT. Throws MPROC_EINVAL on an empty set (nothing could
  // ever become ready).
  int wait(const platform::Deadline& deadline, std::vector<size_t>* ready);

 private:
  std::mutex mu_;
  std::vector<Member> members_;  // an empty `ready` marks a free slot
};

}  // namespace mproc::core
