// Shared-object headers (core/shareable.*, core/sync/shared_region.* and
// the state each object keeps in shared memory, over platform/shm.hpp): a
// child decoding an object its parent sent, after the object's memory was
// written by a peer. The fuzzer's input picks the type and flavour of a
// fresh object, the record sent for it (the genuine one or the fuzzer's
// bytes) and writes into its memory (bytes at an offset, or a block copied
// within the mapping, e.g. a header moved where a forged record points).
// Decoding must succeed or refuse with ECORRUPT or ETYPE; an object that
// decodes must then stand the calls a child makes at once (none waits):
// each returns a documented code, and nothing reads outside the mapping.
// (Barrier and shared dict and list calls are left out: their internal
// locks wait without a deadline, as for a live holder, when a peer writes
// an owner into the lock word; those objects are decoded only.)
#include <mproc/args.h>

#include <cstring>

#include "core/queue/queue.hpp"
#include "core/sync/barrier.hpp"
#include "core/sync/condition.hpp"
#include "core/sync/event.hpp"
#include "core/sync/lock.hpp"
#include "core/sync/semaphore.hpp"
#include "core/sync/shared_block.hpp"
#include "fuzz_common.hpp"

using namespace mproc;
using namespace mproc::fuzz;

namespace {

const platform::Deadline kNow = platform::Deadline::after_ms(0);

// In the order make_corpus.cpp's seeds name them.
constexpr int kTypes[] = {MPROC_ARG_CONN,    MPROC_ARG_LOCK, MPROC_ARG_RLOCK, MPROC_ARG_SEM,
                          MPROC_ARG_EVENT,   MPROC_ARG_COND, MPROC_ARG_BARRIER,
                          MPROC_ARG_SHM,     MPROC_ARG_QUEUE, MPROC_ARG_DICT, MPROC_ARG_LIST};

// The invariant every decoded object keeps: its state lies inside its
// region, which lies inside the mapping (checked when decoded).
template <class State>
void state_fits(const core::Shareable& object) {
  const auto& region = *static_cast<const core::SharedObject&>(object).region();
  require(region.size() >= core::kStateOffset + sizeof(State),
          "an object whose state does not fit in its region");
}

template <class L>
void lock_and_release(L& lock) {
  int rc = lock.acquire(kNow);
  require(one_of(rc, {0, MPROC_EOWNERDEAD, MPROC_ETIMEDOUT}), "lock: undocumented code");
  if (rc == 0 || rc == MPROC_EOWNERDEAD) require(lock.release() == 0, "lock: release failed");
}

void use(int type, const std::shared_ptr<core::Shareable>& object) {
  using namespace core;
  switch (type) {
    case MPROC_ARG_LOCK:
      state_fits<OwnedLockState>(*object);
      lock_and_release(static_cast<Lock&>(*object));
      break;
    case MPROC_ARG_RLOCK:
      state_fits<OwnedLockState>(*object);
      lock_and_release(static_cast<RLock&>(*object));
      break;
    case MPROC_ARG_SEM: {
      state_fits<SemaphoreState>(*object);
      auto& sem = static_cast<Semaphore&>(*object);
      int rc = sem.acquire(kNow);
      require(one_of(rc, {0, MPROC_ETIMEDOUT}), "semaphore: undocumented code");
      require(one_of(sem.release(1), {0, MPROC_ESTATE, MPROC_EOVERFLOW}),
              "semaphore: undocumented code");
      break;
    }
    case MPROC_ARG_EVENT: {
      state_fits<EventState>(*object);
      auto& event = static_cast<Event&>(*object);
      require(one_of(event.wait(kNow), {0, MPROC_ETIMEDOUT}), "event: undocumented code");
      event.set();
      require(event.wait(kNow) == 0, "event: not set after set");
      event.clear();
      break;
    }
    case MPROC_ARG_COND: {
      state_fits<ConditionState>(*object);
      auto& cond = static_cast<Condition&>(*object);
      int rc = cond.acquire(kNow);
      require(one_of(rc, {0, MPROC_EOWNERDEAD, MPROC_ETIMEDOUT}), "condition: undocumented code");
      if (rc == MPROC_ETIMEDOUT) break;
      require(one_of(cond.wait(kNow), {0, MPROC_ETIMEDOUT, MPROC_EOWNERDEAD}),
              "condition: undocumented code");
      require(cond.release() == 0, "condition: release failed");
      break;
    }
    case MPROC_ARG_BARRIER:
      state_fits<BarrierState>(*object);
      require(static_cast<Barrier&>(*object).parties() > 0, "barrier: no parties");
      break;
    case MPROC_ARG_SHM: {
      state_fits<BlockState>(*object);
      auto& block = static_cast<SharedBlock&>(*object);
      auto* bytes = static_cast<volatile unsigned char*>(block.data());
      if (block.size() > 0) bytes[block.size() - 1] = bytes[0];
      std::shared_ptr<Lock> lock;
      if (runs_or_refuses([&] { lock = block.lock(); }, {MPROC_ECORRUPT, MPROC_ETYPE}))
        lock_and_release(*lock);
      break;
    }
    case MPROC_ARG_QUEUE: {
      state_fits<QueueState>(*object);
      auto& queue = static_cast<Queue&>(*object);
      const char msg[] = "fuzz";
      require(one_of(queue.put(msg, sizeof msg, kNow),
                     {0, MPROC_EFULL, MPROC_ECLOSED, MPROC_ECORRUPT}),
              "queue: undocumented code");
      mproc_msg_s* m = nullptr;
      int rc = queue.get(&m, kNow);
      require(one_of(rc, {0, MPROC_EEMPTY, MPROC_ECLOSED, MPROC_ECORRUPT}),
              "queue: undocumented code");
      if (rc == 0) {
        require(m->size <= queue.max_message(), "queue: a message beyond the limit");
        core::message_free(m);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int type = kTypes[in.ConsumeIntegralInRange<size_t>(0, std::size(kTypes) - 1)];
  const unsigned variant = in.ConsumeIntegral<uint8_t>();
  std::shared_ptr<core::Shareable> original = make_object(type, variant);
  Sent sent;
  original->encode(sent.record, sent.fds);
  std::string record = in.ConsumeBool()
                           ? in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(0, 96))
                           : sent.record.data();

  // The peer's writes into the object's memory.
  if (auto* shared = dynamic_cast<core::SharedObject*>(original.get())) {
    auto* base = static_cast<unsigned char*>(shared->region()->base());
    const size_t mapped = shared->region()->size();  // fresh: the whole mapping
    while (in.remaining_bytes() > 0) {
      size_t to = in.ConsumeIntegralInRange<size_t>(0, mapped - 1);
      if (in.ConsumeBool()) {
        std::string bytes = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(1, 16));
        size_t n = std::min(bytes.size(), mapped - to);
        std::memcpy(base + to, bytes.data(), n);
      } else {
        size_t from = in.ConsumeIntegralInRange<size_t>(0, mapped - 1);
        size_t n = std::min({in.ConsumeIntegralInRange<size_t>(1, 512), mapped - to, mapped - from});
        std::memmove(base + to, base + from, n);
      }
    }
  }

  std::shared_ptr<core::Shareable> decoded;
  core::WireReader reader(record);
  core::ReceivedFds received(received_copies(sent.fds));
  if (!runs_or_refuses(
          [&] { decoded = core::decode_shareable(type, reader, received); },
          {MPROC_ECORRUPT, MPROC_ETYPE}))
    return 0;
  require(decoded != nullptr && decoded->arg_type() == type, "decoded an object of another type");
  use(type, decoded);
  return 0;
}
