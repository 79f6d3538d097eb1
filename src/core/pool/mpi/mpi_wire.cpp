#include "core/pool/mpi/mpi_wire.hpp"

#include <cstddef>
#include <cstring>

namespace mproc::core {

bool decode_mpi_msg(std::string_view msg, MpiMsgView* out) {
  if (msg.size() < sizeof(MpiMsgHeader)) return false;
  std::memcpy(&out->header, msg.data(), sizeof(MpiMsgHeader));
  if (out->header.magic != kMpiMsgMagic) return false;
  switch (static_cast<MpiMsgKind>(out->header.kind)) {
    case MpiMsgKind::kBegin:
    case MpiMsgKind::kBatch:
    case MpiMsgKind::kStop:
    case MpiMsgKind::kReady:
    case MpiMsgKind::kReplies:
    case MpiMsgKind::kBye:
      break;
    default:
      return false;
  }
  out->body = msg.substr(sizeof(MpiMsgHeader));
  return true;
}

bool take_mpi_record(std::string_view* rest, std::string_view* record) {
  uint64_t len;
  if (rest->size() < sizeof len) return false;
  std::memcpy(&len, rest->data(), sizeof len);
  rest->remove_prefix(sizeof len);
  if (len > rest->size()) return false;
  *record = rest->substr(0, static_cast<size_t>(len));
  rest->remove_prefix(static_cast<size_t>(len));
  return true;
}

MpiMsgWriter::MpiMsgWriter(MpiMsgKind kind) {
  MpiMsgHeader h{kMpiMsgMagic, static_cast<uint32_t>(kind), 0, 0};
  buf_.append(reinterpret_cast<const char*>(&h), sizeof h);
}

void MpiMsgWriter::record(const std::string_view* parts, size_t n) {
  uint64_t len = 0;
  for (size_t i = 0; i < n; ++i) len += parts[i].size();
  buf_.append(reinterpret_cast<const char*>(&len), sizeof len);
  for (size_t i = 0; i < n; ++i) buf_.append(parts[i].data(), parts[i].size());
  ++count_;
}

std::string MpiMsgWriter::take(uint64_t busy_ns) {
  std::memcpy(buf_.data() + offsetof(MpiMsgHeader, count), &count_, sizeof count_);
  std::memcpy(buf_.data() + offsetof(MpiMsgHeader, busy_ns), &busy_ns, sizeof busy_ns);
  count_ = 0;
  return std::move(buf_);
}

}  // namespace mproc::core
