#include "core/pool/pool_wire.hpp"

#include <cstring>

namespace mproc::core {
namespace {

// Copies a fixed-size record off the front of `rest`; false when short.
template <class T>
bool take(std::string_view* rest, T* out) {
  if (rest->size() < sizeof(T)) return false;
  std::memcpy(out, rest->data(), sizeof(T));
  rest->remove_prefix(sizeof(T));
  return true;
}

// Takes `len` bytes off the front of `rest`; false when fewer are left.
bool take_bytes(std::string_view* rest, uint64_t len, std::string_view* out) {
  if (len > rest->size()) return false;
  *out = rest->substr(0, static_cast<size_t>(len));
  rest->remove_prefix(static_cast<size_t>(len));
  return true;
}

}  // namespace

bool decode_task(std::string_view msg, uint64_t reply_limit, TaskView* out) {
  if (!take(&msg, &out->header)) return false;
  const TaskHeader& h = out->header;
  if (!take_bytes(&msg, h.name_len, &out->name)) return false;
  out->payload = msg;
  switch (static_cast<TaskKind>(h.kind)) {
    case TaskKind::kSingle:
    case TaskKind::kVarChunk:
    case TaskKind::kStop:
      return true;
    case TaskKind::kFixedChunk: {
      uint64_t len = msg.size();
      if (h.in_size != 0 ? h.count > len / h.in_size || h.count * h.in_size != len : len != 0)
        return false;
      return h.out_size == 0 || h.count <= reply_limit / h.out_size;
    }
  }
  return false;
}

bool take_var_input(std::string_view* rest, std::string_view* item) {
  uint64_t len;
  return take(rest, &len) && take_bytes(rest, len, item);
}

bool decode_reply(std::string_view msg, ReplyView* out) {
  if (!take(&msg, &out->header)) return false;
  const ReplyHeader& h = out->header;
  switch (static_cast<ReplyKind>(h.kind)) {
    case ReplyKind::kResult:
    case ReplyKind::kInitFailed:
    case ReplyKind::kWorkerExited:
    case ReplyKind::kWake:
      break;
    default:
      return false;
  }
  if (h.code > 0) return false;
  if (!take_bytes(&msg, h.message_len, &out->message)) return false;
  out->payload = msg;
  return true;
}

bool fixed_reply_fits(const ReplyView& reply, uint64_t count, uint64_t out_size) {
  // count * out_size fits: the pool sized the chunk.
  uint64_t len = reply.payload.size();
  if (reply.header.code == 0) return len == count * out_size;
  return reply.header.failed_index < count && len == reply.header.failed_index * out_size;
}

bool take_var_reply(std::string_view* rest, int32_t* code, std::string_view* bytes) {
  VarItemHeader ih;
  if (!take(rest, &ih) || ih.code > 0) return false;
  *code = ih.code;
  return take_bytes(rest, ih.len, bytes);
}

}  // namespace mproc::core
