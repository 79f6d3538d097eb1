#include "fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>

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
#include "core/tasks.hpp"

namespace mproc::fuzz {

void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void note_refusal(const Error& e) {
  static const bool verbose = std::getenv("MPROC_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "refused: %s: %s\n", error_name(e.code()), e.what());
}

std::shared_ptr<core::Shareable> make_object(int type, unsigned variant) {
  using namespace core;
  const SharedOptions anonymous;
  switch (type) {
    case MPROC_ARG_CONN:
      return Connection::make_pair(variant % 2 == 0).first;
    case MPROC_ARG_LOCK:
      return Lock::create(anonymous);
    case MPROC_ARG_RLOCK:
      return RLock::create(anonymous);
    case MPROC_ARG_SEM:
      return Semaphore::create(variant % 3, variant % 2 == 1, anonymous);
    case MPROC_ARG_EVENT:
      return Event::create(anonymous);
    case MPROC_ARG_COND:
      switch (variant % 3) {
        case 0: return Condition::create(nullptr, nullptr, anonymous);
        case 1: return Condition::create(Lock::create(anonymous), nullptr, anonymous);
        default: return Condition::create(nullptr, RLock::create(anonymous), anonymous);
      }
    case MPROC_ARG_BARRIER:
      return Barrier::create(1 + variant % 3, anonymous);
    case MPROC_ARG_SHM:
      return SharedBlock::create(1 + variant % 5000, anonymous);
    case MPROC_ARG_QUEUE: {
      QueueOptions options;
      options.capacity = 4096;
      options.maxsize = variant % 4;
      return Queue::create(options);
    }
    case MPROC_ARG_DICT:
    case MPROC_ARG_LIST: {
      ContainerOptions options;
      options.limit = kMinContainerLimit << (variant % 3);
      if (type == MPROC_ARG_DICT) return SharedDict::create(options);
      return SharedList::create(options);
    }
    default:
      finding("make_object: not a shareable type");
  }
}

std::vector<platform::UniqueFd> received_copies(const std::vector<int>& fds) {
  std::vector<platform::UniqueFd> out;
  out.reserve(fds.size());
  for (int fd : fds) out.push_back(platform::dup_cloexec(fd));
  return out;
}

const Fixtures& fixtures() {
  static const Fixtures* made = [] {
    auto* f = new Fixtures;
    for (int type : {MPROC_ARG_CONN, MPROC_ARG_LOCK, MPROC_ARG_RLOCK, MPROC_ARG_SEM,
                     MPROC_ARG_EVENT, MPROC_ARG_COND, MPROC_ARG_BARRIER, MPROC_ARG_SHM,
                     MPROC_ARG_QUEUE, MPROC_ARG_DICT, MPROC_ARG_LIST})
      f->objects.push_back(make_object(type, 1));
    core::WireWriter unused;
    for (const auto& object : f->objects) object->encode(unused, f->fds);
    f->plain = platform::dup_cloexec(f->fds.front());
    f->fds.push_back(f->plain.get());
    return f;
  }();
  return *made;
}

namespace {

int fuzz_task(const mproc_args_t*) { return 0; }

}  // namespace

void register_fuzz_task() {
  static const bool done = [] {
    core::register_task(kTaskName, &fuzz_task);
    return true;
  }();
  (void)done;
}

}  // namespace mproc::fuzz
