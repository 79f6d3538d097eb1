// The pool's wire records (core/pool/pool_wire.*): the task messages a
// worker takes apart and the reply messages the pool takes apart, both
// read from queues other processes write, and the MPI pool's messages
// (core/pool/mpi/mpi_wire.*) that carry them between ranks. The first
// byte picks the reader; the rest is the message. Whatever a decoder accepts must lie
// inside the message, with the sizes it promises: a fixed chunk's inputs
// fill it and its outputs fit in a reply, every variable item lies within
// it, every code is 0 or an error. (The chunk a reply answers is the
// pool's own; here its size comes from the input too.)
#include <cstring>

#include "core/pool/mpi/mpi_wire.hpp"
#include "core/pool/pool_wire.hpp"
#include "fuzz_common.hpp"

using namespace mproc;
using namespace mproc::fuzz;
using namespace mproc::core;

namespace {

// A reply queue's limit for a small pool's queues.
constexpr uint64_t kReplyLimit = 64 * 1024;

// Whether `part` lies within `whole`; reads it too, so that ASan sees a
// view that reaches past the input.
bool inside(std::string_view part, std::string_view whole) {
  volatile unsigned char sum = 0;
  for (char c : part) sum = sum + static_cast<unsigned char>(c);
  return part.empty() || (part.data() >= whole.data() &&
                          part.data() + part.size() <= whole.data() + whole.size());
}

void read_task(std::string_view msg) {
  TaskView t;
  if (!decode_task(msg, kReplyLimit, &t)) return;
  require(inside(t.name, msg) && inside(t.payload, msg) && t.name.size() == t.header.name_len,
          "task: a part outside the message");
  switch (static_cast<TaskKind>(t.header.kind)) {
    case TaskKind::kFixedChunk:
      require(t.header.count * t.header.in_size == t.payload.size(),
              "task: a fixed chunk whose inputs do not fill it");
      require(t.header.out_size == 0 || t.header.count * t.header.out_size <= kReplyLimit,
              "task: a fixed chunk whose outputs do not fit a reply");
      break;
    case TaskKind::kVarChunk: {
      std::string_view rest = t.payload, item;
      for (uint64_t i = 0; i < t.header.count && take_var_input(&rest, &item); ++i)
        require(inside(item, msg), "task: an input outside the message");
      break;
    }
    default:
      break;
  }
}

void read_reply(std::string_view msg, uint64_t count, uint64_t out_size) {
  ReplyView r;
  if (!decode_reply(msg, &r)) return;
  require(inside(r.message, msg) && inside(r.payload, msg) &&
              r.message.size() == r.header.message_len,
          "reply: a part outside the message");
  require(r.header.code <= 0, "reply: a code that is not an error");
  if (fixed_reply_fits(r, count, out_size)) {
    uint64_t outputs = r.header.code == 0 ? count : r.header.failed_index;
    require(outputs <= count && outputs * out_size == r.payload.size(),
            "reply: a fixed chunk's outputs do not match it");
  }
  std::string_view rest = r.payload, bytes;
  int32_t code;
  for (uint64_t i = 0; i < count && take_var_reply(&rest, &code, &bytes); ++i)
    require(code <= 0 && inside(bytes, msg), "reply: an item outside the message");
}

// An MPI message: its records are task messages (a batch) or reply
// messages (the replies, a rank's ready); a begin's record is a WireWriter
// record whose arguments fuzz_args.cpp covers.
void read_mpi(std::string_view msg, uint64_t count, uint64_t out_size) {
  MpiMsgView m;
  if (!decode_mpi_msg(msg, &m)) return;
  require(inside(m.body, msg), "mpi: a body outside the message");
  std::string_view rest = m.body, record;
  for (uint64_t i = 0; i < m.header.count && take_mpi_record(&rest, &record); ++i) {
    require(inside(record, msg), "mpi: a record outside the message");
    switch (static_cast<MpiMsgKind>(m.header.kind)) {
      case MpiMsgKind::kBatch:
        read_task(record);
        break;
      case MpiMsgKind::kReplies:
      case MpiMsgKind::kReady:
        read_reply(record, count, out_size);
        break;
      default:
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view msg(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int reader = data[0] % 3;
  if (reader == 0) {
    read_task(msg);
    return 0;
  }
  // The chunk a reply answers: a count and an output size the pool chose
  // (its chunks fit in a task message), taken from the input's end.
  uint16_t count = 0, out_size = 0;
  if (msg.size() >= 4) {
    std::memcpy(&count, msg.data() + msg.size() - 4, 2);
    std::memcpy(&out_size, msg.data() + msg.size() - 2, 2);
    msg.remove_suffix(4);
  }
  if (reader == 1) {
    read_reply(msg, count, out_size);
  } else {
    read_mpi(msg, count, out_size);
  }
  return 0;
}
