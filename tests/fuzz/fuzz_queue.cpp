// The queue's ring (core/queue/*): its shared header and its records, as
// a live queue sees them while a peer writes into them. The fuzzer's input
// is a script run on a fresh small queue: puts and gets of various sizes
// (into a message or a caller's buffer), queries, a peer attaching to the
// same memory (the queue decoded again), and writes into the shared state
// (a field of the header set or moved, or bytes written anywhere in the
// state page or the ring). Every call is made with timeout 0.
// Until the first write, the queue must behave exactly as a FIFO of what
// was put (checked against a model). From then on each call must return a
// documented code and any message it gives must be within the queue's
// limits: valid data or MPROC_ECORRUPT, never a crash, a hang or a read or
// write outside the mapping (ASan + UBSan watch).
#include <mproc/queue.h>

#include <cstring>
#include <deque>

#include "core/queue/queue.hpp"
#include "fuzz_common.hpp"

using namespace mproc;
using namespace mproc::fuzz;
using core::Queue;
using core::QueueState;

namespace {

const platform::Deadline kNow = platform::Deadline::after_ms(0);

// The message put as number `seq`: its number, then bytes that depend on it.
std::string message_for(uint64_t seq, size_t len) {
  std::string m(len, '\0');
  for (size_t i = 0; i < len; ++i) m[i] = static_cast<char>(seq * 31 + i);
  std::memcpy(m.data(), &seq, std::min(len, sizeof seq));
  return m;
}

// The header fields a peer may write, as offsets into QueueState.
size_t field_offset(const QueueState& s, unsigned which) {
  const void* fields[] = {&s.tail, &s.head, &s.put_count, &s.get_count, &s.seen_head,
                          &s.seen_taken, &s.seen_tail, &s.rewind_check_at,
                          &s.put_intent.position, &s.put_intent.count,
                          &s.get_intent.position, &s.get_intent.count, &s.capacity,
                          &s.maxsize, &s.data_offset, &s.done_count, &s.closed,
                          &s.tail_lock.word, &s.head_lock.word};
  const void* field = fields[which % std::size(fields)];
  return static_cast<const char*>(field) - reinterpret_cast<const char*>(&s);
}

struct Run {
  std::shared_ptr<Queue> q;
  std::deque<std::string> model;  // what the queue holds, while untouched
  uint64_t next_seq = 0;
  bool touched = false;  // a peer wrote into the shared memory

  void put(size_t len) {
    std::string m = message_for(next_seq, len);
    int rc = 0;
    // ENOSPC / ENOMEM: the ring's pages could not be backed (a full /dev/shm).
    if (!runs_or_refuses([&] { rc = q->put(m.data(), m.size(), kNow); },
                                 {MPROC_ENOSPC, MPROC_ENOMEM}))
      return;
    if (touched) {
      require(one_of(rc, {0, MPROC_EFULL, MPROC_ECLOSED, MPROC_ETOOBIG, MPROC_ECORRUPT}),
              "put returned a code it does not document");
      return;
    }
    if (len > q->max_message()) {
      require(rc == MPROC_ETOOBIG, "put of a message beyond the limit did not say ETOOBIG");
      return;
    }
    // An empty queue takes any message within the limit.
    require(rc == 0 || (rc == MPROC_EFULL && !model.empty()), "put failed on a sound queue");
    if (rc == 0) {
      model.push_back(std::move(m));
      ++next_seq;
    }
  }

  void got(int rc, const std::string& m) {
    if (touched) {
      require(one_of(rc, {0, MPROC_EEMPTY, MPROC_ECLOSED, MPROC_ETOOBIG, MPROC_ECORRUPT}),
              "get returned a code it does not document");
      require(rc != 0 || m.size() <= q->max_message(), "get gave a message beyond the limit");
      return;
    }
    if (model.empty()) {
      require(rc == MPROC_EEMPTY, "get on an empty sound queue did not say EEMPTY");
      return;
    }
    require(rc == 0, "get failed on a sound queue holding messages");
    require(m == model.front(), "get gave other bytes than were put");
    model.pop_front();
  }

  void get() {
    mproc_msg_s* m = nullptr;
    int rc = q->get(&m, kNow);
    std::string bytes;
    if (rc == 0) {
      bytes.assign(reinterpret_cast<const char*>(m->data()), m->size);
      core::message_free(m);
    }
    got(rc, bytes);
  }

  void get_into(size_t cap) {
    std::string buf(cap, '\0');
    size_t len = 0;
    int rc = q->get_into(buf.data(), cap, &len, kNow);
    if (rc == MPROC_ETOOBIG) {
      // The message stays for a larger buffer.
      require(touched || (!model.empty() && len == model.front().size() && len > cap),
              "get_into said ETOOBIG wrongly");
      return;
    }
    buf.resize(rc == 0 ? len : 0);
    got(rc, buf);
  }

  void queries() {
    uint64_t n = q->qsize();
    require(touched || n == model.size(), "qsize disagrees with what was put");
    uint64_t taken = 0;
    int rc = q->taken_settled(&taken, kNow);
    require(one_of(rc, {0, MPROC_ETIMEDOUT}), "taken_settled returned a code it does not document");
    require(touched || (rc == 0 && taken == next_seq - model.size()), "taken disagrees");
    require(one_of(q->task_done(), {0, MPROC_ESTATE}), "task_done: undocumented code");
    require(one_of(q->join(kNow), {0, MPROC_ETIMEDOUT}), "join: undocumented code");
  }

  // A peer attaches to the same memory: the queue decoded again from the
  // record its parent would send, and used from then on.
  void reattach() {
    Sent sent;
    q->encode(sent.record, sent.fds);
    core::WireReader in(sent.record.data());
    core::ReceivedFds received(received_copies(sent.fds));
    std::shared_ptr<Queue> again;
    if (runs_or_refuses([&] { again = Queue::decode(in, received); },
                                {MPROC_ECORRUPT, MPROC_ETYPE})) {
      q = std::move(again);
    } else {
      require(touched, "a sound queue refused as corrupt");
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  core::QueueOptions options;
  options.capacity = uint64_t{4096} << in.ConsumeIntegralInRange<int>(0, 2);
  options.maxsize = in.ConsumeIntegralInRange<uint64_t>(0, 6);
  Run run;
  run.q = Queue::create(options);
  // The creator keeps its mapping, which the writes below go to, while
  // the queue in use may be a peer's attachment (reattach).
  const std::shared_ptr<Queue> creator = run.q;
  auto* base = static_cast<unsigned char*>(creator->region()->base());
  const size_t mapped = creator->region()->size();
  auto& state = creator->region()->state<QueueState>();
  const size_t state_at = reinterpret_cast<unsigned char*>(&state) - base;
  const size_t largest = creator->max_message();

  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:  // a small message
        run.put(in.ConsumeIntegralInRange<size_t>(0, 64));
        break;
      case 1:  // any size, up to just past the limit
        run.put(in.ConsumeIntegralInRange<size_t>(0, largest + 16));
        break;
      case 2:
        run.get();
        break;
      case 3:
        run.get_into(in.ConsumeIntegralInRange<size_t>(0, largest + 16));
        break;
      case 4:
        run.queries();
        break;
      case 5:
        run.reattach();
        break;
      case 6: {  // a peer sets a header field, or moves it by whole records
        size_t at = state_at + field_offset(state, in.ConsumeIntegral<uint8_t>());
        uint64_t value;
        std::memcpy(&value, base + at, sizeof value);
        if (in.ConsumeBool()) {
          value += static_cast<uint64_t>(in.ConsumeIntegralInRange<int64_t>(-64, 64)) * 8;
        } else {
          value = in.ConsumeIntegral<uint64_t>();
        }
        size_t width = at + sizeof value <= mapped ? sizeof value : 4;
        std::memcpy(base + at, &value, width);
        run.touched = true;
        break;
      }
      default: {  // a peer writes bytes anywhere in the state page or the ring
        size_t at = in.ConsumeIntegralInRange<size_t>(0, mapped - 1);
        std::string bytes = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(1, 16));
        std::memcpy(base + at, bytes.data(), std::min(bytes.size(), mapped - at));
        run.touched = true;
      }
    }
  }
  return 0;
}
