#include "core/shareable.hpp"

#include <mproc/args.h>

#include "core/connection.hpp"
#include "core/containers/dict.hpp"
#include "core/containers/list.hpp"
#include "core/queue/queue.hpp"
#include "core/sync/barrier.hpp"
#include "core/sync/condition.hpp"
#include "core/sync/event.hpp"
#include "core/sync/lock.hpp"
#include "core/sync/semaphore.hpp"
#include "core/sync/shared_block.hpp"

namespace mproc::core {

platform::UniqueFd ReceivedFds::take(uint32_t index) {
  if (index >= fds_.size() || !fds_[index])
    fail(MPROC_ECORRUPT, "record refers to a descriptor it did not carry");
  return std::move(fds_[index]);
}

std::shared_ptr<Shareable> decode_shareable(int arg_type, WireReader& in,
                                            ReceivedFds& fds) {
  switch (arg_type) {
    case MPROC_ARG_CONN:
      return Connection::decode(in, fds);
    case MPROC_ARG_LOCK:
      return Lock::decode(in, fds);
    case MPROC_ARG_RLOCK:
      return RLock::decode(in, fds);
    case MPROC_ARG_SEM:
      return Semaphore::decode(in, fds);
    case MPROC_ARG_EVENT:
      return Event::decode(in, fds);
    case MPROC_ARG_COND:
      return Condition::decode(in, fds);
    case MPROC_ARG_BARRIER:
      return Barrier::decode(in, fds);
    case MPROC_ARG_SHM:
      return SharedBlock::decode(in, fds);
    case MPROC_ARG_QUEUE:
      return Queue::decode(in, fds);
    case MPROC_ARG_DICT:
      return SharedDict::decode(in, fds);
    case MPROC_ARG_LIST:
      return SharedList::decode(in, fds);
    default:
      fail(MPROC_ECORRUPT,
           "record holds an object of unknown type " + std::to_string(arg_type));
  }
}

}  // namespace mproc::core
