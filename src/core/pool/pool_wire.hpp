// What travels between a pool and its workers. Tasks go through one queue
// per worker slot, replies through one queue shared by all workers (and by
// the pool itself, for notices that wake its collector).
//
// Task message:  TaskHeader, the task's name (name_len bytes; none when the
//                function travels as a pointer, fork only), then
//   kSingle:     the input bytes;
//   kFixedChunk: count inputs of in_size bytes;
//   kVarChunk:   count times (uint64 length, bytes).
// Reply message: ReplyHeader, message_len bytes of error message, then
//   kSingle:     the output bytes (when code is 0);
//   kFixedChunk: count outputs of out_size bytes (all of them when code is
//                0; those before failed_index otherwise);
//   kVarChunk:   count times (int32 code, uint32 0, uint64 length, bytes),
//                the bytes being the output or the error message.
// Both sides check every length against the message they hold.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace mproc::core {

enum class TaskKind : uint32_t { kSingle = 1, kFixedChunk = 2, kVarChunk = 3, kStop = 4 };

struct TaskHeader {
  uint32_t kind;
  uint32_t name_len;
  uint64_t id;  // position of this task in its worker slot's queue
  uint64_t fn;  // the function, when name_len is 0
  uint64_t count;
  uint64_t in_size;
  uint64_t out_size;
};

enum class ReplyKind : uint32_t {
  kResult = 1,
  kInitFailed = 2,    // a worker's initializer failed: code, message
  kWorkerExited = 3,  // from the pool's own watcher: worker, generation
  kWake = 4,          // from the pool: look at your state
};

struct ReplyHeader {
  uint32_t kind;
  uint32_t worker;
  uint64_t id;
  int32_t code;
  uint32_t message_len;
  uint64_t failed_index;
  uint64_t generation;
};

struct VarItemHeader {
  int32_t code;
  uint32_t unused;
  uint64_t len;
};

// ---- Decoding. A message comes from another process: every length in it
// is checked against the message that holds it, and these functions are
// the only places that take one apart (tests/fuzz/fuzz_pool_wire.cpp).

// A task message taken apart; the views point into the message.
struct TaskView {
  TaskHeader header;
  std::string_view name;     // empty when the function travels as header.fn
  std::string_view payload;  // the input(s)
};
// Splits a task message; false when it is malformed: shorter than its
// header, of an unknown kind, with a name beyond its end, or a fixed chunk
// whose inputs do not fill it exactly or whose outputs would not fit in a
// reply of `reply_limit` bytes.
bool decode_task(std::string_view msg, uint64_t reply_limit, TaskView* out);
// Takes the next (uint64 length, bytes) input of a kVarChunk payload off
// the front of `rest`; false when what is left is malformed.
bool take_var_input(std::string_view* rest, std::string_view* item);

// A reply message taken apart; the views point into the message.
struct ReplyView {
  ReplyHeader header;
  std::string_view message;  // the error message
  std::string_view payload;  // the output(s)
};
// Splits a reply message; false when it is malformed: shorter than its
// header, of an unknown kind, with a message beyond its end, or with a
// code that is not 0 or an error (negative).
bool decode_reply(std::string_view msg, ReplyView* out);
// Whether a kFixedChunk reply fits the chunk it answers (`count` inputs,
// `out_size` bytes of output each): every output on success; on failure a
// failed index inside the chunk, with exactly the outputs before it.
bool fixed_reply_fits(const ReplyView& reply, uint64_t count, uint64_t out_size);
// Takes the next (code, bytes) item of a kVarChunk reply off the front of
// `rest`; false when what is left is malformed.
bool take_var_reply(std::string_view* rest, int32_t* code, std::string_view* bytes);

// A worker's slot in the pool's shared block: which task it is running,
// since when (CLOCK_MONOTONIC, comparable between processes), for the
// per-task timeouts.
struct WorkerSlotState {
  std::atomic<uint64_t> running;  // task id + 1, or 0 between tasks
  std::atomic<int64_t> started_ns;
};

}  // namespace mproc::core
