// What an MPI pool's owner and its ranks send each other, inside the
// plug-in's messages. Each message starts with an MpiMsgHeader. Batches
// and replies carry the local pool's own task and reply messages
// (pool_wire.hpp), each as a (uint64 length, bytes) record:
//
//   owner -> rank   kBegin:   the pool (WireWriter: u64 pool number, str
//                             initializer, bytes encoded Args or empty, u8
//                             has_args)
//                   kBatch:   count task records
//                   kStop:    nothing: the pool is over for this rank
// (terminate cancels what was sent without a message: the plug-in tells
// each rank beside MPI, and the rank skips the tasks of a cancelled pool.)
//   rank -> owner   kReady:   one reply record: code 0, or the
//                             initializer's failure (kInitFailed)
//                   kReplies: count reply records, in the order of the
//                             tasks sent to this rank
//                   kBye:     nothing: done with this pool
//
// Both sides treat what they receive as hostile: the decoders below check
// every length against the message that holds it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mproc::core {

enum class MpiMsgKind : uint32_t {
  kBegin = 1,
  kBatch = 2,
  kStop = 3,
  kReady = 11,
  kReplies = 12,
  kBye = 13,
};

struct MpiMsgHeader {
  uint32_t magic;  // kMpiMsgMagic
  uint32_t kind;
  uint64_t count;    // records that follow (kBatch, kReplies)
  uint64_t busy_ns;  // kReplies: how long the rank ran the tasks answered
};

inline constexpr uint32_t kMpiMsgMagic = 0x6d706931;  // "mpi1"

// A message taken apart: its header and what follows it.
struct MpiMsgView {
  MpiMsgHeader header;
  std::string_view body;
};
// False when `msg` is shorter than its header, has the wrong magic or an
// unknown kind.
bool decode_mpi_msg(std::string_view msg, MpiMsgView* out);
// Takes the next (uint64 length, bytes) record off the front of `rest`;
// false when what is left is malformed.
bool take_mpi_record(std::string_view* rest, std::string_view* record);

// Builds a message: a header, then records.
class MpiMsgWriter {
 public:
  explicit MpiMsgWriter(MpiMsgKind kind);
  // Appends a record made of `n` parts laid end to end.
  void record(const std::string_view* parts, size_t n);
  size_t size() const noexcept { return buf_.size(); }
  uint64_t count() const noexcept { return count_; }
  // The message, with the record count and `busy_ns` in its header (once:
  // the writer is spent afterwards).
  std::string take(uint64_t busy_ns = 0);

 private:
  std::string buf_;
  uint64_t count_ = 0;
};

}  // namespace mproc::core
